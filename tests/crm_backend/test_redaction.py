"""Rule-based PII redaction (the shared `redaction` package, used by the CRM and by Rasa's
tracker store): each kind, the checksums, what must not be redacted, and offsets."""

import ast
import sys
from pathlib import Path

import pytest

import redaction
from crm_backend.redaction import get_redactor, redact
from crm_backend.redaction.redactor import iban_valid, luhn_valid
from redaction import mask, masked_offset


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail ada.lovelace@example.co.uk please", "mail [EMAIL] please"),
        ("write to zoë.li@example.com", "write to [EMAIL]"),
        ("it's grace dot hopper at navy dot org", "it's [EMAIL]"),
        ("call +44 20 7946 0958 or (555) 123-4567.", "call [PHONE] or [PHONE]."),
        ("about the return: 0161 496 0000 is my mobile", "about the return: [PHONE] is my mobile"),
        ("card 4111 1111 1111 1111, 4111-1111-1111-1111", "card [CARD], [CARD]"),
        ("I live at 221B Baker Street, London", "I live at [ADDRESS], London"),
        ("ship to 12 Queen's Road.", "ship to [ADDRESS]."),
    ],
)
def test_each_original_kind_is_replaced_by_its_label(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("refund to DE89 3704 0044 0532 0130 00 please", "refund to [IBAN] please"),
        ("refund to DE89370400440532013000 please", "refund to [IBAN] please"),
        ("iban: gb29 nwbk 6016 1331 9268 19.", "iban: [IBAN]."),
        ("my account is FR14 2004 1010 0505 0001 3M02 606", "my account is [IBAN]"),
    ],
)
def test_ibans_grouped_or_contiguous_in_any_case(text, expected):
    assert redact(text) == expected


def test_iban_checksum_and_country_length():
    assert iban_valid("DE89 3704 0044 0532 0130 00") and iban_valid("nl91abna0417164300")
    assert not iban_valid("DE89 3704 0044 0532 0130 01")  # one digit off: mod 97 fails
    assert not iban_valid("DE89 3704 0044 0532 0130")  # a German IBAN has 22 characters
    assert not iban_valid("ZZ12 3456 7890 1234 5678")  # no such country


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the cvv is 123", "the cvv is [CVV]"),
        ("CVC2: 4821, expiry 08/29", "CVC2: [CVV], expiry 08/29"),
        ("security code 907.", "security code [CVV]."),
        ("the 3 digits on the back are 552", "the 3 digits on the back are [CVV]"),
        ("it's 318 (the cvv)", "it's [CVV] (the cvv)"),
        ("4821. that's the cvc", "[CVV]. that's the cvc"),
        ("the code on the reverse is 366", "the code on the reverse is [CVV]"),
    ],
)
def test_cvv_in_context(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my postcode is EH1 1YZ", "my postcode is [POSTCODE]"),
        ("do you deliver to m4 5aj?", "do you deliver to [POSTCODE]?"),
        ("Boston, MA 02116-4003", "Boston, MA [POSTCODE]"),
        ("zip 60614 please", "zip [POSTCODE] please"),
        ("do you deliver to 60614?", "do you deliver to [POSTCODE]?"),
        ("I live near 3500, is 3500 covered?", "I live near [POSTCODE], is [POSTCODE] covered?"),
        ("Denver, CO 80202", "Denver, CO [POSTCODE]"),
        ("it goes to 50667 Köln", "it goes to [POSTCODE] Köln"),
        ("it goes to 69002 lyon", "it goes to [POSTCODE] lyon"),
        ("Kastanienweg 7, 3581 KD Utrecht", "[ADDRESS], [POSTCODE] Utrecht"),
        ("ul. Długa 8, 31-147 Kraków", "[ADDRESS], [POSTCODE] Kraków"),
        ("eircode A65 F4E2", "eircode [POSTCODE]"),
        ("14 Grafton Street, Dublin, D02 Y754", "[ADDRESS], Dublin, [POSTCODE]"),
    ],
)
def test_postcodes_uk_us_eu_and_eircode(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I was born on 14/07/1979", "I was born on [DATE_OF_BIRTH]"),
        ("DOB: 1979-07-14", "DOB: [DATE_OF_BIRTH]"),
        ("date of birth 14 July 1979", "date of birth [DATE_OF_BIRTH]"),
        ("born July 14th, 1979 in Leeds", "born [DATE_OF_BIRTH] in Leeds"),
        ("14.07.1979 is my date of birth", "[DATE_OF_BIRTH] is my date of birth"),
        ("1979-07-14 (date of birth)", "[DATE_OF_BIRTH] (date of birth)"),
        ("her dob is 2/3/1990 and mine is 4 May 1988", "her dob is [DATE_OF_BIRTH] and mine is [DATE_OF_BIRTH]"),
    ],
)
def test_dates_of_birth_in_context(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("send it to 10 Downing St. please", "send it to [ADDRESS] please"),
        ("I'm at Flat 3, 45 Queen's Road now", "I'm at [ADDRESS] now"),
        ("to 1600 Pennsylvania Ave NW, Washington", "to [ADDRESS], Washington"),
        ("Hauptstraße 5, Berlin", "[ADDRESS], Berlin"),
        ("12 rue de Rivoli, Paris", "[ADDRESS], Paris"),
        ("Avenue Louise 54 bus 3, Brussels", "[ADDRESS], Brussels"),
        ("Calle de Serrano 41, 3º B", "[ADDRESS]"),
        ("Via Garibaldi 12/A, Genova", "[ADDRESS], Genova"),
        ("deliver to 8 mill close", "deliver to [ADDRESS]"),
        ("collect from lindenweg 12 please", "collect from [ADDRESS] please"),
        ("9 orchard rise - that's where I live", "[ADDRESS] - that's where I live"),
        ("90 Hudson Street, Apt 4C", "[ADDRESS]"),
    ],
)
def test_street_forms(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "where is my order 702733?",
        "orders 702733 702744 are late",
        "I paid 49.99 on 12/05/2026",
        "return placed 2026-05-01",
        "ref 4111 1111 1111 1112 failed",  # fails the Luhn check, and no card in sight: not a card number
        "the barcode says 4006381333931",
        "tracking number 00340434161094042557",
        "the tracking number is 12345678901",
        "I bought 2000 paris souvenirs",
        "my loyalty number is 88812345",
        "is the 2024 model covered by the warranty?",
        "2 bright green jumpers",
        "it's a 10 minute walk, 2 hours drive",
        "can I get 2 of the 3 place settings",
        "I sent it via email 5 times",
        "I have 10000 Points and 2000 coins",
        "the shop was born in 1987",
        "for my son's birthday on 12/05/2026",
        "the 3 digit code didn't arrive",
        "look at amazon dot com",
        "size 10 in GB sizes, 2 x 500 ml",
    ],
)
def test_order_numbers_dates_prices_and_references_are_kept(text):
    assert redact(text) == text


