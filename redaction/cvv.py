"""Card security codes (CVV, CVC, CID...): three or four digits, which count only in context.

After or before a word for the code in any of its spellings and languages ("cvv 552", "ccv:
552", "552 <- the cvc", "Prüfnummer 385", "cryptogramme 318"), after "code" or "sec" near a
card, after a card's expiry date, or straight after a Luhn-valid card number ("4111 ... / 845").
Generic words ("the 3 digits", "on the back") count unless they name something that is not a
card ("a 3 digit code on the box") and no card is in sight.
"""

import re

from redaction.checksums import luhn_valid
from redaction.rules import CVV, PiiSpan

# Words that name a card's code and nothing else.
_SPECIFIC = (
    r"cvv2?|cvc2?|cv2|ccv|cvd|csc|cvn2?|cav2|cid|"
    r"(?:sec(?:u\w*|\.)?|s[a-z]{0,3}ur[a-z]{0,5})\s+(?:code|no\.?|num\w*|digits?)|"
    r"card\s+verification(?:\s+\w+)?|verification\s+(?:code|value|no\.?|num\w*)|"
    r"(?:karten)?pr[üu]f(?:nummer|ziffer|zahl|code)|sicherheitscode|cryptogramme(?:\s+visuel)?|"
    r"code\s+(?:de\s+)?s[ée]curit[ée]|c[óo]digo\s+de\s+seguri?dad|c[óo]digo\s+de\s+seguran[çc]a|"
    r"codice\s+(?:di\s+)?sicurezza|beveiligingscode|controlecode|kontrollnummer|s[äa]kerhetskod|sikkerhedskode"
)
# Words that may name other codes too: "the 3 digits", "the numbers on the back".
_GENERIC = (
    r"(?:thre{1,2}|trhee|tree|four|fuor|3|4)[\s-]*(?:di\w*|dgi\w*|num\w*)(?:\s+(?:security\s+)?(?:code|number))?|"
    r"(?:(?:code|number|digits?|numbers|three|four|3|4|ones)\s+)?(?:on|at)\s+(?:the\s+)?(?:back|reverse|rear)"
    r"(?:\s+of\s+(?:the\s+|my\s+|ur\s+|your\s+)?card)?|back\s+of\s+(?:the\s+|my\s+)?card|"
    r"(?:signature\s+(?:strip|panel|box))"
)
_WORDS = rf"(?:(?P<specific>{_SPECIFIC})|{_GENERIC})"
_CODE = r"(?P<n>\d{3,4}|\d(?: \d){2,3})(?![\d/-]|[.,]\d)"
_AFTER = re.compile(rf"\b{_WORDS}(?!\w)[^\d\n]{{0,30}}?(?<!\d){_CODE}", re.I)
# "552 is the cvv", "219\n^ thats the cvc", "318 <- security code", "4821. that's the cvc"
_BEFORE = re.compile(
    r"(?<![\d.,/-])(?<!\d )(?<!\d  )(?P<n>\d{3,4})(?![\d/-]|[.,]\d)\s*[.,;:!)]?\s*(?:\^+|<-+|←|=+>?|-+>?|–|—)?\s*"
    r"(?:(?:that|this|it)(?:'s|’s|s|\s+is|\s+was)\s+)?(?:is|=|are|was)?\s*"
    rf"(?:\(\s*)?(?:the|my|its|as|ur|your)?\s*{_WORDS}(?!\w)",
    re.I,
)
_KEYWORD = re.compile(_WORDS, re.I)

