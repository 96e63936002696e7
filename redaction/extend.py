"""Grow an address span over the parts that rules for streets do not know, by their shape.

Writers wrap a street in parts no word list can hold: a building or company name before it
("Villa Hortensia, Chemin des Roses 14", "Brennan & Co, Unit 4, ...") and a floor, staircase
or door after it ("Vesterbrogade 31, 2. tv, 1620 ...", "Corso X 42, scala B, int. 7, 20124
Milano"). So: short comma-separated capitalised segments right before a found street, and at
most three short segments between a found street and the postcode that follows it, join the
address. Both walks are bounded, so the cost stays linear in the text.
"""

import bisect
import re

from redaction.rules import ADDRESS, MIN_PHONE_DIGITS, PHONE, POSTCODE, PiiSpan

# One segment before a street: capitalised words, numbers, "&", and small connectors only.
_NAME_WORD = r"(?:[A-ZÀ-ÞØÆÅ][\w'’.-]*|\d+\w?|&|(?-i:de|des|du|la|le|les|the|of|di|da|del|van|von|y|et|and))"
_LEADING_SEGMENT = re.compile(rf"(?:{_NAME_WORD}\s+){{0,3}}{_NAME_WORD}\s*,\s*$")
# Short capitalised particles joined to the street with no comma: "Am Sonnenhang 7", "La Rambla 5".
_LEADING_PARTICLE = re.compile(r"(?<![\w'’])[A-ZÀ-Þ][a-zà-ÿ]{0,2}\s+$")
# One segment after a street: a floor, door or staircase, 1-3 short tokens ("2. tv", "scala B").
_TRAILING_SEGMENT = re.compile(r"(?:\s*,\s*|\s+)(?P<seg>[^\s,.\n][^,\n]{0,17}?)(?=\s*,|\s*$)")
# A town or district, which is not joined: "Kensington", "Nether Wallop" (no digit, all capitalised);
# an estate or quarter named "The ..." ("The Maltings") is part of the address.
_TOWN_LIKE = re.compile(r"(?!The\s)(?:[A-ZÀ-ÞØÆÅ][^\s\d]*\s*)+")
_SPACED_SEPARATOR = re.compile(r"\s+[-–—/|,]\s+$")
MAX_LEADING, MAX_TRAILING = 2, 3


def extend_addresses(text: str, spans: list[PiiSpan]) -> list[PiiSpan]:
    """`spans` (sorted, non-overlapping) with each address grown; never over another span."""
    out = list(spans)
    for i, span in enumerate(out):
        if span.label != ADDRESS:
            continue
        lower = out[i - 1].end if i else 0
        upper = out[i + 1].start if i + 1 < len(out) else len(text)
        following = out[i + 1] if i + 1 < len(out) else None
        start, end = _grow_left(text, span.start, lower), _grow_right(text, span.end, upper, following)
        out[i] = PiiSpan(ADDRESS, start, end)
    return out


def yield_house_numbers(text: str, spans: list[PiiSpan]) -> list[PiiSpan]:
    """A phone number whose last group, past a spaced separator, starts a found street gives
    that group back: "085 142 3377 - 7 Abbey Court" is a phone number, then an address."""
    addresses = sorted((span for span in spans if span.label == ADDRESS), key=lambda s: s.start)
    starts = [address.start for address in addresses]
    out = []
    for span in spans:
        if span.label == PHONE:
            first = bisect.bisect_right(starts, span.start)
            for address in addresses[first : bisect.bisect_left(starts, span.end)]:
                if span.end <= address.end:
                    cut = _SPACED_SEPARATOR.search(text, span.start, address.start)
                    if cut and len(re.sub(r"\D", "", text[span.start : cut.start()])) >= MIN_PHONE_DIGITS:
                        span = PiiSpan(PHONE, span.start, cut.start())
                        break
        out.append(span)
    return out


def _grow_left(text: str, start: int, lower: int) -> int:
    if (particle := _LEADING_PARTICLE.search(text, max(lower, start - 5), start)) and text[start].isupper():
        start = particle.start()
    for _ in range(MAX_LEADING):
        segment = _LEADING_SEGMENT.search(text, max(lower, start - 50), start)
        if not segment:
            break
        start = segment.start()
    return start


def _grow_right(text: str, end: int, upper: int, postcode: PiiSpan | None) -> int:
    while end < upper and text[end].isalnum() and text[end - 1].isalnum():  # "263-1h|oog"
        end += 1
    if postcode is None or postcode.label != POSTCODE or postcode.start - end > 60:
        return end
    pos, joined = end, end
    for _ in range(MAX_TRAILING):
        segment = _TRAILING_SEGMENT.match(text, pos, postcode.start)
        if not segment or len(segment["seg"].split()) > 3:
            return end
        pos, town_before_code = segment.end(), "," not in text[segment.end() : postcode.start]
        if joined == segment.start() and not town_before_code and not _TOWN_LIKE.fullmatch(segment["seg"].strip()):
            joined = pos
        if re.fullmatch(r"\s*,?\s*", text[pos : postcode.start]):
            return joined
    return end
