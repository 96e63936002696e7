"""Rule-based redaction of personal data (emails, phones, card numbers, street addresses)."""

from crm_backend.redaction.redactor import PiiSpan, Redactor, get_redactor, redact

__all__ = ["PiiSpan", "Redactor", "get_redactor", "redact"]