# A card nearby: the word, a network, or a card-shaped number.
_CARD_CONTEXT = re.compile(
    r"\b(?:card|visa|master\s?card|mc|amex|maestro|debit|credit|discover|jcb|unionpay|diners)\b|"
    r"\d{4}[ -]?\d{4}[ -]?\d{4}[ -]?\d{1,7}|\d{4}[ -]?\d{6}[ -]?\d{5}",
    re.I,
)
_CODE_AFTER_CARD = re.compile(rf"\b(?:code|sec)\b\s*(?:is|was|=|:|-|#)?\s*{_CODE}", re.I)
_AFTER_EXPIRY = re.compile(
    r"(?<![\d/])(?:0?[1-9]|1[0-2])\s*/\s*(?:\d{2}|20\d{2})\s*[,;/|-]?\s*(?P<n>\d{3,4})(?![\d/-]|[.,]\d)"
)
# Straight after a card number, perhaps past its expiry: "4111 1111 1111 1111 / 845 / 03/30".
_AFTER_CARD_NUMBER = re.compile(
    r"(?<![\d.,])(?P<card>\d{4}[ -]?\d{4}[ -]?\d{4}[ -]?\d{1,7}|\d{4}[ -]?\d{6}[ -]?\d{5})"
    r"(?:\s*[/|,;:–—-]\s*|\s+)(?:(?:(?:exp\w*|valid\s+(?:thru|through|until)|ablauf\w*)\.?\s*:?\s*)?"
    r"(?:0?[1-9]|1[0-2])\s*[/-]\s*(?:20)?\d{2}(?:\s*[/|,;:–—-]\s*|\s+))?"
    r"(?P<n>\d{3,4})(?![\d/-]|[.,]\d|\s*(?:%|€|£|\$|x\b|eur|euros?|gbp|usd|dollars?|pounds?|quid|items?|pcs|units?))",
    re.I,
)
# Codes that are not a card's: "gift card code 5555", "the promo code 1234".
_OTHER_CODE = re.compile(
    r"\b(?:promo|promotional|discount|voucher|coupon|gift|post|zip|area|sort|pin|access|door|referral|tracking|"
    r"order|error|status|country|dialling|dialing|reward|loyalty|colou?r|product|item|batch|lot)\s+(?:card\s+)?$",
    re.I,
)
# Things other than a card that carry codes: "a 3 digit code on the box".
_OTHER_OBJECT = re.compile(
    r"\b(?:box|label|tag|sticker|receipt|parcel|package|packet|bottle|jar|tin|lid|bag|item|product|device|"
    r"router|remote|tv|machine|door|lock|voucher|coupon|invoice|sms|text|app|screen|base|bottom|colou?r|batch|"
    r"lot|size|order|tracking|locker|phone|email)\b",
    re.I,
)
CARD_WINDOW = 80  # characters around a code in which a card must be named


def find_cvvs(text: str) -> list[PiiSpan]:
    spans: list[PiiSpan] = []
    if _KEYWORD.search(text):
        for pattern in (_AFTER, _BEFORE):
            spans.extend(PiiSpan(CVV, *m.span("n")) for m in pattern.finditer(text) if _card_code(text, m))
    for pattern in (_CODE_AFTER_CARD, _AFTER_EXPIRY):
        for match in pattern.finditer(text):
            if _OTHER_CODE.search(text, max(0, match.start() - 30), match.start()):
                continue
            if _CARD_CONTEXT.search(text, max(0, match.start() - CARD_WINDOW), match.start()):
                spans.append(PiiSpan(CVV, *match.span("n")))
    for match in _AFTER_CARD_NUMBER.finditer(text):
        if luhn_valid(re.sub(r"\D", "", match.group("card"))):
            spans.append(PiiSpan(CVV, *match.span("n")))
    return spans


def _card_code(text: str, match: re.Match) -> bool:
    """A specific word always names a card's code; a generic one unless it names another thing
    and no card is in sight."""
    if match.group("specific"):
        return True
    start, end = max(0, match.start() - CARD_WINDOW), match.end() + CARD_WINDOW
    if _CARD_CONTEXT.search(text, start, end):
        return True
    return not _OTHER_OBJECT.search(text, max(0, match.start() - 40), match.end() + 40)
