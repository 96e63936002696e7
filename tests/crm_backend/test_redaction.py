"""Rule-based PII redaction: the kinds, the Luhn check, what must not be redacted, and recall."""

import pytest

from bench.redaction_testset import generate, measure
from crm_backend.redaction import get_redactor, redact
from crm_backend.redaction.redactor import luhn_valid


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail ada.lovelace@example.co.uk please", "mail [EMAIL] please"),
        ("write to zoë.li@example.com", "write to [EMAIL]"),
        ("call +44 20 7946 0958 or (555) 123-4567.", "call [PHONE] or [PHONE]."),
        ("card 4111 1111 1111 1111, 4111-1111-1111-1111", "card [CARD], [CARD]"),
        ("I live at 221B Baker Street, London", "I live at [ADDRESS], London"),
        ("ship to 12 Queen's Road.", "ship to [ADDRESS]"),
    ],
)
def test_each_kind_is_replaced_by_its_label(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "where is my order 702733?",
        "orders 702733 702744 are late",
        "I paid 49.99 on 12/05/2026",
        "return placed 2026-05-01",
        "card 4111 1111 1111 1112 failed",  # fails the Luhn check: not a card number
    ],
)
def test_order_numbers_dates_prices_and_non_luhn_numbers_are_kept(text):
    assert redact(text) == text


def test_luhn():
    assert luhn_valid("4111111111111111") and luhn_valid("378282246310005")
    assert not luhn_valid("4111111111111112") and not luhn_valid("41x1")


def test_recall_on_a_generated_set_of_500_plus_messages():
    messages = generate(n_per_kind=150, n_negative=150, seed=11)
    assert len(messages) >= 500
    result = measure(get_redactor(), messages)
    assert min(result["recall"][kind] for kind in ("EMAIL", "PHONE", "CARD")) >= 0.99, result
    assert result["recall"]["ADDRESS"] >= 0.9 and result["false_alarm_rate"] <= 0.01, result
