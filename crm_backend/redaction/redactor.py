"""The redactor lives in the top-level `redaction` package, shared with Rasa's environment
(its tracker store redacts what it writes); the CRM uses it through this module."""

from redaction import (
    ADDRESS,
    CARD,
    CVV,
    DATE_OF_BIRTH,
    EMAIL,
    IBAN,
    LABELS,
    PHONE,
    POSTCODE,
    PiiSpan,
    Redactor,
    get_redactor,
    iban_valid,
    luhn_valid,
    redact,
)

__all__ = [
    "ADDRESS",
    "CARD",
    "CVV",
    "DATE_OF_BIRTH",
    "EMAIL",
    "IBAN",
    "LABELS",
    "PHONE",
    "POSTCODE",
    "PiiSpan",
    "Redactor",
    "get_redactor",
    "iban_valid",
    "luhn_valid",
    "redact",
]
