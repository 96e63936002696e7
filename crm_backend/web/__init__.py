"""Browser-facing pages of the CRM service: the chat widget's files, product pictures and
the demo shop that embeds the widget."""

from crm_backend.web.router import install_web

__all__ = ["install_web"]
