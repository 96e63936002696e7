"""Postcodes: a full UK postcode, a US ZIP+4 and an Irish eircode stand on their own; five or
four digits (US, DE, FR, BE, CH...), "1234 AB" (NL) and "00-950" (PL) count only in context:
right after an address (and perhaps its town), after "postcode", "zip", "PLZ"..., after a US
state, or before a capitalised town.
"""

import re

from redaction.rules import POSTCODE, PiiSpan


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


UK_POSTCODE = r"(?:GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2})"
EIRCODE = r"(?:[AC-FHKNPRTV-Y]\d{2}|D6W)\s?[0-9AC-FHKNPRTV-Y]{4}"
_STANDALONE = re.compile(rf"(?<![\w-])(?:{UK_POSTCODE}|\d{{5}}-\d{{4}})(?![\w-])", re.I)
# A street followed (perhaps past its town) by a postcode is an address: "1 elm close, leeds LS1 4AP".
POSTCODE_CUE = re.compile(
    rf"\s*,?\s*(?:[^\W\d_][\w'’.-]*\s*,?\s*){{0,3}}?(?<![\w-])(?i:{UK_POSTCODE}|{EIRCODE}|\d{{5}}(?:-\d{{4}})?)(?![\w-])"
)
_EIRCODE_ALONE = re.compile(rf"(?<![\w-]){EIRCODE}(?![\w-])", re.I)
_ANY_FORM = (
    rf"(?:{UK_POSTCODE}|{EIRCODE}|\d{{5}}(?:-\d{{4}})?|\d{{4}}\s?[A-Z]{{2}}|\d{{2}}-\d{{3}}|\d{{4}}|"
    r"[A-Z]{1,2}-?\d{4,5}|\d{3}\s\d{2}|\d{4}-\d{3}|[A-Z]\d[A-Z]\s?\d[A-Z]\d|[A-Z]{3}\s?\d{4})"
)
_KEYWORD = (
    r"(?:(?:post|pst|psot|pots)\s?(?:code|cdoe|ocde|cod)|postal\s+code|zip\s*code|zip|zipcode|plz|postleitzahl|"
    r"code\s+postal|cp|eircode|"
    r"kod\s+pocztowy|postnummer|postcode|código\s+postal|c\.p\.|cap|postale|postnr|pin\s*code|npa)"
)
_ANY_KEYWORD = re.compile(rf"\b{_KEYWORD}\b", re.I)
_AFTER_KEYWORD = re.compile(
    rf"\b{_KEYWORD}\b[^\d\n]{{0,40}}?(?P<p>(?<![\w-]){_ANY_FORM})(?![\w-])",
    re.I,
)
_BEFORE_KEYWORD = re.compile(
    rf"(?<![\w-])(?P<p>{_ANY_FORM})(?![\w-])\s*(?:is\s+(?:my|the|our)\s+|\(\s*)?{_KEYWORD}\b",
    re.I,
)
# Where a parcel goes: "do you deliver to 60535?", "is 8008 in your delivery area?"
# A UK postcode's district alone, in place context: "both in the OX4 area", "I live in SW19".
_DISTRICT = r"(?-i:[A-Z]{1,2}\d[A-Z\d]?)"
_DELIVER_TO = re.compile(
    rf"\b(?:deliver|ship|post|send)\w*\s+(?:to|in)\s+(?P<p>{_ANY_FORM}|{_DISTRICT})(?![\w-])", re.I
)
_AREA_AFTER = re.compile(
    rf"(?<![\w.,/-])(?P<p>{_ANY_FORM})\s+(?:is\s+)?(?:in\s+)?(?:your\s+)?(?:delivery|shipping|postal|post)\s+"
    r"(?:area|zone|region)\b|\b(?:post\s?code|postal\s+code)\s+(?:area|district|prefix)\s*(?:is\s+)?:?\s*"
    rf"(?P<d>{_DISTRICT})(?![\w-])",
    re.I,
)
# Where someone is: "I live near 10115", "is 8008 covered?", "in the 3000 area".
_NEAR = re.compile(
    rf"\b(?:near|close\s+to|live\s+in|living\s+in|based\s+in|located\s+in|area(?:\s+code)?)\s+"
    rf"(?P<p>{_ANY_FORM}|{_DISTRICT})(?![\w-])",
    re.I,
)
_COVERED = re.compile(
    rf"(?<![\w.,/-])(?P<p>{_ANY_FORM}|{_DISTRICT})\s+(?:area\s+)?(?:is\s+|are\s+)?(?:covered|served|area)\b",
    re.I,
)
_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|"
    "ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR"
)
_STATE_NAMES = (
    "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|Hawaii|Idaho|"
    "Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|Minnesota|"
    "Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|New York|North Carolina|"
    "North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|"
    "Utah|Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming"
)
_AFTER_STATE = re.compile(
    rf"\b(?:{_STATES}|(?i:{_STATE_NAMES}))\.?,?\s+(?P<p>\d{{5}}(?:-\d{{4}})?)(?![\w-])"
    r"|\b(?:NSW|VIC|QLD|TAS|ACT|NT|SA|WA)\s+(?P<au>\d{4})(?![\w-])"  # Australia
    r"|\b(?:ON|QC|BC|AB|MB|SK|NS|NB|NL|PE|YT|NU)\.?,?\s+(?P<ca>[A-Z]\d[A-Z]\s?\d[A-Z]\d)(?![\w-])"  # Canada
)
# "Chat ID 88123", "Order ID 12345": an identifier, not Idaho.
_ID_BEFORE_STATE = re.compile(
    r"\b(?:chat|user|session|ticket|order|customer|account|transaction|member|tracking|reference|ref|case|device|"
    r"product|item|employee|store|shop|payment|invoice|booking|login|client|parcel|package|shipment|request|job|"
    r"task|seller|vendor|merchant|app|game|player|staff|student|tax|vat|apple|game|photo|video|your|my|the)\s+$",
    re.I,
)
_CANADIAN = re.compile(r"(?<![\w-])[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] \d[ABCEGHJ-NPRSTV-Z]\d(?![\w-])")
# After an address, perhaps past its town (and state): "[ADDRESS], 10115 Berlin", "[ADDRESS]
# glasgow g3 7fe", "[ADDRESS], seattle, wa 98101".
_AFTER_ADDRESS = re.compile(rf"\s*,?\s*(?:[^\W\d_][\w'’.-]*\s*,?\s*){{0,3}}?(?P<p>(?<![\w-])(?i:{_ANY_FORM}))(?![\w-])")
_LOCAL = r"(?:\d{5}|\d{4}\s?[A-Z]{2}|\d{2}-\d{3}|\d{4}-\d{3}|[A-Z]{1,2}-\d{4,5}|\d{3} \d{2})"
_BEFORE_TOWN = re.compile(rf"(?<![\w.,/-])(?P<p>{_LOCAL})\s+(?P<town>[A-ZÀ-ÖØ-ÞŁŚŻŹĆŃ][^\W\d_]+(?:-[^\W\d_]+)?)")
# Capitalised words after a number that are not towns: "10000 Points", "12345 Thanks".
_NOT_TOWNS = words(
    "I Thanks Thank Please Is Are The And But Or Points Point Euro Euros EUR Dollars USD GBP Pounds Items Units "
    "Pieces Pcs Days Hours Minutes Km Miles Steps Calories Reviews Followers Likes Views Orders Customers Ok OK "
    "Yes No Hi Hello Cheers Regards Monday Tuesday Wednesday Thursday Friday Saturday Sunday Mon Tue Wed Thu Fri "
    "Sat Sun Today Tomorrow January February March April May June July August September October November December"
)
_PRODUCT_BEFORE = re.compile(
    r"\b(?:product|item|order|model|article|ref|reference|sku|part|style|batch|lot|serial|ticket|invoice)s?\s*"
    r"(?:code|no\.?|nr\.?|number|num|id|#)?\s*[:#]?\s*$",
    re.I,
)
_UNITS = words("KM MG ML GB MB KB TB HZ PM AM CM MM KG LB OZ HP MP")


