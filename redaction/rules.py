"""The rules: one finder per kind of personal data, each `text -> list[PiiSpan]`.

Plain regular expressions (stdlib `re`), so the same text gives the same spans in Rasa's
Python 3.10 and the CRM's Python 3.11. Numbers that could be anything (five digits, three
digits, a date) count only in context: a postcode after "zip" or before a town, a CVV after
"cvv", a date after "born". Checksums (Luhn, IBAN mod 97) tell real numbers from others.
"""

import datetime
import re
from dataclasses import dataclass

from redaction.checksums import iban_valid, luhn_valid

EMAIL, PHONE, CARD, IBAN, CVV = "EMAIL", "PHONE", "CARD", "IBAN", "CVV"
POSTCODE, DATE_OF_BIRTH, ADDRESS = "POSTCODE", "DATE_OF_BIRTH", "ADDRESS"
LABELS = (EMAIL, PHONE, CARD, IBAN, CVV, POSTCODE, DATE_OF_BIRTH, ADDRESS)

MIN_PHONE_DIGITS, MAX_PHONE_DIGITS = 8, 15
MIN_CARD_DIGITS, MAX_CARD_DIGITS = 13, 19


@dataclass(frozen=True)
class PiiSpan:
    label: str
    start: int  # character offsets into the text
    end: int


def _spans(label: str, pattern: re.Pattern, text: str, group: int | str = 0) -> list[PiiSpan]:
    return [PiiSpan(label, m.start(group), m.end(group)) for m in pattern.finditer(text) if m.group(group)]


# --- e-mail --------------------------------------------------------------------------------

# "ed @ example.org": a space either side of the "@" is still an address.
_EMAIL = re.compile(r"(?<![\w.+'-])[\w.+'-]*\w ?@ ?[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}")
# Spelled out: "ada(at)example.org", "john dot smith at gmail dot com" (a bare "look at amazon
# dot com" has no dotted name before "at", and stays).
_TLD = r"(?:com|net|org|edu|gov|io|co|uk|de|fr|nl|it|es|pl|ie|be|ch|at|eu|info|me|us|ca|au|se|dk|fi|no|pt|ru|biz)\b"
# "ana at gmail dot com": with no dotted name before "at", only a mail provider makes it an address.
_PROVIDERS = r"(?:gmail|googlemail|yahoo|hotmail|outlook|icloud|msn|aol|gmx|proton|protonmail|ymail)"
_SPELLED_EMAIL = re.compile(
    r"\b[\w.+-]+\s*[(\[]at[)\]]\s*[\w-]+(?:(?:\s*[(\[]dot[)\]]\s*|\.)[\w-]+)*(?:\s*[(\[]dot[)\]]\s*|\.)"
    + _TLD
    + r"|\b\w+(?:\s+dot\s+\w+)+\s+at\s+[\w-]+(?:\s+dot\s+[\w-]+)*\s+dot\s+"
    + _TLD
    + rf"|\b[\w.+-]+\s+at\s+{_PROVIDERS}(?:\s+dot\s+[\w-]+)*\s+dot\s+"
    + _TLD,
    re.I,
)
_SPELLED_HINT = re.compile(r"[(\[]at[)\]]|\bdot\b", re.I)


def find_emails(text: str) -> list[PiiSpan]:
    spans = _spans(EMAIL, _EMAIL, text) if "@" in text else []
    return spans + _spans(EMAIL, _SPELLED_EMAIL, text) if _SPELLED_HINT.search(text) else spans


# --- runs of digits: cards and phone numbers -------------------------------------------------

