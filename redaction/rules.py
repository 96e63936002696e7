"""The rules: one finder per kind of personal data, each `text -> list[PiiSpan]`.

Plain regular expressions (stdlib `re`), so the same text gives the same spans in Rasa's
Python 3.10 and the CRM's Python 3.11. Numbers that could be anything (five digits, three
digits, a date) count only in context: a postcode after "zip" or before a town, a CVV after
"cvv", a date after "born". Checksums (Luhn, IBAN mod 97) tell real numbers from others.
"""

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

# "ed @ example.org": a space either side of the "@" is still an address; so is "ed@gmail".
_PROVIDERS = r"(?:gmail|googlemail|yahoo|hotmail|outlook|icloud|msn|aol|gmx|proton|protonmail|ymail)"
_EMAIL = re.compile(
    r"(?<![\w.+'-])[\w.+'-]*\w ?[@＠] ?(?:[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}|" + _PROVIDERS + r"\b)", re.I
)
# Spelled out: "ada(at)example.org", "lee {at} proton {dot} me", "john dot smith at gmail dot com",
# "jane.doe at example.com" (a bare "look at amazon dot com" or "19.99 at amazon.com" has no
# dotted name before "at", and stays).
_TLD = r"(?:com|net|org|edu|gov|io|co|uk|de|fr|nl|it|es|pl|ie|be|ch|at|eu|info|me|us|ca|au|se|dk|fi|no|pt|ru|biz)\b"
_AT = r"\s*[(\[{<]\s*at\s*[)\]}>]\s*"
_DOT = r"(?:\s*[(\[{<]\s*dot\s*[)\]}>]\s*|\.)"
_SPELLED_EMAIL = re.compile(
    rf"\b[\w.+-]+{_AT}[\w-]+(?:{_DOT}[\w-]+)*{_DOT}{_TLD}"
    rf"|\b\w+(?:\s+dot\s+\w+)+\s+at\s+[\w-]+(?:\s+dot\s+[\w-]+)*\s+dot\s+{_TLD}"
    rf"|\b[\w.+-]+\s+at\s+{_PROVIDERS}(?:\s+dot\s+[\w-]+)*\s+dot\s+{_TLD}"
    rf"|\b[^\W\d_][\w+-]*[._][\w.+-]*\w\s+at\s+[\w-]+(?:\.[\w-]+)*\.{_TLD}"
    rf"|\b[\w.+-]+\s+at\s+{_PROVIDERS}(?:\.[\w-]+)+",
    re.I,
)
SPELLED_HINT = re.compile(r"[(\[{<]\s*at\s*[)\]}>]|\bdot\b|\sat\s+[\w-]+\.", re.I)


def find_emails(text: str) -> list[PiiSpan]:
    spans = _spans(EMAIL, _EMAIL, text) if "@" in text or "＠" in text else []
    return spans + _spans(EMAIL, _SPELLED_EMAIL, text) if SPELLED_HINT.search(text) else spans


# --- runs of digits: cards and phone numbers -------------------------------------------------

_SEP = r"(?:[ \u00a0]{0,2}[.\-/][ \u00a0]{0,2}|[ \u00a0]{1,2})"
_GROUP = r"(?:\(\+?\d{1,5}\)|\d+)"
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
# A card's expiry first: "04/28 2291" is an expiry and a code, not a phone number.
_EXPIRY_FIRST = re.compile(r"(?:0?[1-9]|1[0-2]) ?/ ?(?:20)?\d{2}\D")
# The last keyword before a number says what it is: "the barcode on the box is 5012345678900"
# is a reference, "wrong phone number on the order, it is 07700 900123" a phone number.
_KEYWORDS = re.compile(
    r"\b(?:(?P<card>card|visa|master ?card|amex|american express|maestro|debit|credit card)|"
    r"(?P<phone>phone|call|ring|tel|telephone|mobile|mob|cell|whatsapp|text|sms|reach|landline|fax|contact|"
    r"(?:my|our|your|his|her)\s+(?:new\s+)?(?:number|no\.?|nr\.?))|"
    r"(?P<ref>tracking|track|invoice|ref|reference|parcel|shipment|consignment|serial|sku|barcode|ean|upc|gtin|"
    r"isbn|credit note|box|return|rma|batch|lot|imei|awb|waybill|voucher|coupon|gift ?card|promo|receipt|"
    r"transaction|(?:item|article|product|part|model|style|catalog(?:ue)?|stock)\s+(?:no\.?|nr\.?|number|num|code|id)|"
    r"tag|sticker))s?\b",
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
    if _DATE_SHAPE.fullmatch(run) or _DECIMAL.fullmatch(run) or _EXPIRY_FIRST.match(run):
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
    if keyword == "card" and not luhn_valid(digits) and _valid_card_before_last_group(groups):
        return None  # "card 5384-8372-6167-5136 - 771": the number, then its code
    if card_length and (keyword == "card" or card_shaped or (luhn_valid(digits) and keyword != "ref")):
        return CARD
    if keyword == "ref":
        return None
    if MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS:
        return PHONE
    if len(digits) == 7 and (international or keyword == "phone"):
        return PHONE
    return None


def _valid_card_before_last_group(groups: list[str]) -> bool:
    digits = "".join(groups[:-1])
    return len(groups) > 2 and MIN_CARD_DIGITS <= len(digits) <= MAX_CARD_DIGITS and luhn_valid(digits)


def find_numbers(text: str) -> list[PiiSpan]:
    """Card and phone numbers among the runs of digits. A run that is neither as a whole
    (a card number followed by its expiry date) is tried again group by group."""
    spans: list[PiiSpan] = []
    for match in _DIGIT_RUN.finditer(text):
        spans.extend(_classify_groups(text, match.start(), match.group()))
    return [_with_extension(text, span) if span.label == PHONE else span for span in spans]


# "020 7946 0958 ext. 214", "+1 415 555 0132 x204": the extension is part of the number.
_EXTENSION = re.compile(r"\s*,?\s*(?:ext|extn|extension|x|poste|durchwahl|dw)\.?\s*:?\s*#?\s*\d{1,5}(?!\w)", re.I)


def _with_extension(text: str, span: PiiSpan) -> PiiSpan:
    extension = _EXTENSION.match(text, span.end)
    return PiiSpan(PHONE, span.start, extension.end()) if extension else span


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

_IBAN_START = re.compile(r"(?<![\w])[A-Za-z]{2} ?\d{2}(?=(?:[ \-]|  )?[A-Za-z0-9])")  # "DE89", "DE 89"
_IBAN_CHAR = re.compile(r"(?:[ \-]|  )?([A-Za-z0-9])")
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
