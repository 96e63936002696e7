"""Street addresses: English ("10 Downing St.", "221B Baker Street", "Flat 3, 45 Queen's Road",
"1600 Pennsylvania Ave NW"), French and Latin, type first or number first ("12 rue de
Rivoli", "Avenue Louise 2 bus 4", "Via Roma 10", "ul. Długa 5 m. 3") and German or Dutch
compounds ("Hauptstraße 5", "Witte de Withstraat 26-1"). A flat or unit before or after the
street ("Apt 12B", ", 5º D", "-II") belongs to the address. Street types that are also
common words ("close", "place", "way") need a capitalised name, so "2 hours drive" stays.
"""

import re

from redaction.postcodes import POSTCODE_CUE, TOWNS, words, year
from redaction.rules import ADDRESS, PiiSpan

# Words that are never part of a street's name: "2 of the blue way", "3 items in my place".
NOT_NAMES = words(
    "the a an my your our his her their this that these those in on at to for from with by and or is are was "
    "were be it its i you we they he she me us them items item days day hours hour hrs minutes mins weeks week "
    "months month years year times time pieces pcs euros eur dollars usd pounds gbp orders order products "
    "product boxes box people more less other all each per x about over under than after before into am pm "
    "out up off but not no so if then also just only very much many some any one two three four five six "
    "seven eight nine ten of email mail phone minute mile star bedroom bed room seat lane- use put please pls "
    "change changed update updated enter write correct"
)
_PARTICLES = words("de del della dei di da do dos das du des la le les los las l' d' aux y i van der den het")
_LETTER_WORD = r"[^\W\d_][\w'’.-]*"

# --- number first: "221B Baker Street", "12 rue de Rivoli" ----------------------------------

_HOUSE = r"\d{1,5}(?:\s?[A-Za-z](?!\w))?(?:[-/]\d{1,5}[A-Za-z]?)?"
_NAME_WORD = rf"(?:{_LETTER_WORD}|\d{{1,3}}(?:st|nd|rd|th))"
_PLAIN_TYPES = (
    "street|st|road|rd|avenue|ave|av|lane|ln|boulevard|blvd|crescent|cres|parkway|pkwy|highway|hwy|"
    "strasse|straße|embankment|wharf|quay"
)
_WORD_TYPES = "drive|dr|way|court|ct|place|pl|square|sq|terrace|ter|close|gardens|gdns|grove|hill|row|walk|mews|"
_WORD_TYPES += "circle|cir|trail|trl|alley|park|green|rise|vale|view|parade|approach|"
_WORD_TYPES += "side|end|plaza|heath|bank|cross|mount|heights|meadow|meadows|field|fields|wood|yard|croft|chase|dale|"
_WORD_TYPES += "wynd|mead|circus|esplanade|promenade|common|orchard|grange|hollow|ridge|loop|gate"
STREET_TYPES = f"{_PLAIN_TYPES}|{_WORD_TYPES}"
_ABBREVIATIONS = words("st rd ave av ln blvd cres pkwy hwy dr ct pl sq ter gdns cir trl")
# "1600 Pennsylvania Ave NW", "139 O'Connell Street Upper"
_DIRECTION = r"(?:\s+(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West|Upper|Lower|Extension)(?!\w))?"
_ENGLISH = re.compile(
    rf"(?<![\w.,/-])(?P<house>{_HOUSE}),?\s+(?P<name>(?:{_NAME_WORD}\s+){{1,4}}?)"
    rf"(?P<type>{_PLAIN_TYPES}|{_WORD_TYPES})(?!\w)(?P<dot>\.)?{_DIRECTION}",
    re.I,
)
_ANOTHER_TYPE = re.compile(rf"\s+(?:{_PLAIN_TYPES}|{_WORD_TYPES})(?!\w)(?:\.(?=\s*\w))?{_DIRECTION}", re.I)
# Number last, as many Europeans write an English address: "Baker Street 221B", "Main Road 12".
_ENGLISH_NUMBER_LAST = re.compile(
    r"(?<![\w-])(?:[A-Z][\w'’-]+\s+){1,3}(?:Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|Boulevard|Crescent|Drive)"
    r"\s+(?P<n>\d{1,4}[A-Za-z]?)(?![\w/-]|[.,]\d)"
)
_ONE_WORD_STREET = re.compile(r"(?<![\w.,/-])\d{1,5}\s+(?:[Bb]roadway|[A-Z][a-z]+(?:way|gate))\b")
_ONE_WORD_LOWER = re.compile(r"(?<![\w.,/-])\d{1,5}\s+[a-z]{3,}(?:way|gate)\b")
_PO_BOX = re.compile(
    r"\b(?:P\.?\s?O\.?\s?Box|Post\s+Office\s+Box|Postfach|Postbus|Apartado(?:\s+de\s+correos)?|Casilla|"
    r"Case\s+postale|Boîte\s+postale|Casella\s+postale)\s*(?:no\.?\s*|#\s*)?\d{1,6}\b",
    re.I,
)
_FRENCH = re.compile(
    r"(?<![\w.,/-])\d{1,4}(?:\s?(?:bis|ter|[A-Za-z])(?!\w))?,?\s+"
    r"(?P<type>(?i:rue|avenue|av\.|boulevard|bd|boul\.|place|chemin|allée|impasse|quai|cours|route|passage|"
    r"faubourg|sentier|ruelle|voie|cité|hameau|parvis|montée|traverse|chaussée|rond-point))\s+(?P<name>(?:(?i:de\s+la|des|du|de|la|le|les|saint|sainte)\s+|(?i:l|d)['’]\s*)*[^\W\d_][\w'’-]*)"
    r"(?:\s+(?:(?:de|du|des|la|le|l['’]|d['’])\s*)?[A-ZÀ-ÝŁŚŻŹĆŃ][\w'’-]*){0,3}"
)

