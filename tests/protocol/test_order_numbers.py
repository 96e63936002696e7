"""The order-number setting: what the NLU's regex finds in a sentence and what the actions accept."""

import re

import pytest

from protocol import order_numbers
from protocol.order_numbers import nlu_pattern, normalise, regex_file


def found(text: str, environ: dict[str, str] | None = None) -> list[str]:
    return [m.group() for m in re.finditer(nlu_pattern(environ or {}), text, flags=re.IGNORECASE)]


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("where is #702733?", ["702733"]),
        ("order no. 702 733 please", ["702 733"]),
        ("ord-702733 hasn't arrived", ["702733"]),
        ("702733", ["702733"]),
        ("hi, I ordered a teapot and two mugs last week, number 70273312, and nothing came yet", ["70273312"]),
        ("orders 702733, 702734 and 702-735", ["702733", "702734", "702-735"]),
        ("call me on 020 7946 0000 or +44 20 7946 0000", []),
        ("I paid 24.90 EUR on 12.03.2024, 1,234,567 points", []),
        ("12345 is too short, 12345678901 too long", []),
    ],
)
def test_the_default_finds_order_numbers_inside_sentences_and_nothing_else(text, numbers):
    assert found(text) == numbers
    assert all(normalise(n, {}) == re.sub(r"\D", "", n) for n in numbers)


def test_a_length_setting_narrows_both_the_nlu_and_the_actions():
    six = {"ORDER_NUMBER_LENGTH": "6"}
    assert found("is 702733 or 7027333 mine?", six) == ["702733"]
    assert (normalise("#702733", six), normalise("7027333", six)) == ("702733", None)


def test_a_pattern_setting_wins_over_the_length():
    shop = {"ORDER_NUMBER_PATTERN": r"[A-Z]{2}\d{6}", "ORDER_NUMBER_LENGTH": "6"}
    assert found("where is order AB702733, not 702733?", shop) == ["AB702733"]
    assert (normalise("order no. AB702733", shop), normalise("702733", shop)) == ("AB702733", None)


@pytest.mark.parametrize(
    "bad", [{"ORDER_NUMBER_LENGTH": "six"}, {"ORDER_NUMBER_LENGTH": "8-6"}, {"ORDER_NUMBER_PATTERN": "[a-"}]
)
def test_a_bad_setting_fails_loudly(bad):
    with pytest.raises((ValueError, re.error)):
        nlu_pattern(bad)


def test_the_committed_regex_file_is_the_default_setting_s(monkeypatch):
    monkeypatch.delenv("ORDER_NUMBER_LENGTH", raising=False)
    monkeypatch.delenv("ORDER_NUMBER_PATTERN", raising=False)
    assert order_numbers.REGEX_FILE.read_text() == regex_file({})
    assert nlu_pattern({}) in regex_file({})