_SEP = r"(?:[ \u00a0]{0,2}[.\-/][ \u00a0]{0,2}|[ \u00a0]{1,2})"
_GROUP = r"(?:\(\d{1,5}\)|\d+)"
# Groups meet at a separator or a bracket ("+44 (0)20"), never directly: two runs of digits side
# by side could split "1111..." in exponentially many ways when the match fails at its end.
_DIGIT_RUN = re.compile(
    rf"(?<![\w+.,/-])(?:\+|\+ )?{_GROUP}(?:{_SEP}{_GROUP}|(?<=\))\d+|\(\d{{1,5}}\))*(?![\w/-]|[.,]\d)"
)
# A PII number spans at most this many groups ("2-2-2-2-2" French, "1 800 555 0199" with a
# prefix...): longer runs ("1 1 1 1 ...") are searched in windows, not in every sub-run.
MAX_GROUPS = 8
_DATE_SHAPE = re.compile(r"\d{1,4}([-/.])\d{1,2}\1\d{1,4}")
_DECIMAL = re.compile(r"\d+\.\d{2}")  # a price
# The last keyword before a number says what it is: "the barcode on the box is 5012345678900"
# is a reference, "wrong phone number on the order, it is 07700 900123" a phone number.
_KEYWORDS = re.compile(
    r"\b(?:(?P<card>card|visa|master ?card|amex|american express|maestro|debit|credit card)|"
    r"(?P<phone>phone|call|ring|tel|telephone|mobile|mob|cell|whatsapp|text|sms|reach|landline|fax|contact|"
    r"(?:my|our|your|his|her)\s+(?:new\s+)?(?:number|no\.?|nr\.?))|"
    r"(?P<ref>tracking|track|invoice|ref|reference|parcel|shipment|consignment|serial|sku|barcode|ean|upc|gtin|"
    r"isbn|credit note|box|return|rma|batch|lot|imei|awb|waybill|voucher|coupon|gift ?card|promo|receipt|"
    r"transaction))s?\b",
    re.I,
)
_PHONE_AFTER = re.compile(
    r"\W{0,3}(?:\(?\s*(?:is|=)\s+(?:my|the|our|his|her)\s+(?:new\s+)?(?:mobile|phone|cell|number|landline|tel)|"
    r"\(\s*(?:mobile|mob|cell|tel|phone|landline|home|work|office)\b)",
    re.I,
)
# Words that make a number a reference only right before it: "order 70273311", "account no. 12345678".
_REFERENCE_JUST_BEFORE = re.compile(
    r"\b(?:order|item|article|product|account|customer|loyalty|ticket|(?<!in )case|booking|confirmation|model|"
    r"membership|member|package|delivery|note|(?<!country )(?<!area )(?<!dialling )(?<!dialing )(?<!dial )code|"
    r"pin)s?\s*(?:no\.?|nr\.?|number|num|id|code|#)?\s*"
    r"(?:is|was|=)?\s*[:#]?\s*$",
    re.I,
)
_ORDER_NUMBER = re.compile(r"\d{6}")
# "contact number for delivery: ..." names what the phone number is for, not the number itself.
_FOR_PURPOSE = re.compile(r"\bfor\s+(?:the\s+|my\s+|your\s+|this\s+)?$", re.I)
_PURPOSE_END = re.compile(r"(?:\s*:|\s+is)\s*$", re.I)


def _reference_just_before(before: str) -> bool:
    just = _REFERENCE_JUST_BEFORE.search(before)
    if not just:
        return False
    head = before[: just.start()]
    named = _PURPOSE_END.search(before) or just.group().lower().startswith("deliver")
    purpose = _FOR_PURPOSE.search(head) and named and _last_keyword(head) == "phone"
    return not purpose


def _last_keyword(before: str) -> str | None:
    last = None
    for last in _KEYWORDS.finditer(before[-50:]):  # noqa: B007 - the last one counts
        pass
    return last.lastgroup if last else None


