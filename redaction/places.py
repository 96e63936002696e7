"""Where someone lives: street addresses (`redaction.streets`) and postcodes
(`redaction.postcodes`), some of which count only because an address precedes them.

Here too the streets without a type word ("47B Mount Pleasant", "Lange Voorhout 9", "Unter
den Linden 77") and the houses known by name alone ("Holly Cottage"): capitalised words and
a house number count when a postcode follows (perhaps past the town) or a word such as
"address" or "live at" comes right before. In lower case only after such a word.
"""

import re

from redaction.postcodes import EIRCODE, TOWNS, UK_POSTCODE, find_postcodes
from redaction.rules import ADDRESS, PiiSpan
from redaction.streets import HOUSE_NAME, NOT_NAMES, STREET_TYPES, find_addresses, units_end, with_unit, words

_CAP = r"[A-ZÀ-ÖØ-ÞŁŚŻŹĆŃ][\w'’-]{0,30}(?:\.[\w'’-]{1,30}){0,2}"  # bounded: linear on "Ab.Ab.Ab..."
_PARTICLE = r"(?:de|del|della|di|da|do|dos|das|du|des|la|le|les|los|las|van|der|den|het|von|y|yr|i|of|the|on|am|an|im)"
_NAME = rf"(?:The\s+)?{_CAP}(?:[ \t]+(?:{_PARTICLE}[ \t]+)*{_CAP}){{0,3}}"
_LOWER_NAME = r"[^\W\d_][\w'’-]{0,30}(?:[ \t]+[^\W\d_][\w'’-]{0,30}){0,2}"
_HOUSE_NUMBER = r"\d{1,5}[A-Za-z]?(?:[-/]\d{1,5}[A-Za-z]?)?"
_NUMBER_FIRST = re.compile(rf"(?<![\w.,/-])(?P<num>{_HOUSE_NUMBER}),?[ \t]+(?P<name>{_NAME})")
_NAME_FIRST = re.compile(
    rf"(?<![\w-])(?P<name>{_CAP}(?:[ \t]+(?:{_PARTICLE}[ \t]+)*{_CAP}){{0,2}})[ \t]+"
    r"(?P<num>\d{1,4}[A-Za-z]?(?:[-/]\w{1,4})?)(?![\w/-]|[.,]\d)"
)
_LOWER_NUMBER_FIRST = re.compile(rf"(?<![\w.,/-]){_HOUSE_NUMBER},?[ \t]+(?P<name>{_LOWER_NAME})", re.I)
_HOUSE_ALONE = re.compile(rf"(?<![\w-])(?P<name>{HOUSE_NAME})")
# A house's name, then a street with no number: "Greystones, Church Hill" (before a postcode or after a cue).
_HOUSE_THEN_STREET = re.compile(
    rf"(?<![\w-])(?P<name>{_CAP}(?:[ \t]+{_CAP}){{0,2}})\s*,\s*(?:{_CAP}[ \t]+){{1,3}}(?:{STREET_TYPES.title()})\b"
)

# A postcode right after the street, perhaps past its town: ", L3 5TF Liverpool", ", 2514 EA Den Haag".
_STRONG_CODE = (
    rf"(?:(?i:{UK_POSTCODE}|{EIRCODE})|[A-Z]{{2}}\s+\d{{5}}(?:-\d{{4}})?|\d{{4}}\s?[A-Z]{{2}}(?!\w)|\d{{2}}-\d{{3}}|"
    r"\d{4}-\d{3}|(?:[A-Z]{1,2}-)?\d{4,5}(?=\s+[A-ZÀ-Þ])|\d{3}\s\d{2}(?=\s+[A-ZÀ-Þ])|[A-Z]\d[A-Z]\s?\d[A-Z]\d)"
)
_CODE_AFTER = re.compile(rf"[ \t]*,?\s*(?:[^\W\d_][\w'’.-]*[ \t]*,?\s*){{0,3}}?(?<![\w-]){_STRONG_CODE}(?![\w-])")
# Words right before a street that say it is one: "my address is", "Addr:", "I live at".
_STRONG_CUE = re.compile(
    r"\b(?:address(?:\s+is)?|addr\.?|adresse|adres|indirizzo|direcci[óo]n|endere[çc]o|anschrift|"
    r"(?:i\s+)?live\s+at|living\s+at|lives\s+at)\s*[:=-]?\s*$",
    re.I,
)
_CUE = re.compile(
    r"\b(?:moved\s+to|moving\s+to|deliver(?:ed)?\s+(?:it\s+)?to|ship(?:ped)?\s+(?:it\s+)?to|send\s+(?:it\s+)?to|"
    r"post\s+(?:it\s+)?to|collect(?:ed)?\s+(?:it\s+)?from)\s*[:=-]?\s*$",
    re.I,
)
_ENDS = re.compile(r"[ \t]*(?:[,;.!?)\n]|$|[-–—]\s)")
# Words that start no street's name: labels and greetings ("Tel 020...", "Hi Anna 2 ...").
_NOT_STREET = NOT_NAMES | words(
    "address addr adresse tel phone mob mobile email e-mail name order ref flat apt apartment unit suite room "
    "floor level block shop office dear hi hello hey thanks regards ship deliver send post please pls new old "
    "home billing delivery shipping zip postcode size item qty im i'm kindly note total page step chapter "
    "version model number no nr vol box parcel row seat gate platform terminal table"
)


