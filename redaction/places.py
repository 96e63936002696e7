"""Where someone lives: street addresses and postcodes.

Street forms: English ("10 Downing St.", "221B Baker Street", "Flat 3, 45 Queen's Road",
"1600 Pennsylvania Ave NW"), French and Latin ("12 rue de Rivoli", "Via Roma 10") and
German or Dutch compounds ("Hauptstraße 5", "Kerkstraat 12"). Street types that are also
common words ("close", "place", "way") need a capitalised name, so "2 hours drive" stays.

Postcodes: a full UK postcode in capitals, a US ZIP+4 and an Irish eircode stand on their
own; five digits (US, DE, FR...), "1234 AB" (NL) and "00-950" (PL) count only in context:
after "postcode", "zip", "PLZ"..., after a US state, or before a town's name.
"""

import re

from redaction.rules import ADDRESS, POSTCODE, PiiSpan


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_UNIT = r"(?:(?:flat|apt|apartment|unit|suite|ste|room|floor|fl)\.?\s*(?:no\.?\s*)?#?\s*\w{1,5}\s*,?\s+)?"
_HOUSE = r"\d{1,5}(?:\s?[A-Za-z](?!\w))?(?:[-/]\d{1,5}[A-Za-z]?)?"
_NAME_WORD = r"(?:[^\W\d_][\w'’.-]*|\d{1,3}(?:st|nd|rd|th))"
_PLAIN_TYPES = (
    "street|st|road|rd|avenue|ave|av|lane|ln|boulevard|blvd|crescent|cres|parkway|pkwy|highway|hwy|"
    "strasse|straße|embankment|wharf|quay"
)
_WORD_TYPES = "drive|dr|way|court|ct|place|pl|square|sq|terrace|ter|close|gardens|gdns|grove|hill|row|walk|mews|"
_WORD_TYPES += "circle|cir|trail|trl|alley|park|green|rise|vale|view|parade|approach"
_ABBREVIATIONS = {"st", "rd", "ave", "av", "ln", "blvd", "cres", "pkwy", "hwy", "dr", "ct", "pl", "sq", "ter", "gdns"}
_ABBREVIATIONS |= {"cir", "trl"}
_DIRECTION = r"(?:\s+(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)(?!\w))?"
_ENGLISH = re.compile(
    rf"(?<![\w.,/-]){_UNIT}(?P<house>{_HOUSE}),?\s+(?P<name>(?:{_NAME_WORD}\s+){{1,4}}?)"
    rf"(?P<type>{_PLAIN_TYPES}|{_WORD_TYPES})(?!\w)(?P<dot>\.)?{_DIRECTION}",
    re.I,
)
_BROADWAY = re.compile(r"(?<![\w.,/-])\d{1,5}\s+Broadway\b", re.I)
_PO_BOX = re.compile(r"\bP\.?\s?O\.?\s?Box\s+\d{1,6}\b", re.I)
# Words that are never part of a street's name: "2 of the blue way", "3 items in my place".
_NOT_NAMES = _words(
    "the a an my your our his her their this that these those in on at to for from with by and or is are was "
    "were be it its i you we they he she me us them items item days day hours hour hrs minutes mins weeks week "
    "months month years year times time pieces pcs euros eur dollars usd pounds gbp orders order products "
    "product boxes box people more less other all each per x about over under than after before into am pm "
    "out up off but not no so if then also just only very much many some any one two three four five six "
    "seven eight nine ten of"
)
_FRENCH = re.compile(
    r"(?<![\w.,/-])\d{1,4}(?:\s?(?:bis|ter|[A-Za-z])(?!\w))?,?\s+"
    r"(?:rue|avenue|av\.|boulevard|bd|boul\.|place|chemin|allée|impasse|quai|cours|route|passage|faubourg)\s+"
    r"(?:(?:de\s+la|de|du|des|la|le|les|l['’]|d['’]|saint|sainte)\s*)*[^\W\d_][\w'’-]*"
    r"(?:\s+(?:(?:de|du|des|la|le|l['’]|d['’])\s*)?[A-ZÀ-ÝŁŚŻŹĆŃ][\w'’-]*){0,3}",
    re.I,
)
_LATIN = re.compile(
    r"(?<![\w.-])(?:[Cc]alle|C/|[Aa]venida|[Aa]vda\.?|[Pp]laza|[Pp]aseo|[Cc]arrer|[Vv]ia|[Vv]iale|[Pp]iazza|"
    r"[Cc]orso|[Ll]argo|[Rr]ua|[Tt]ravessa|ul\.|[Uu]lica|al\.|[Aa]leja)\s+"
    r"(?:(?:de|del|la|los|las|di|della|dei|da|do|dos|das)\s+)*[A-ZÀ-ÝŁŚŻŹĆŃ][\w'’.-]*"
    r"(?:\s+(?:(?:de|del|di|della|da|do)\s+)?[A-ZÀ-ÝŁŚŻŹĆŃ][\w'’.-]*){0,3},?\s+(?:n[º°o.]\s*)?\d{1,4}[a-zA-Z]?(?!\w)"
)
_COMPOUND_NUMBER = r"\s+\d{1,4}(?:\s?[a-zA-Z](?!\w))?(?:[-/]\d{1,4}[a-z]?)?(?!\w)"
_COMPOUND_PLAIN = re.compile(
    r"(?<![\w-])[^\W\d_][\w.-]*?(?:straße|strasse|str\.|allee|gasse|platz|straat|gracht|laan|plein|steeg|"
    rf"gatan|vägen|gade|vej|veien|gata){_COMPOUND_NUMBER}",
    re.I,
)
_COMPOUND_WORD = re.compile(
    rf"(?<![\w-])[A-ZÄÖÜ][a-zäöüß]{{2,}}(?:weg|ring|damm|ufer|steig|chaussee|markt|kade|singel|dijk){_COMPOUND_NUMBER}"
)
_TWO_WORD = re.compile(
    r"(?<![\w-])(?:(?:[Aa]m|[Aa]n\s+der|[Aa]uf\s+der|[Ii]m)\s+|[A-ZÄÖÜ][\wäöüß.-]+\s+)"
    rf"(?:Straße|Strasse|Str\.|Weg|Platz|Allee|Gasse|Ring|Damm|Ufer|Markt|Berg|Hof|Tor){_COMPOUND_NUMBER}"
)


