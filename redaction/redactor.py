"""Find personal data in free text and mask it: `redact("call 020 7946 0958")` ->
`"call [PHONE]"`.

A cheap prefilter decides first whether a text can hold any of it at all (every kind has
an "@" or a digit, a spelled-out "(at)" or "dot", or is a named house before its street),
so an ordinary message ("do you ship to Norway?") costs one regex search.
Overlapping finds are settled by length: "DE89 3704 ..." is one IBAN, not a phone number.
"""

import re
from collections.abc import Callable
from functools import lru_cache

from redaction.birth import find_dates_of_birth
from redaction.cvv import find_cvvs
from redaction.places import find_places
from redaction.rules import (
    ADDRESS,
    CARD,
    CVV,
    DATE_OF_BIRTH,
    EMAIL,
    IBAN,
    PHONE,
    POSTCODE,
    PiiSpan,
    find_emails,
    find_ibans,
    find_numbers,
)

_CANDIDATE = re.compile(
    r"[@＠\d]|[(\[{<]\s*at\s*[)\]}>]|\bdot\b|\sat\s+[\w-]+\."
    # a house known by its name, then its street: "Ivy House, Station Road", "The Willows, Mill Lane"
    r"|(?-i:[A-Z][\w'’-]+\s*,\s*(?:[A-Z][\w'’-]+\s+){1,3}(?:Road|Street|Lane|Avenue|Drive|Close|Way|Court|Place|"
    r"Gardens|Crescent|Terrace|Grove|Hill|Row|Walk|Mews|Green|Park|Square|Rise|View|Meadow)\b)",
    re.I,
)
FINDERS: tuple[Callable[[str], list[PiiSpan]], ...] = (
    find_emails,
    find_ibans,
    find_numbers,
    find_cvvs,
    find_dates_of_birth,
    find_places,
)
# Among spans of the same length: the more specific kind wins.
PRIORITY = {EMAIL: 0, IBAN: 1, CARD: 2, CVV: 3, DATE_OF_BIRTH: 4, POSTCODE: 5, ADDRESS: 6, PHONE: 7}


class Redactor:
    """Finds PII spans and replaces each with its label in brackets (`[CARD]`, `[IBAN]`...)."""

    def find(self, text: str) -> list[PiiSpan]:
        """The PII spans of `text`, sorted and non-overlapping."""
        if not text or not _CANDIDATE.search(text):
            return []
        spans = [span for finder in FINDERS for span in finder(text)]
        return _without_overlaps(spans)

    def redact(self, text: str) -> str:
        """`text` with each PII span replaced by its label in brackets."""
        return mask(text, self.find(text))


def mask(text: str, spans: list[PiiSpan]) -> str:
    """`text` with the given (sorted, non-overlapping) spans replaced by their labels."""
    for span in reversed(spans):
        text = f"{text[: span.start]}[{span.label}]{text[span.end :]}"
    return text


def masked_offset(spans: list[PiiSpan], offset: int, *, end: bool = False) -> int:
    """Where a character offset of the original text lands in `mask(text, spans)`.

    An offset inside a masked span moves to the start of its label (or to its end, for the
    end of a range), so an entity over a phone number then covers `[PHONE]`."""
    shift = 0
    for span in spans:
        label_length = len(span.label) + 2
        if offset <= span.start or (end and offset == span.start):
            break
        if offset < span.end or (end and offset == span.end):
            return span.start + shift + (label_length if end else 0)
        shift += label_length - (span.end - span.start)
    return offset + shift


def _without_overlaps(spans: list[PiiSpan]) -> list[PiiSpan]:
    """Longest spans win; ties go to the more specific kind."""
    chosen: list[PiiSpan] = []
    for span in sorted(spans, key=lambda s: (-(s.end - s.start), PRIORITY[s.label], s.start)):
        if all(span.end <= other.start or span.start >= other.end for other in chosen):
            chosen.append(span)
    return sorted(chosen, key=lambda s: s.start)


@lru_cache(maxsize=1)
def get_redactor() -> Redactor:
    """The process-wide redactor."""
    return Redactor()


def redact(text: str | None) -> str:
    """Redact with the process-wide redactor; None becomes ''."""
    return get_redactor().redact(text or "")
