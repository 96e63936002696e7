"""Personal data in free text, found by rules and masked: emails, phones, cards, IBANs,
CVVs, postcodes, dates of birth and street addresses.

Standard library only, so Rasa's environment (the redacting tracker store, Python 3.10)
and the CRM's (Python 3.11) import the same rules and mask the same text the same way.
"""

from redaction.checksums import iban_valid, luhn_valid
from redaction.redactor import Redactor, get_redactor, mask, masked_offset, redact
from redaction.rules import (
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
    "mask",
    "masked_offset",
    "redact",
]