# --- type first, number last: "Avenue Louise 2", "Calle de Alcalá 192", "ul. Długa 5" -------

_FIRST_TYPES = (
    r"rue|avenue|av\.|avenida|avda\.?|calle|c/|carrer|chaussée|chaussee|boulevard|bd|place|plaza|plaça|paseo|"
    r"passeig|via|viale|piazza|corso|largo|rua|travessa|ul\.|ulica|al\.|aleja|quai|chemin|route|allée|impasse|"
    r"rambla|ronda|steenweg|straße|strasse|laan|lei|dreef|praça|praca|alameda|estrada|beco|calçada|camino|"
    r"carretera|ctra\.|cuesta|glorieta|traves[ií]a|pasaje|callej[óo]n|urb\.|urbanizaci[óo]n|pza\.|piazzale|vicolo|"
    r"lungomare|lungotevere|lungarno|strada|contrada|borgo|salita|fondamenta|avinguda|passatge|os\.|osiedle|pl\.|"
    r"plac|bulevardi|esplanadi"
)
_ENGLISH_WORDS = words("via place route avenue boulevard corso largo cours rambla passage")  # need a real name after
_NUMBER = r"\d{1,4}[a-zA-Z]?(?:[-/](?:\d{1,4}[a-zA-Z]?|[A-Za-z]{1,3})(?!\w))*(?!\w)"
_TYPE_FIRST = re.compile(
    rf"(?<![\w.-])(?P<type>{_FIRST_TYPES})\s+(?P<name>(?:{_LETTER_WORD}\s+){{0,4}}{_LETTER_WORD}),?\s+"
    rf"(?:n[º°o.]\s*)?{_NUMBER}",
    re.I,
)
# Welsh and Irish types come first, after the number: "5 Heol y Deri", "12 Bóthar na Trá".
_CELTIC = re.compile(
    rf"(?<![\w.,/-]){_HOUSE},?\s+(?i:heol|ffordd|stryd|lôn|rhodfa|cilgant|bóthar|bothar|sráid|sraid|ascaill)\s+"
    r"(?:(?:y|yr|an|na|[A-ZÀ-Þ][\w'’-]*)\s+){0,2}[A-ZÀ-Þ][\w'’-]*"
)
_GRAN_VIA = re.compile(rf"(?<![\w.-])gran\s+v[ií]a\s+{_NUMBER}", re.I)

# --- compounds: "Hauptstraße 5", "Kerkstraat 12", "Limmatquai 109" ---------------------------