def find_addresses(text: str) -> list[PiiSpan]:
    spans: list[PiiSpan] = []
    for match in _ENGLISH.finditer(text):
        if _english_street(match):
            end = match.end()
            if match.group("dot") and match.group("type").lower() not in _ABBREVIATIONS:
                end = match.start("dot")  # the sentence's full stop, not an abbreviation's
            spans.append(PiiSpan(ADDRESS, match.start(), end))
    for pattern in (_BROADWAY, _PO_BOX, _FRENCH, _LATIN, _COMPOUND_PLAIN, _COMPOUND_WORD, _TWO_WORD):
        spans.extend(PiiSpan(ADDRESS, m.start(), m.end()) for m in pattern.finditer(text))
    return spans


def _english_street(match: re.Match) -> bool:
    words = match.group("name").split()
    if any(word.lower().strip(".") in _NOT_NAMES for word in words):
        return False
    street_type = match.group("type")
    if street_type.lower() in _WORD_TYPES.split("|"):
        return street_type[0].isupper() or all(word[0].isupper() or word[0].isdigit() for word in words)
    return True


# --- postcodes ---------------------------------------------------------------------------------

_UK = r"(?:GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2})"
_EIRCODE = r"(?:[AC-FHKNPRTV-Y]\d{2}|D6W)\s?[0-9AC-FHKNPRTV-Y]{4}"
_STANDALONE = re.compile(rf"(?<![\w-])(?:{_UK}|\d{{5}}-\d{{4}})(?![\w-])")
_EIRCODE_ALONE = re.compile(rf"(?<![\w-]){_EIRCODE}(?![\w-])")
_ANY_FORM = (
    rf"(?:{_UK}|{_EIRCODE}|\d{{5}}(?:-\d{{4}})?|\d{{4}}\s?[A-Z]{{2}}|\d{{2}}-\d{{3}}|\d{{4}}|"
    r"[A-Z]{1,2}-?\d{4,5}|\d{3}\s\d{2})"
)
_KEYWORD = (
    r"(?:post\s?code|postal\s+code|zip\s*code|zip|zipcode|plz|postleitzahl|code\s+postal|cp|eircode|"
    r"kod\s+pocztowy|postnummer|postcode|código\s+postal|c\.p\.|cap|postale|postnr|pin\s*code)"
)
_AFTER_KEYWORD = re.compile(
    rf"\b{_KEYWORD}\b(?:\s*(?:is|:|=|of|-|number|area)\s*){{0,2}}\s*[\"'(]?(?P<p>(?<![\w-]){_ANY_FORM})(?![\w-])",
    re.I,
)
_BEFORE_KEYWORD = re.compile(
    rf"(?<![\w-])(?P<p>{_ANY_FORM})(?![\w-])\s*(?:is\s+(?:my|the|our)\s+|\(\s*)?{_KEYWORD}\b",
    re.I,
)
_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|"
    "ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR"
)
_AFTER_STATE = re.compile(rf"\b(?:{_STATES})\.?,?\s+(?P<p>\d{{5}}(?:-\d{{4}})?)(?![\w-])")
_LOCAL = r"(?:\d{5}|\d{4}\s?[A-Z]{2}|\d{2}-\d{3}|[A-Z]{1,2}-\d{4,5})"
_BEFORE_TOWN = re.compile(rf"(?<![\w.,/-])(?P<p>{_LOCAL})\s+(?P<town>[A-ZÀ-ÖØ-ÞŁŚŻŹĆŃ][^\W\d_]+(?:-[^\W\d_]+)?)")
# Capitalised words after a number that are not towns: "10000 Points", "12345 Thanks".
_NOT_TOWNS = _words(
    "I Thanks Thank Please Is Are The And But Or Points Point Euro Euros EUR Dollars USD GBP Pounds Items Units "
    "Pieces Pcs Days Hours Minutes Km Miles Steps Calories Reviews Followers Likes Views Orders Customers Ok OK "
    "Yes No Hi Hello Cheers Regards"
)
_UNITS = {"KM", "MG", "ML", "GB", "MB", "KB", "TB", "HZ", "PM", "AM", "CM", "MM", "KG", "LB", "OZ", "HP", "MP"}


def find_postcodes(text: str) -> list[PiiSpan]:
    spans = [PiiSpan(POSTCODE, m.start(), m.end()) for m in _STANDALONE.finditer(text)]
    for match in _EIRCODE_ALONE.finditer(text):  # "D02 X285": the last four mix letters and digits
        unique = match.group()[-4:]
        if any(c.isdigit() for c in unique) and any(c.isalpha() for c in unique):
            spans.append(PiiSpan(POSTCODE, match.start(), match.end()))
    for pattern in (_AFTER_KEYWORD, _BEFORE_KEYWORD, _AFTER_STATE):
        spans.extend(PiiSpan(POSTCODE, m.start("p"), m.end("p")) for m in pattern.finditer(text))
    for match in _BEFORE_TOWN.finditer(text):
        code = match.group("p")
        if match.group("town") in _NOT_TOWNS or code[-2:] in _UNITS:
            continue
        spans.append(PiiSpan(POSTCODE, match.start("p"), match.end("p")))
    return spans
