"""How sure we must be before changing a customer's data, and what a message is really asking.

Plain functions over the latest message (text, intent, confidence, entities): whether it is an
explicit yes, a no, or anything else; whether it asks a question, stops, corrects an order
number, or is about somebody else. The forms of actions/safe_forms.py decide with them.
"""

import re
from typing import Any

# The confidence a typed "yes" needs before anything changes: one place, one value per form,
# well above the NLU's fallback threshold (config.yml, 0.3). A button's payload is certain.
DEFAULT_CONFIRMATION_THRESHOLD = 0.90
CONFIRMATION_THRESHOLDS: dict[str, float] = {
    "cancel_order_form": 0.92,  # cannot be undone
    "change_address_form": 0.90,
    "return_form": 0.90,
    "newsletter_form": 0.90,
}
YES_PAYLOAD, NO_PAYLOAD = "/affirm", "/deny"

# Words that turn a yes into a guess.
_HEDGES = re.compile(
    r"\b(?:maybe|perhaps|possibly|probably|hmm+|h+m+|erm*|uh+m*|um+|i\s+guess|i\s+think|i\s+suppose|"
    r"not\s+sure|unsure|don'?t\s+know|dunno|idk|wait|but|actually|kinda|kind\s+of|sort\s+of|"
    r"if\s+you\s+(?:say|think|want)|whatever|let\s+me\s+think|hold\s+on|or\s+not|no\s+idea)\b",
    re.IGNORECASE,
)
_LETTER_OR_DIGIT = re.compile(r"[^\W_]", re.UNICODE)

_QUESTION_START = re.compile(
    r"^\s*(?:(?:and|so|wait|but|hmm+|ok(?:ay)?|oh)[,\s]+)*"
    r"(?:what|what's|whats|when|where|which|who|whose|why|how|is|are|am|do|does|did|can|could|will|would|"
    r"should|shall|have|has|any)\b",
    re.IGNORECASE,
)

_STOP = re.compile(
    r"^\s*(?:(?:oh|ok(?:ay)?|no|sorry|actually|hmm+)[,\s]+)*"
    r"(?:stop|never\s*mind|nevermind|forget\s+(?:it|about\s+it|that)|cancel\s+(?:that|this|it)|"
    r"leave\s+it|don'?t\s+bother|abort|quit|scratch\s+that)\b",
    re.IGNORECASE,
)

# Someone other than the signed-in customer: a relative, a friend, "her order", all customers.
_OTHER_PERSON = re.compile(
    r"\b(?:my|our)\s+(?:friend|husband|wife|partner|boyfriend|girlfriend|mum|mom|mother|dad|father|"
    r"son|daughter|brother|sister|colleague|boss|neighbou?r|flatmate|roommate|grandma|grandpa|aunt|uncle|"
    r"cousin|kid|child|children|parents?)(?:'s)?\b|"
    r"\b(?:her|his|their)\s+(?:account|order|orders|e-?mail|address|newsletter|subscription|parcel|return)\b|"
    r"\b(?:someone|somebody)\s+else\b|\b(?:another|other|all|every)\s+(?:customers?|users?|people|accounts?)\b|"
    r"\beveryone\b|\bfor\s+(?:her|him|them)\b",
    re.IGNORECASE,
)
_STATE_QUESTION = re.compile(
    r"^\s*(?:(?:and|so|hmm+|ok(?:ay)?|oh|hi|hey)[,\s]+)*(?:am\s+i|are\s+we|is\s+(?:the|your|it|my|there)|"
    r"do\s+(?:i|you|we)\s+(?:get|have|receive)|does|have\s+i|what(?:'s|\s+is|s)?\s+(?:in|on|the)|"
    r"how\s+(?:often|many)|any\b|anything\b|why\s+(?:am|do)\s+i)|"
    r"\b(?:am|are)\s+i\s+(?:still\s+)?(?:subscribed|signed\s+up|on\s+(?:the|your)\s+(?:list|newsletter))|"
    r"\b(?:any|what)\s+(?:discount|deal|offer|voucher|perk)s?\b",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

# "702743 not 702733", "not 702733 but 702743", "702733 sorry I mean 702743", "instead of ...".
_NUMBER = r"#?\s*(\d{3})[\s-]?(\d{3})"
_CORRECTIONS = (
    (re.compile(_NUMBER + r"\s*,?\s*(?:and\s+)?not\s+(?:order\s+)?" + _NUMBER, re.IGNORECASE), 0),
    (re.compile(r"not\s+(?:order\s+)?" + _NUMBER + r"\s*,?\s*(?:but\s+)?(?:order\s+)?" + _NUMBER, re.IGNORECASE), 1),
    (re.compile(_NUMBER + r".{0,20}?\b(?:i\s+mean[t]?|sorry|rather|make\s+(?:it|that))\b\D{0,15}" + _NUMBER, re.I), 1),
    (re.compile(_NUMBER + r"\s*instead\s+of\s+(?:order\s+)?" + _NUMBER, re.IGNORECASE), 0),
)


def text_of(message: dict[str, Any] | None) -> str:
    return str((message or {}).get("text") or "")


def intent_of(message: dict[str, Any] | None) -> tuple[str | None, float]:
    intent = (message or {}).get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0)


def is_hedged(text: str) -> bool:
    """A question mark, a hedge word, or no word at all (emoji, punctuation)."""
    return "?" in text or bool(_HEDGES.search(text)) or not _LETTER_OR_DIGIT.search(text)


def confirmation_threshold(form: str | None) -> float:
    return CONFIRMATION_THRESHOLDS.get(form or "", DEFAULT_CONFIRMATION_THRESHOLD)


def confirmation_verdict(message: dict[str, Any] | None, form: str | None) -> str:
    """ "yes" only for the Yes button or a sure, unhedged affirm; "no" for No or a clear deny;
    "unclear" for everything else."""
    text = text_of(message).strip()
    if text == YES_PAYLOAD:
        return "yes"
    if text == NO_PAYLOAD:
        return "no"
    intent, confidence = intent_of(message)
    if intent == "deny" and confidence >= confirmation_threshold(form) and not is_hedged(text):
        return "no"
    if intent == "affirm" and confidence >= confirmation_threshold(form) and not is_hedged(text):
        return "yes"
    return "unclear"


def is_question(text: str) -> bool:
    return "?" in text or bool(_QUESTION_START.match(text))


def is_stop(text: str) -> bool:
    """ "stop", "never mind", "cancel that", "forget it" (also after "no," or "sorry,")."""
    return bool(_STOP.match(text))


def about_someone_else(text: str, own_email: str | None = None) -> bool:
    """Whether the message asks about another person: their name, an e-mail that is not the
    customer's own, or "my friend", "my husband's account", "all customers"."""
    if _OTHER_PERSON.search(text):
        return True
    own = (own_email or "").strip().lower()
    return any(found.lower() != own for found in _EMAIL.findall(text))


def mentions_email(text: str) -> bool:
    return bool(_EMAIL.search(text))


def asks_about_state(text: str) -> bool:
    """ "am I subscribed?", "is the newsletter any good?", "any discount for signing up?": a
    question about how things are, not a request to change them."""
    return bool(_STATE_QUESTION.search(text))


def corrected_order_number(text: str) -> str | None:
    """The order number a correction means ("702743 not 702733" -> 702743), else None."""
    for pattern, which in _CORRECTIONS:
        match = pattern.search(text)
        if match:
            groups = match.groups()
            return "".join(groups[2 * which : 2 * which + 2])
    return None
