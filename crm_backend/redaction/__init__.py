"""The CRM's door to the shared rule-based redactor (`redaction/` at the repo root)."""

from crm_backend.redaction.redactor import PiiSpan, Redactor, get_redactor, redact

__all__ = ["PiiSpan", "Redactor", "get_redactor", "redact"]
