"""Find and mask personal data in free text with spaCy's rule-based Matcher.

A blank English pipeline (tokenizer only, no statistical model to download) plus token
patterns: emails by spaCy's `LIKE_EMAIL`, card numbers as 13-19 digits (in one token or in
groups) that pass the Luhn check, phone numbers as runs of digit-like tokens holding 8-15
digits, and street addresses as a house number, up to four words and a street type.
A cheap regular expression first decides whether a text can hold any of them at all, so
the common message ("where is my order 702733?") never reaches spaCy.
"""

import logging
import re
import threading
from dataclasses import dataclass
from functools import lru_cache

logger = logging.getLogger(__name__)

EMAIL, PHONE, CARD, ADDRESS = "EMAIL", "PHONE", "CARD", "ADDRESS"
LABELS = (EMAIL, PHONE, CARD, ADDRESS)
STREET_TYPES = [
    "street",
    "st",
    "road",
    "rd",
    "avenue",
    "ave",
    "lane",
    "ln",
    "drive",
    "dr",
    "boulevard",
    "blvd",
    "way",
    "court",
    "ct",
    "place",
    "pl",
    "square",
    "sq",
    "terrace",
    "close",
    "crescent",
    "gardens",
    "grove",
    "hill",
    "parkway",
    "pkwy",
    "highway",
    "hwy",
    "row",
    "walk",
    "mews",
    "strasse",
    "straße",
]
_DIGITISH = r"^[\d()+\-./]+$"
_ORDER_NUMBER = re.compile(r"^\d{6}$")
_DATE = re.compile(r"^\d{1,4}([-/.])\d{1,2}\1\d{1,4}$")
# Anything that might contain PII; texts without a match skip the pipeline.
_CANDIDATE = re.compile(
    r"@|\d[\d\s().\-/+]{6,}\d|\b\d+[a-z]?\s+(?:[\w'.-]+\s+){0,4}(?:" + "|".join(STREET_TYPES) + r")\b",
    re.IGNORECASE,
)
MIN_PHONE_DIGITS, MAX_PHONE_DIGITS = 8, 15
MIN_CARD_DIGITS, MAX_CARD_DIGITS = 13, 19


@dataclass(frozen=True)
class PiiSpan:
    label: str
    start: int  # character offsets into the text
    end: int


def luhn_valid(digits: str) -> bool:
    """Whether a string of digits passes the Luhn checksum of payment card numbers."""
    if not digits.isdigit():
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


class Redactor:
    """Finds PII spans and replaces them with `[EMAIL]`, `[PHONE]`, `[CARD]`, `[ADDRESS]`."""

    def __init__(self) -> None:
        import spacy
        from spacy.matcher import Matcher

        self.nlp = spacy.blank("en")
        self.matcher = Matcher(self.nlp.vocab)
        # spaCy's LIKE_EMAIL is ASCII-only; the regex also takes "zoë.li@example.com".
        email = r"^[\w.+'-]+@[\w-]+(\.[\w-]+)+$"
        self.matcher.add(EMAIL, [[{"LIKE_EMAIL": True}], [{"TEXT": {"REGEX": email}}]])
        digitish = {"TEXT": {"REGEX": _DIGITISH}}
        self.matcher.add(PHONE, [[digitish, {**digitish, "OP": "*"}]], greedy="LONGEST")
        number = {"TEXT": {"REGEX": r"^\d{1,5}[a-zA-Z]?$"}}
        street = {"LOWER": {"IN": STREET_TYPES}}
        word = {"TEXT": {"REGEX": r"^([^\W\d_][\w'.-]*|'s)$"}, "OP": "{1,4}"}  # Queen 's, Old Mill
        self.matcher.add(ADDRESS, [[number, word, street], [number, word, street, {"ORTH": "."}]], greedy="LONGEST")
        self._lock = threading.Lock()  # spaCy's Matcher is not documented as thread-safe

    def find(self, text: str) -> list[PiiSpan]:
        """The PII spans of `text`, sorted and non-overlapping."""
        if not text or not _CANDIDATE.search(text):
            return []
        with self._lock:
            doc = self.nlp.make_doc(text)
            matches = self.matcher(doc)
        spans: list[PiiSpan] = []
        for match_id, start, end in matches:
            label = self.nlp.vocab.strings[match_id]
            span = doc[start:end]
            found = self._classify(label, [token.text for token in span])
            if found is None:
                continue
            start, end = span.start_char, span.end_char
            if found in (PHONE, CARD):  # trim punctuation around the number, keep "+" and "("
                while text[start] not in "+(0123456789":
                    start += 1
                while text[end - 1] not in ")0123456789":
                    end -= 1
            spans.append(PiiSpan(found, start, end))
        return _without_overlaps(spans)

    @staticmethod
    def _classify(label: str, tokens: list[str]) -> str | None:
        if label != PHONE:
            return label
        # A run of digit-like tokens: a card if it passes Luhn, a phone if it has 8-15 digits;
        # several six-digit tokens are order numbers ("702733 702744"), not a phone.
        numbers = [token for token in tokens if any(char.isdigit() for char in token)]
        if len(numbers) > 1 and all(_ORDER_NUMBER.match(token) for token in numbers):
            return None
        joined = "".join(tokens)
        if _DATE.match(joined.strip(".-/")):
            return None
        digits = re.sub(r"\D", "", joined)
        looks_international = joined.lstrip().startswith(("+", "00"))
        if (
            MIN_CARD_DIGITS <= len(digits) <= MAX_CARD_DIGITS
            and not looks_international
            and digits[0] != "0"
            and luhn_valid(digits)
        ):
            return CARD
        if MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS:
            return PHONE
        return None

    def redact(self, text: str) -> str:
        """`text` with each PII span replaced by its label in brackets."""
        spans = self.find(text)
        for span in reversed(spans):
            text = f"{text[: span.start]}[{span.label}]{text[span.end :]}"
        return text


def _without_overlaps(spans: list[PiiSpan]) -> list[PiiSpan]:
    """Longest spans win; an email or card beats a phone over the same characters."""
    priority = {EMAIL: 0, CARD: 1, ADDRESS: 2, PHONE: 3}
    chosen: list[PiiSpan] = []
    for span in sorted(spans, key=lambda s: (-(s.end - s.start), priority[s.label], s.start)):
        if all(span.end <= other.start or span.start >= other.end for other in chosen):
            chosen.append(span)
    return sorted(chosen, key=lambda s: s.start)


@lru_cache(maxsize=1)
def get_redactor() -> Redactor:
    """The process-wide redactor, built on first use (never at import time)."""
    return Redactor()


def redact(text: str | None) -> str:
    """Redact with the process-wide redactor; None becomes ''."""
    return get_redactor().redact(text or "")