def _classify_run(run: str, before: str, after: str = "") -> str | None:
    digits = re.sub(r"\D", "", run)
    groups = re.findall(r"\d+", run)
    if _DATE_SHAPE.fullmatch(run) or _DECIMAL.fullmatch(run):
        return None
    if len(groups) > 1 and all(_ORDER_NUMBER.fullmatch(group) for group in groups):
        return None  # "702733 702744": several order numbers
    keyword = "ref" if _reference_just_before(before[-40:]) else _last_keyword(before)
    if _PHONE_AFTER.match(after):  # "07700 900123 is my mobile", "0161 496 0000 (home)"
        keyword = "phone"
    international = run.startswith(("+", "00"))
    card_length = MIN_CARD_DIGITS <= len(digits) <= MAX_CARD_DIGITS and not international and digits[0] != "0"
    # A card's own shape (Luhn, 15 or 16 digits, a card network's first digit) needs no context.
    card_shaped = len(digits) in (15, 16) and digits[0] in "3456" and luhn_valid(digits)
    if card_length and (keyword == "card" or card_shaped or (luhn_valid(digits) and keyword != "ref")):
        return CARD
    if keyword == "ref":
        return None
    if MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS:
        return PHONE
    if len(digits) == 7 and (international or keyword == "phone"):
        return PHONE
    return None


def find_numbers(text: str) -> list[PiiSpan]:
    """Card and phone numbers among the runs of digits. A run that is neither as a whole
    (a card number followed by its expiry date) is tried again group by group."""
    spans: list[PiiSpan] = []
    for match in _DIGIT_RUN.finditer(text):
        spans.extend(_classify_groups(text, match.start(), match.group()))
    return spans


def _classify_groups(text: str, offset: int, run: str) -> list[PiiSpan]:
    label = _classify_run(run, text[:offset], text[offset + len(run) : offset + len(run) + 30])
    if label:
        return [PiiSpan(label, offset, offset + len(run))]
    pieces = list(re.finditer(rf"(?:\+ ?)?{_GROUP}", run))
    found: list[PiiSpan] = []
    start = 0
    while start < len(pieces):
        for end in range(min(len(pieces), start + MAX_GROUPS), start, -1):
            if start == 0 and end == len(pieces):
                continue
            sub = run[pieces[start].start() : pieces[end - 1].end()]
            sub_offset = offset + pieces[start].start()
            label = _classify_run(sub, text[:sub_offset], text[sub_offset + len(sub) : sub_offset + len(sub) + 30])
            if label:
                found.append(PiiSpan(label, sub_offset, sub_offset + len(sub)))
                start = end
                break
        else:
            start += 1
    return found


# --- IBAN --------------------------------------------------------------------------------------

_IBAN_START = re.compile(r"(?<![\w])[A-Za-z]{2}\d{2}(?=[ \-]?[A-Za-z0-9])")
_IBAN_CHAR = re.compile(r"[ \-]?([A-Za-z0-9])")
_IBAN_WORD = re.compile(r"\b(?:iban|bank account|account number)\b", re.I)


def find_ibans(text: str) -> list[PiiSpan]:
    """IBANs grouped or contiguous, any case: the longest prefix that passes mod 97 and ends
    a word. A well-formed one after the word "IBAN" counts even with a typo in it."""
    spans: list[PiiSpan] = []
    for match in _IBAN_START.finditer(text):
        ends, position = [], match.end()
        while len(ends) < 30:
            char = _IBAN_CHAR.match(text, position)
            if not char:
                break
            position = char.end()
            ends.append(position)
        candidates = [end for end in ends if end >= match.start() + 15 and not _word_char_at(text, end)]
        valid = [end for end in candidates if iban_valid(text[match.start() : end])]
        if not valid and candidates and _IBAN_WORD.search(text[max(0, match.start() - 30) : match.start()]):
            valid = candidates
        if valid:
            spans.append(PiiSpan(IBAN, match.start(), max(valid)))
    return spans


def _word_char_at(text: str, index: int) -> bool:
    return index < len(text) and (text[index].isalnum() or text[index] == "_")


# --- CVV -----------------------------------------------------------------------------------