_COMPOUND_NUMBER = rf"\s+(?:\d{{1,4}}\s?[a-zA-Z](?!\w)|{_NUMBER})"
_COMPOUND_PLAIN = re.compile(
    r"(?<![\w.-])[^\W\d_][\w.-]{0,40}?(?:straße|strasse|str\.|allee|gasse|platz|straat|gracht|laan|plein|steeg|"
    rf"gatan|vägen|gade|vej|veien|gata|quai|kade|singel|dijk|steenweg){_COMPOUND_NUMBER}",
    re.I,
)
_COMPOUND_WORD = re.compile(
    r"(?<![\w-])(?:[A-ZÄÖÜÆØÅ][a-zäöüßæøå]{2,}(?:weg|ring|damm|ufer|steig|chaussee|markt|berg|hof|graben|wall|pad|"
    r"dreef|lei|baan|wal|haven|werf|veld|torv|torget|plads|plass|gränd|vei|veg|stieg|pfad|zeile|kai|kaai|plaats)"
    # Finnish and Norwegian endings that also end English words ("Colgate 2", "Bowtie 3"): a longer stem
    r"|[A-ZÄÖÜÆØÅ][a-zäöüßæøå]{4,}(?:katu|tie|kuja|polku|gate|gaten|väg|torg))"
    rf"{_COMPOUND_NUMBER}"
)
_COMPOUND_LOWER = re.compile(_COMPOUND_WORD.pattern, re.I)
_TWO_WORD = re.compile(
    r"(?<![\w-])(?:(?:[Aa]m|[Aa]n\s+der|[Aa]uf\s+der|[Ii]m)\s+|[A-ZÄÖÜ][\wäöüß.-]{1,40}\s+)"
    rf"(?:Straße|Strasse|Str\.|Weg|Platz|Allee|Gasse|Ring|Damm|Ufer|Markt|Berg|Hof|Tor){_COMPOUND_NUMBER}"
)
_TWO_WORD_LOWER = re.compile(_TWO_WORD.pattern, re.I)
_NORDIC_HUNGARIAN = re.compile(
    r"(?<![\w-])[A-ZÀ-ÞÆØÅŐŰ][\w'’.-]+\s+(?:gate|gata|gatan|vei|veien|vej|väg|vägen|plass|plads|torg|torv|allé|"
    rf"utca|út|útja|tér|körút|krt\.|u\.){_COMPOUND_NUMBER}"
)
# Capitalised words (and Dutch particles) before a compound: "Nieuwe Binnenweg", "Witte de With".
_NAME_BEFORE = re.compile(r"(?:[A-ZÄÖÜ][\w'’-]*\s+(?:(?:de|van|der|den|het)\s+)*){1,2}$")
_LOWER_NAME_BEFORE = re.compile(r"(?:(?P<w>[^\W\d_][\w'’-]*)\s+(?:(?:de|van|der|den|het)\s+)*){1,2}$", re.I)

# --- the flat, unit or floor around a street ---------------------------------------------------

_UNIT_WORDS = (
    r"flat|apt|appt|apartment|unit|suite|ste|room|floor|fl|level|lvl|block|blk|bldg|bât|bâtiment|shop|office|"
    r"penthouse"
)
# "Wohnung 5, ...", "piso 3, ...", "lgh 1102, ..."
_FOREIGN_UNITS = r"wohnung|whg|appartement|app|piso|apto|apartamento|interno|int|escalera|esc|etage|étage|lgh|leil"
_UNIT_BEFORE = re.compile(
    rf"(?<!\w)(?i:{_UNIT_WORDS}|{_FOREIGN_UNITS})\.?\s*(?:(?:no\.?\s*)?#?\s*\w{{1,5}}(?:/\w{{1,3}})?)?\s*[,–-]?\s*$"
    r"|(?<!\w)(?i:no\.|nr\.|n[º°]\.?|#)\s*$"
    r"|(?<!\w)(?i:(?:basement|ground|garden|top|upper|lower|first|second|third|\d{1,2}(?:st|nd|rd|th))"
    r"(?:\s+floor)?(?:\s+(?:flat|apartment|apt))?(?:\s+\w{1,4})?)\s*[,–-]?\s*$"
)
# A house's name before its street: "Rose Cottage, 3 Mill Lane"; alone: "Ivy House, Station Road".
HOUSE_NAME = (
    r"(?:[A-Z][\w'’-]+\s+){1,3}(?:Cottage|House|Farm|Farmhouse|Lodge|Barn|Villa|Manor|Hall|Bungalow|Grange|"
    r"Rectory|Vicarage|Mill|Cottages|Mansions|Court|Building|Buildings|Tower|Towers|Estate|Centre|Center|"
    r"Chambers|Forge|Works|Oast|Stables|Granary|Smithy|Chapel|Apartments|Residence|Residences|Heights|Wharf|Quay|"
    r"Croft|Lofts|Studios)"
)
_HOUSE_NAME_BEFORE = re.compile(
    rf"(?<![\w-]){HOUSE_NAME}\s*,?\s*$|(?<![\w-])The\s+[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?\s*,\s*$"  # "The Willows, "
)
_NAMED_HOUSE = re.compile(
    rf"(?<![\w-])(?:(?i:{_UNIT_WORDS})\.?\s*#?\s*\w{{1,5}}\s*,?\s+|\d{{1,4}}[A-Za-z]?\s+)?{HOUSE_NAME}\s*,\s*"
    rf"(?:[A-Z][\w'’-]+\s+){{1,3}}(?:{_PLAIN_TYPES.title()}|{_WORD_TYPES.title()})\b"
    rf"|(?<![\w-])(?i:{_UNIT_WORDS})\.?\s*#?\s*\d\w{{0,4}}\s*,?\s+{HOUSE_NAME}\b"
    # "The Willows, Mill Road": a house named "The ..." before a street
    rf"|(?<![\w-])The\s+[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?\s*,\s*(?:[A-Z][\w'’-]+\s+){{1,3}}"
    rf"(?:{_PLAIN_TYPES.title()}|{_WORD_TYPES.title()})\b"
)
UNIT_AFTER = re.compile(
    rf"(?:\s*,?\s*(?i:{_UNIT_WORDS}|bus|boîte|bte|m\.|lok\.|door|piso|puerta|esc\.?|top|tür|stiege|whg|wohnung|"
    r"int|interno|scala|etage|étage|app|appartement)\.?\s*#?\s*(?=\w{0,3}\d)\w{1,4}"
    r"(?!\w)|\s*,?\s*#\s*\d\w{0,4}(?!\w)|\s+[A-H]\s+\d{1,3}(?![\w-])|,?\s*\d{1,2}\.\s*(?:OG|EG|DG|UG|Stock|Etage)\b|\s+(?:hs|huis|bg|boven|bis|ter)(?!\w)|,?\s*\d{1,2}\s?[º°ª]\s?(?:[A-Za-z](?!\w))?"
    r"(?:\s*(?i:izq(?:da|uierda)?|dcha|der(?:echa)?|esq(?:uerdo)?|dto|dir(?:eito)?)(?:\.|(?!\w)))?|,\s*\d{1,2}-\d{1,2}(?![\w-])|[-/](?:\d{1,4}[a-zA-Z]?|[A-Z]{1,3}))"
)