def test_luhn():
    assert luhn_valid("4111111111111111") and luhn_valid("378282246310005")
    assert not luhn_valid("4111111111111112") and not luhn_valid("41x1")


def test_offsets_map_into_the_masked_text():
    text = "order 702733: call 07700 900123 or mail a@b.io"
    spans = get_redactor().find(text)
    masked = mask(text, spans)
    assert masked == "order 702733: call [PHONE] or mail [EMAIL]"
    order = text.index("702733")
    assert masked[masked_offset(spans, order) : masked_offset(spans, order + 6, end=True)] == "702733"
    phone = text.index("07700")
    assert masked[masked_offset(spans, phone) : masked_offset(spans, phone + 5, end=True)] == "[PHONE]"
    assert masked[masked_offset(spans, text.index(" or")) :] == " or mail [EMAIL]"


def test_ordinary_messages_skip_the_rules():
    assert get_redactor().find("do you ship to Norway?") == []
    assert redact(None) == ""


def test_the_redactor_imports_only_the_standard_library():
    """So Rasa's environment (Python 3.10, no spaCy) runs the very same rules."""
    for path in Path(redaction.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            for name in names:
                top = name.split(".")[0]
                assert top == "redaction" or top in sys.stdlib_module_names, (path.name, name)


def test_tickets_from_the_chat_keep_no_contact_data_in_their_text(client, bot_headers, db_session):
    """The bot opens a ticket with the customer's own words; a comment follows. Both bodies are
    stored masked: the phone and card live in the customer record, not in free text."""
    from crm_backend.tickets.models import Ticket
    from crm_backend.tickets.service import add_message

    words = "charged twice on card 4111 1111 1111 1111, call me on 07700 900123 about order 702733"
    response = client.post(
        "/bot/tickets",
        json={"category": "payment_problem", "subject": "Payment problem", "body": words},
        headers=bot_headers(1),
    )
    assert response.status_code == 201, response.text
    ticket = db_session.get(Ticket, response.json()["id"])
    add_message(db_session=db_session, ticket=ticket, body="rang +44 20 7946 0958, no answer", author_type="agent")
    db_session.commit()
    db_session.expire_all()
    bodies = [message.body for message in db_session.get(Ticket, ticket.id).messages]
    assert bodies == [
        "charged twice on card [CARD], call me on [PHONE] about order 702733",
        "rang [PHONE], no answer",
    ]