_CVV_WORDS = (
    r"(?:cvv2?|cvc2?|cv2|csc|cvn|cid|(?:sec(?:u\w*|\.)?|s[a-z]{0,3}ur[a-z]{0,5})\s+(?:code|no\.?|num\w*|digits?)|"
    r"card\s+verification(?:\s+\w+)?|verification\s+(?:code|value|no\.?|num\w*)|"
    r"(?:thre{1,2}|trhee|tree|four|fuor|3|4)[\s-]*(?:di\w*|dgi\w*|num\w*)(?:\s+(?:security\s+)?(?:code|number))?|"
    r"(?:code|number|digits?|numbers|three|four|3|4|ones)\s+(?:on|at)\s+(?:the\s+)?(?:back|reverse)"
    r"(?:\s+of\s+(?:the\s+|my\s+)?card)?|back\s+of\s+(?:the\s+|my\s+)?card)"
)
_CVV_AFTER = re.compile(
    rf"\b{_CVV_WORDS}(?!\w)[^\d\n]{{0,30}}?(?<!\d)(?P<n>\d{{3,4}}|\d(?: \d){{2,3}})(?![\d/-]|[.,]\d)", re.I
)
_CVV_BEFORE = re.compile(
    rf"(?<![\d.,/-])(?<!\d )(?<!\d  )(?P<n>\d{{3,4}})(?![\d/-]|[.,]\d)\s*[.,;:!)]?\s*"
    r"(?:(?:that|this|it)(?:'s|\s+is|\s+was)\s+)?(?:is|=|are|was)?\s*"
    rf"(?:\(\s*)?(?:the|my|its|as)?\s*{_CVV_WORDS}(?!\w)",
    re.I,
)


_CVV_KEYWORD = re.compile(_CVV_WORDS, re.I)


# Right after a card (its number or the word): "his card 4111 ..., code 492", "visa ... 09/28 321".
_CARD_CONTEXT = re.compile(
    r"\b(?:card|visa|master\s?card|amex|maestro|debit|credit)\b|\d{4}[ -]?\d{4}[ -]?\d{4}[ -]?\d{1,7}", re.I
)
_CODE_AFTER_CARD = re.compile(
    r"\bcode\b\s*(?:is|was|=|:|-)?\s*(?P<n>\d{3,4})(?![\d/-]|[.,]\d)",
    re.I,
)
_AFTER_EXPIRY = re.compile(
    r"(?<![\d/])(?:0?[1-9]|1[0-2])\s*/\s*(?:\d{2}|20\d{2})\s*[,;/|-]?\s*(?P<n>\d{3,4})(?![\d/-]|[.,]\d)"
)
# Codes that are not a card's: "gift card code 5555", "the promo code 1234".
_OTHER_CODE = re.compile(
    r"\b(?:promo|promotional|discount|voucher|coupon|gift|post|zip|area|sort|pin|access|door|referral|tracking|"
    r"order|error|status|country|dialling|dialing|reward|loyalty)\s+(?:card\s+)?$",
    re.I,
)
CARD_WINDOW = 80  # characters before "code" or an expiry date in which a card must be named


def find_cvvs(text: str) -> list[PiiSpan]:
    spans: list[PiiSpan] = []
    if _CVV_KEYWORD.search(text):
        spans = _spans(CVV, _CVV_AFTER, text, "n") + _spans(CVV, _CVV_BEFORE, text, "n")
    for pattern in (_CODE_AFTER_CARD, _AFTER_EXPIRY):
        for match in pattern.finditer(text):
            if _OTHER_CODE.search(text, max(0, match.start() - 30), match.start()):
                continue
            if _CARD_CONTEXT.search(text, max(0, match.start() - CARD_WINDOW), match.start()):
                spans.append(PiiSpan(CVV, match.start("n"), match.end("n")))
    return spans


