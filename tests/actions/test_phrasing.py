"""Reply lines worded by the domain: the variant chosen, the values filled, errors that say why."""

import pytest

from actions.phrasing import MissingResponse, phrase

GERMAN = [{"type": "slot", "name": "language", "value": "de"}]
DOMAIN = {
    "responses": {
        "utter_part_line": [
            {"text": "- Order {number} is {status}."},
            {"text": "- Bestellung {number} ist {status}.", "condition": GERMAN},
        ],
        "utter_part_braces": [{"text": "Use {code} at checkout {not a variable"}],
    }
}


def test_the_unconditional_variant_is_the_default():
    assert phrase(DOMAIN, {}, "utter_part_line", number="702733", status="shipped") == "- Order 702733 is shipped."


def test_a_variant_whose_condition_matches_the_slots_wins():
    text = phrase(DOMAIN, {"language": "de"}, "utter_part_line", number="702733", status="versandt")
    assert text == "- Bestellung 702733 ist versandt."
    assert phrase(DOMAIN, {"language": "fr"}, "utter_part_line", number="1", status="x") == "- Order 1 is x."


def test_values_are_inserted_as_they_are():
    assert phrase(DOMAIN, {}, "utter_part_braces", code="{SORRY}") == "Use {SORRY} at checkout {not a variable"


def test_a_missing_response_or_value_is_a_clear_error():
    with pytest.raises(MissingResponse, match="utter_part_nothing"):
        phrase(DOMAIN, {}, "utter_part_nothing")
    with pytest.raises(MissingResponse, match=r"\{status\}"):
        phrase(DOMAIN, {}, "utter_part_line", number="1")