def find_addresses(text: str) -> list[PiiSpan]:
    found: list[tuple[int, int, bool]] = []  # start, end, may take names before it
    for match in _ENGLISH.finditer(text):
        if _english_street(match, text):
            end = match.end()
            if more := _ANOTHER_TYPE.match(text, end):
                end = more.end()
            elif match.group("dot") and match.group("type").lower() not in _ABBREVIATIONS:
                end = match.start("dot")  # the sentence's full stop, not an abbreviation's
            found.append((match.start(), end, False))
    for pattern in (_TYPE_FIRST, _FRENCH):
        for match in pattern.finditer(text):
            if _named_street(match, _cued(text, match.start(), match.end())):
                end = match.end()
                if pattern is _FRENCH:  # "rue du faubourg saint-antoine": the name's lower-case words
                    end = _more_name_words(text, end)
                found.append((match.start(), end, False))
    for match in _ENGLISH_NUMBER_LAST.finditer(text):
        if not year(match.group("n")) and not _counted(text, match.end()):
            found.append((match.start(), match.end(), False))
    for pattern in (_ONE_WORD_STREET, _PO_BOX, _GRAN_VIA, _NAMED_HOUSE, _CELTIC):
        found.extend((m.start(), m.end(), False) for m in pattern.finditer(text))
    for pattern in (_COMPOUND_PLAIN, _COMPOUND_WORD, _TWO_WORD, _NORDIC_HUNGARIAN):
        found.extend((m.start(), m.end(), True) for m in pattern.finditer(text))
    for pattern in (_ONE_WORD_LOWER, _COMPOUND_LOWER, _TWO_WORD_LOWER):  # "spalenberg 44": only after a cue
        found.extend((m.start(), m.end(), True) for m in pattern.finditer(text) if _cued(text, m.start(), m.end()))
    return [PiiSpan(ADDRESS, *with_unit(text, start, end, named)) for start, end, named in found]


_COUNTED = re.compile(r"\s+(?P<w>[^\W\d_]+)")


def _counted(text: str, end: int) -> bool:
    """Whether the number before `end` counts something: "Oxford Street 2 days ago"."""
    word = _COUNTED.match(text, end)
    return word is not None and word.group("w").lower() in NOT_NAMES


_NEXT_WORD = re.compile(r"[ -](?P<w>[^\W\d_][\w'’]*)")


def _more_name_words(text: str, end: int, limit: int = 3) -> int:
    for _ in range(limit):
        word = _NEXT_WORD.match(text, end)
        if not word or word.group("w").lower() in NOT_NAMES | _CUE_WORDS:
            break
        end = word.end()
    return end