# --- dates of birth ------------------------------------------------------------------------------

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|januar|februar|märz|mai|juni|juli|oktober|dezember|"
    r"janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre|"
    r"enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre|"
    r"gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|"
    r"januari|februari|maart|mei|augustus|oktober)\.?"
)
_SPELLED_DAY = (
    r"(?:(?:twenty|thirty)[\s-]?)?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|tenth|eleventh|"
    r"twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth"
)
_DAY = rf"(?:(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th|\.)?|{_SPELLED_DAY})"
_YEAR = r"(?:19|20)\d{2}"
_DATE = (
    rf"(?:\d{{1,2}}[./-]\d{{1,2}}[./-](?:\d{{4}}|\d{{2}})|\d{{4}}[./-]\d{{1,2}}[./-]\d{{1,2}}|"
    rf"\d{{1,2}} ?(?P<sep>[./-]) ?\d{{1,2}} ?(?P=sep) ?(?:{_YEAR}|\d{{2}})|{_YEAR} \d{{2}} \d{{2}}|"
    rf"(?:the\s+)?{_DAY}\s*(?:of\s+|de\s+|[-/ ]\s*)?{_MONTHS}\s*,?[-/ ]?\s*(?:de\s+|del\s+)?(?:{_YEAR}|'?\d{{2}})|"
    rf"{_MONTHS}(?:\s+|-)(?:the\s+)?{_DAY}\s*[,-]?\s*(?:{_YEAR}|'\d{{2}})|{_MONTHS}\s*,?\s+{_YEAR}|"
    rf"\d{{1,2}}\s+\d{{1,2}}\s+{_YEAR}|\d{{8}})"
)
_DOB_WORDS = (
    r"(?:b[oi]rn|birth\w*|brith\w*|bith\w*|bday|b-day|dob|d\.o\.b\.?|date\s+of\s+b\w+|geboren|geb\.|geburtsdatum|né|née|"
    r"date\s+de\s+naissance|fecha\s+de\s+nacimiento|data\s+di\s+nascita|geboortedatum|nacid[oa]|nat[oa]\s+(?:il|el|a|nel)|"
    r"nascita|naissance|geburtstag|verjaardag|cumpleaños|compleanno|anniversaire)"
)
_DOB_KEYWORD = re.compile(rf"\b{_DOB_WORDS}(?!\w)", re.I)
_A_DATE = re.compile(rf"(?<![\w/.-]){_DATE}(?![\w/-])", re.I)
# A day and month with no year, close after the keyword: "my birthday is 4 March", "dob: march 4th".
_DAY_MONTH = re.compile(
    rf"\W{{0,3}}(?:(?:is|was|on|=)\s+)?(?:the\s+)?(?<![\w/.-])(?P<d>{_DAY}\s*(?:of\s+|de\s+)?{_MONTHS}|{_MONTHS}\s+{_DAY})"
    r"(?![\w/-])",
    re.I,
)
_DOB_BEFORE = re.compile(
    rf"(?<![\w/.-])(?P<d>{_DATE})(?![\w/-])\s*(?:\)|,|-)?\s*(?:is|as)?\s*\(?\s*(?:my|the|his|her|their)?\s*"
    r"(?:date\s+of\s+birth|birth\s*date|birthday|dob|d\.o\.b)\b",
    re.I,
)
DOB_WINDOW = 90  # characters after "born", "DOB"...: "my DOB is 1/2/1980 and my wife's is 3/4/1982"


def find_dates_of_birth(text: str) -> list[PiiSpan]:
    """Dates after a birth keyword (on the same line, within `DOB_WINDOW` characters) or just
    before one; a date in this year or later is an appointment, not a birth."""
    if not _DOB_KEYWORD.search(text):
        return []
    spans = [PiiSpan(DATE_OF_BIRTH, *m.span("d")) for m in _DOB_BEFORE.finditer(text) if _past(m["d"])]
    for keyword in _DOB_KEYWORD.finditer(text):
        line_end = text.find("\n", keyword.end())
        end = min(keyword.end() + DOB_WINDOW, len(text) if line_end < 0 else line_end)
        for date in _A_DATE.finditer(text, keyword.end(), end):
            if _past(date.group()):
                spans.append(PiiSpan(DATE_OF_BIRTH, date.start(), date.end()))
        if day_month := _DAY_MONTH.match(text, keyword.end()):
            spans.append(PiiSpan(DATE_OF_BIRTH, *day_month.span("d")))
    return spans


def _past(date: str) -> bool:
    years = re.findall(r"(?<!\d)(?:19|20)\d{2}(?!\d)", date)
    return not years or int(years[-1]) < datetime.date.today().year