def find_places(text: str) -> list[PiiSpan]:
    """Addresses, and postcodes (some of which count only because an address precedes them)."""
    addresses = _merged([_with_house_name(text, s) for s in find_addresses(text) + _typeless_streets(text)])
    return addresses + find_postcodes(text, addresses)


def _typeless_streets(text: str) -> list[PiiSpan]:
    found = []
    for pattern in (_NUMBER_FIRST, _NAME_FIRST):
        for match in pattern.finditer(text):
            start = _name_start(text, match)
            if start is None:
                continue
            end = units_end(text, match.end())  # "Bulevardi 5 A 12", "8 Mount Street, Apt 3"
            if _CODE_AFTER.match(text, end) or _cued(text, start, end):
                found.append(PiiSpan(ADDRESS, *with_unit(text, start, end, False)))
    for match in _LOWER_NUMBER_FIRST.finditer(text):
        names = match.group("name").lower().split()
        names = names[1:] if names[0] == "the" and len(names) > 1 else names
        code_after = _CODE_AFTER.match(text, match.end())
        if any(word in _NOT_STREET for word in names) or not (code_after or _ENDS.match(text, match.end())):
            continue
        before = text[max(0, match.start() - 40) : match.start()]
        if _STRONG_CUE.search(before) or (_CUE.search(before) and code_after):
            found.append(PiiSpan(ADDRESS, match.start(), match.end()))
    for match in _HOUSE_THEN_STREET.finditer(text):
        if match.group("name").split()[0].lower() in _NOT_STREET:
            continue
        if _CODE_AFTER.match(text, match.end()) or _cued(text, match.start(), match.end()):
            found.append(PiiSpan(ADDRESS, match.start(), match.end()))
    for match in _HOUSE_ALONE.finditer(text):
        if _CODE_AFTER.match(text, match.end()) or _cued(text, match.start(), match.end()):
            found.append(PiiSpan(ADDRESS, match.start(), match.end()))
    return found


def _name_start(text: str, match: re.Match) -> int | None:
    """Where the street starts once labels before its name are dropped ("Address Lange Voorhout
    9" starts at "Lange"); None when no name is left or a word of it is not a name."""
    names = match.group("name").split()
    start = match.start()
    if match.re is _NAME_FIRST:
        while names and names[0].lower().strip(".:") in _NOT_STREET:
            dropped = names.pop(0)
            start = text.index(dropped, start) + len(dropped)
        start = text.index(names[0], start) if names else start
    if not names or any(word.lower().strip(".") in _NOT_STREET for word in names if word != "The"):
        return None
    if match.re is _NAME_FIRST and " ".join(names).lower() in TOWNS:
        return None  # "Dublin 4": a postal district
    return start


def _cued(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 40) : start]
    return bool((_STRONG_CUE.search(before) or _CUE.search(before)) and _ENDS.match(text, end))


# A house's name between "address:" and its street: "address: Kings Meadow, 3 Orchard Way".
_NAME_AFTER_CUE = re.compile(rf"{_STRONG_CUE.pattern[:-1]}(?P<name>{_NAME})\s*,\s*$", re.I)


def _with_house_name(text: str, span: PiiSpan) -> PiiSpan:
    if cue := _NAME_AFTER_CUE.search(text, max(0, span.start - 80), span.start):
        return PiiSpan(ADDRESS, cue.start("name"), span.end)
    return span


def _merged(spans: list[PiiSpan]) -> list[PiiSpan]:
    """Overlapping finds of one address as one span: "2 Elm Court" and "Elm Court, Upper Road"."""
    merged: list[PiiSpan] = []
    for span in sorted(spans, key=lambda s: s.start):
        if merged and span.start < merged[-1].end:
            merged[-1] = PiiSpan(ADDRESS, merged[-1].start, max(merged[-1].end, span.end))
        else:
            merged.append(span)
    return merged