def _cued(text: str, start: int, end: int) -> bool:
    """Whether the words around a lower-case street say it is an address: "live at 12 oak
    drive", "collect from spalenberg 44", "82 meadow view - that's where I live"."""
    before = text[max(0, start - 40) : start]
    cue = _UNIT_BEFORE.search(before) or _ADDRESS_CUE.search(before) or _AT_OR_TO.search(before)
    if cue is not None or UNIT_AFTER.match(text, end):  # a flat after it: "217 elm grove, flat 7"
        return True
    end = units_end(text, end)
    if _CUE_AFTER.match(text, end) or POSTCODE_CUE.match(text, end):
        return True
    town = _TOWN_AFTER.match(text, end)  # "12 oak close, leeds"
    return town is not None and town.group("town").lower() in TOWNS


MAX_UNITS = 4  # parts after a street ("Stiege 2, Tür 14"): bounded, so "Flat 1, Flat 1, ..." stays linear


def units_end(text: str, end: int) -> int:
    """Where the flat, unit or floor parts after a street end."""
    for _ in range(MAX_UNITS):
        if not (more := UNIT_AFTER.match(text, end)):
            break
        end = more.end()
    return end


def with_unit(text: str, start: int, end: int, named: bool) -> tuple[int, int]:
    """The span grown over its flat or unit ("Flat 3, ", ", Apt 12B", " bus 4") and, for a
    compound, the capitalised words of its name before it."""
    if named and (name := _NAME_BEFORE.search(text, max(0, start - 60), start)):
        start = name.start()
    elif named and text[start].islower() and (name := _LOWER_NAME_BEFORE.search(text, max(0, start - 60), start)):
        words = name.group().split()
        while words and words[0].lower() in NOT_NAMES | _CUE_WORDS:
            words.pop(0)
        start -= len(" ".join(words)) + 1 if words else 0
    if unit := _UNIT_BEFORE.search(text, max(0, start - 30), start):
        start = unit.start()
    if house := _HOUSE_NAME_BEFORE.search(text, max(0, start - 60), start):
        start = house.start()
        if unit := _UNIT_BEFORE.search(text, max(0, start - 30), start):  # "Flat 4, Clarence Court, 12 High St"
            start = unit.start()
    end = units_end(text, end)
    return start, end


_NUMBER_NEXT = re.compile(r"\s*\d")


def _english_street(match: re.Match, text: str) -> bool:
    words = match.group("name").split()
    for index, word in enumerate(words):
        if word.lower().strip(".") in NOT_NAMES and not (index == 0 and word.lower() == "the"):
            return False
    street_type = match.group("type")
    if street_type.lower() in ("straße", "strasse") and _NUMBER_NEXT.match(text, match.end()):
        return False  # "... 1961 Mariahilfer Straße 31": the number after is the house's
    if street_type.lower() in _WORD_TYPES.split("|") and not street_type[0].isupper():
        capitalised = all(word[0].isupper() or word[0].isdigit() for word in words)
        return capitalised or _cued(text, match.start(), match.end())
    return True


# What comes before a lower-case "12 oak drive" that makes it a street.
_CUE_WORDS = words(
    "address addr live living lives deliver delivered delivery send sent ship shipped shipping post posted moved "
    "house home parcel courier driver left dropped drop collect collected pick return returned leave leaving "
    "recipient flat apartment street"
)
_ADDRESS_CUE = re.compile(
    r"\b(?:address|addr|live|living|lives|deliver\w*|sen[dt]|ship\w*|post(?:ed)?|moved|house|home|parcel|"
    r"courier|driver|left|leav\w*|recipient|flat|apartment|street|drop\w*|collect\w*|pick\s*up|return\w*\s+from)\b",
    re.I,
)
_TOWN_AFTER = re.compile(r"\s*,\s*(?P<town>[^\W\d_]+)\b")
_AT_OR_TO = re.compile(r"\b(?:at|to|from)\s+$", re.I)
_CUE_AFTER = re.compile(
    r"\s*[-–,]?\s*(?:(?:that'?s|this\s+is|it'?s)\s+(?:where|my|our|the\s+address)|is\s+(?:my|our|where|the|wrong|"
    r"not)\b|(?:is\s+)?on\s+the\s+label|as\s+(?:the|my|our)\s+(?:\w+\s+)?address)",
    re.I,
)


def _named_street(match: re.Match, cued: bool) -> bool:
    words = match.group("name").split()
    if any(word.lower() in NOT_NAMES for word in words):
        return False
    if match.group("type").lower() in _ENGLISH_WORDS:  # "via email 5 times", "3 place settings"
        first = words[0]
        return first[0].isupper() or first.lower() in _PARTICLES or cued
    return True
