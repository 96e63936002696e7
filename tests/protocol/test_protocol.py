"""The cross-process contract: ids, metadata filtering, payload shapes; and the shared packages
import only the standard library (runs in both environments)."""

import ast
import sys
from pathlib import Path

import pytest

from protocol import conversations, metadata, payloads

SECRET = "s" * 40


@pytest.mark.parametrize("package", ["protocol", "redaction"])
def test_shared_packages_import_only_the_standard_library(package):
    """Both environments (Rasa's Python 3.10, the app's 3.11) import these as they are."""
    root = Path(__import__(package).__file__).parent
    for path in root.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            for name in names:
                top = name.split(".")[0]
                assert top == package or top in sys.stdlib_module_names, (path.name, name)


def test_widget_ids_are_random_and_recognised():
    ids = {conversations.new_widget_conversation_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(conversations.is_widget_conversation_id(i) for i in ids)
    assert not conversations.is_widget_conversation_id("web-short")


def test_telegram_ids_are_keyed_and_stable():
    first = conversations.telegram_conversation_id(42, 7, secret=SECRET)
    assert first == conversations.telegram_conversation_id(42, 7, secret=SECRET)
    assert first != conversations.telegram_conversation_id(42, 8, secret=SECRET)
    assert first != conversations.telegram_conversation_id(42, 7, secret="t" * 40)
    assert conversations.is_telegram_conversation_id(first)
    assert not conversations.is_telegram_conversation_id("tg-42-7")
    with pytest.raises(ValueError):
        conversations.telegram_conversation_id(1, 1, secret="short")


def test_session_proof_checks_the_id():
    proof = conversations.session_proof("web-abc", secret=SECRET)
    assert conversations.proof_matches("web-abc", proof, secret=SECRET)
    assert not conversations.proof_matches("web-abd", proof, secret=SECRET)
    assert not conversations.proof_matches("web-abc", None, secret=SECRET)


def test_client_metadata_keeps_known_keys_and_stored_metadata_drops_the_token():
    raw = {"customer_token": "t", "message_id": "m1", "retry": True, "channel": "telegram", "channel_address": 99}
    raw["x"] = 1
    clean = metadata.client_metadata(raw)
    assert clean == {"customer_token": "t", "message_id": "m1", "retry": True, "channel_address": "99"}
    assert metadata.stored_metadata(clean) == {"message_id": "m1", "channel_address": "99"}
    assert metadata.client_metadata("not a dict") == {}


def test_product_cards_and_buttons_round_trip():
    cards = payloads.product_cards([{"sku": "A1", "name": "Kettle", "price": "19.90", "currency": "EUR", "url": None}])
    card = {"sku": "A1", "name": "Kettle", "price": "19.90", "currency": "EUR"}
    assert cards == {"type": "product_cards", "cards": [card]}
    assert payloads.is_product_cards(cards)
    with pytest.raises(payloads.PayloadError):
        payloads.product_card({"sku": "A1"})
    button = payloads.button("4", "rate_csat", csat_score=4)
    assert payloads.parse_button_payload(button["payload"]) == ("rate_csat", {"csat_score": 4})
    assert payloads.parse_button_payload("hello") is None
    assert payloads.parse_button_payload("/affirm") == ("affirm", {})