# Towns a lower-case "75011 paris" may name (capitalised towns need no list).
TOWNS = words(
    "paris lyon marseille nantes toulouse bordeaux lille strasbourg nice rennes montpellier berlin hamburg münchen "
    "munich köln cologne frankfurt stuttgart düsseldorf leipzig dresden bremen hannover nürnberg madrid barcelona "
    "sevilla valencia bilbao málaga zaragoza roma rome milano milan torino turin napoli naples firenze florence "
    "bologna genova venezia palermo amsterdam rotterdam utrecht eindhoven leiden haarlem groningen maastricht "
    "delft brussel bruxelles brussels antwerpen anvers gent ghent leuven liège namur brugge wien vienna graz linz "
    "salzburg innsbruck zürich zurich genève geneva basel bern lausanne luzern warszawa warsaw kraków krakow "
    "wrocław gdańsk poznań łódź lisboa lisbon porto dublin cork galway luxembourg london manchester birmingham leeds "
    "glasgow liverpool bristol sheffield edinburgh cardiff belfast leicester nottingham newcastle brighton york oxford "
    "cambridge coventry aberdeen swansea plymouth southampton portsmouth norwich exeter limerick waterford "
    "chicago boston seattle houston denver austin oslo bergen stockholm göteborg malmö københavn copenhagen aarhus "
    "helsinki budapest praha prague leuven charleroi mons mechelen hasselt lugano winterthur klagenfurt odense "
    "aalborg trondheim stavanger debrecen szeged sydney melbourne brisbane perth adelaide"
)
# A known town, then its code: "Lisboa 1100-148", "Paris 75001" (four digits alone are too often a count).
_AFTER_TOWN = re.compile(r"(?<![\w-])(?P<town>[^\W\d_]+)\s*,?\s+(?P<p>\d{5}|\d{4}-\d{3}|\d{2}-\d{3})(?![\w-])")
# Four digits count before a known, capitalised town only: "1000 Bruxelles" (not "1500 Watts").
_BEFORE_LOWER_TOWN = re.compile(
    r"(?<![\w.,/-])(?P<p>\d{5}|\d{4}\s?[A-Za-z]{2}|\d{2}-\d{3}|\d{4}-\d{3}|\d{4})\s+(?P<town>[^\W\d_]+)"
)


