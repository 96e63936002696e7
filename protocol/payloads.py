"""Custom payloads and buttons, as actions send them and channels render them.

Product cards travel as Rasa's `json_message`: `{"type": "product_cards", "cards": [...]}`,
each card `{"sku", "name", "price", "currency", "image_url", "url", "reason", "in_stock"}` (the last five
optional). Buttons are Rasa's `{"title", "payload"}`; a payload is an intent with optional
entities in JSON: `/rate_csat{"csat_score": 4}`.
"""

import json
import re

PRODUCT_CARDS = "product_cards"
CARD_REQUIRED = ("sku", "name", "price", "currency")
CARD_OPTIONAL = ("image_url", "url", "reason", "in_stock")
MAX_CARDS = 10
_INTENT_PAYLOAD = re.compile(r"^/(?P<intent>[A-Za-z_][A-Za-z0-9_/]*)(?P<entities>\{.*\})?$", re.DOTALL)


class PayloadError(ValueError):
    """A payload that does not have the shape of this contract."""


def product_cards(cards: list[dict]) -> dict:
    """The custom payload for a list of product cards, checked."""
    payload = {"type": PRODUCT_CARDS, "cards": [product_card(card) for card in cards[:MAX_CARDS]]}
    return payload


def product_card(card: dict) -> dict:
    """One product card with exactly the contract's fields."""
    missing = [key for key in CARD_REQUIRED if card.get(key) in (None, "")]
    if missing:
        raise PayloadError(f"a product card needs {', '.join(missing)}")
    clean = {key: card[key] for key in CARD_REQUIRED}
    clean.update({key: card[key] for key in CARD_OPTIONAL if card.get(key) not in (None, "")})
    return clean


def is_product_cards(payload: object) -> bool:
    return isinstance(payload, dict) and payload.get("type") == PRODUCT_CARDS and isinstance(payload.get("cards"), list)


def button(title: str, intent: str, **entities: object) -> dict:
    """A button whose press sends `intent` with `entities`: `/rate_csat{"csat_score": 4}`."""
    payload = "/" + intent + (json.dumps(entities, separators=(", ", ": ")) if entities else "")
    return {"title": title, "payload": payload}


def parse_button_payload(payload: str) -> tuple[str, dict] | None:
    """(intent, entities) of a button payload, or None when it is not one."""
    match = _INTENT_PAYLOAD.match(payload.strip())
    if not match:
        return None
    entities: dict = {}
    if match.group("entities"):
        try:
            entities = json.loads(match.group("entities"))
        except json.JSONDecodeError:
            return None
        if not isinstance(entities, dict):
            return None
    return match.group("intent"), entities