def year(code: str) -> bool:
    return len(code) == 4 and code.isdigit() and 1900 <= int(code) <= 2099


def find_postcodes(text: str, addresses: list[PiiSpan] = ()) -> list[PiiSpan]:
    spans = [PiiSpan(POSTCODE, m.start(), m.end()) for m in _STANDALONE.finditer(text)]
    spans += [PiiSpan(POSTCODE, m.start(), m.end()) for m in _CANADIAN.finditer(text)]
    for match in _EIRCODE_ALONE.finditer(text):  # "D02 X285": the last four mix letters and digits
        unique = match.group()[-4:]
        if any(c.isdigit() for c in unique) and any(c.isalpha() for c in unique):
            spans.append(PiiSpan(POSTCODE, match.start(), match.end()))
    patterns = (_AFTER_STATE, _DELIVER_TO, _AREA_AFTER)
    if _ANY_KEYWORD.search(text):
        patterns += (_AFTER_KEYWORD, _BEFORE_KEYWORD)
    for pattern in patterns:
        for match in pattern.finditer(text):
            group = next(name for name in ("p", "au", "ca", "d") if name in match.re.groupindex and match[name])
            if pattern is _AFTER_STATE and group == "p" and _ID_BEFORE_STATE.search(text, 0, match.start()):
                continue
            spans.append(PiiSpan(POSTCODE, *match.span(group)))
    for pattern in (_NEAR, _COVERED):  # a year is not a place: "the 2024 area sales"
        spans.extend(PiiSpan(POSTCODE, m.start("p"), m.end("p")) for m in pattern.finditer(text) if not year(m["p"]))
    for address in addresses:
        if match := _AFTER_ADDRESS.match(text, address.end):
            spans.append(PiiSpan(POSTCODE, match.start("p"), match.end("p")))
    for match in _AFTER_TOWN.finditer(text):
        if match.group("town").lower() in TOWNS:
            spans.append(PiiSpan(POSTCODE, match.start("p"), match.end("p")))
    for match in _BEFORE_LOWER_TOWN.finditer(text):
        code, town = match.group("p"), match.group("town")
        if code.isdigit() and len(code) == 4 and (year(code) or not town[0].isupper()):
            continue  # "in 2019 London", "4000 london bus tickets"
        if town.lower() in TOWNS and not _PRODUCT_BEFORE.search(text, max(0, match.start() - 30), match.start()):
            spans.append(PiiSpan(POSTCODE, match.start("p"), match.end("p")))
    for match in _BEFORE_TOWN.finditer(text):
        code = match.group("p")
        if match.group("town") in _NOT_TOWNS or code[-2:] in _UNITS:
            continue
        if _PRODUCT_BEFORE.search(text, max(0, match.start() - 30), match.start()):
            continue  # "product code 12345 Berlin edition"
        spans.append(PiiSpan(POSTCODE, match.start("p"), match.end("p")))
    return spans
