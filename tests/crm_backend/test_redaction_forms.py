"""Forms of personal data beyond the evaluation sets, one family at a time: each family is
caught by a general rule (its shape in several countries and spellings), never by a string
copied from a set. The hard negatives beside them are what must stay as written."""

import pytest

from redaction import redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4666 1760 3137 2159 | 07/29 | 514", "[CARD] | 07/29 | [CVV]"),  # right after the card number
        ("card: 5384-8372-6167-5136 - 771", "card: [CARD] - [CVV]"),
        ("370435205617483 exp. 04/28 2291", "[CARD] exp. 04/28 [CVV]"),
        ("6011 4431 9829 6572, and on the back it says 318", "[CARD], and on the back it says [CVV]"),
        ("ccv 552", "[CVV]".join(["ccv ", ""])),  # the common misspelling
        ("CVV#552 please", "CVV#[CVV] please"),
        ("cvd: 093 (canadian card)", "cvd: [CVV] (canadian card)"),
        ("Kartenprüfnummer: 724", "Kartenprüfnummer: [CVV]"),
        ("le cryptogramme est 318", "le cryptogramme est [CVV]"),
        ("código de seguridad 205", "código de seguridad [CVV]"),
        ("codice di sicurezza 611", "codice di sicurezza [CVV]"),
        ("beveiligingscode 482", "beveiligingscode [CVV]"),
        ("330 <- the cvc", "[CVV] <- the cvc"),
        ("914\n^^ thats my security code", "[CVV]\n^^ thats my security code"),
        ("the visa 4206 7970 1687 7313, sec: 660", "the visa [CARD], sec: [CVV]"),
        ("3 digits from the signature strip: 455", "3 digits from the signature strip: [CVV]"),
    ],
)
def test_cvv_after_a_card_and_in_other_words(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "there's a 4 digit code on the parcel, 5521, what is it?",
        "the 3 digit number on the label is 402, is that the batch?",
        "the code on the back of the box is 118",
        "4666 1760 3137 2159 was charged 120 euros",  # an amount after a card number, not its code
        "it's 30 sec before 404 shows up",
    ],
)
def test_codes_that_are_not_a_cards_are_kept(text):
    assert redact(text) == text.replace("4666 1760 3137 2159", "[CARD]")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Margaret Hale (b. 3 Feb 1949) is the account holder", "Margaret Hale (b. [DATE_OF_BIRTH]) is the account holder"),
        ("b. 07/10/1961, london", "b. [DATE_OF_BIRTH], london"),
        ("she was born 1958 and can't use the app", "she was born [DATE_OF_BIRTH] and can't use the app"),
        ("year of birth: 1971", "year of birth: [DATE_OF_BIRTH]"),
        ("my son was born in 2009", "my son was born in [DATE_OF_BIRTH]"),
        ("Date of birth:\n04/11/1977\nPhone:", "Date of birth:\n[DATE_OF_BIRTH]\nPhone:"),  # a form: next line
        ("02.09.1983 <- dob", "[DATE_OF_BIRTH] <- dob"),
        ("1990-11-23 - that's my birthday", "[DATE_OF_BIRTH] - that's my birthday"),
        ("geb. am 4. Mai 1966", "geb. am [DATE_OF_BIRTH]"),
        ("née le 12 févr. 1970", "née le [DATE_OF_BIRTH]"),
        ("fødselsdato 14.08.1988", "fødselsdato [DATE_OF_BIRTH]"),
        ("född 1979-03-30", "född [DATE_OF_BIRTH]"),
        ("data urodzenia: 5 maja 1992", "data urodzenia: [DATE_OF_BIRTH]"),
        ("data de nascimento 21/09/1965", "data de nascimento [DATE_OF_BIRTH]"),
        ("DOB 09-Okt-1980", "DOB [DATE_OF_BIRTH]"),
        ("bday 3rd of march '81", "bday [DATE_OF_BIRTH]"),
    ],
)
def test_dates_of_birth_short_forms_languages_and_layouts(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "the birthday present I ordered on 02/12/2025 arrived broken",
        "my birthday was on 14/03/2025 and the cake stand came late",
        "the brand was born in 2019, right?",
        "plan b. 12 items instead of 10",
        "the jumper from the Born 2 Run range, size 12",
    ],
)
def test_birthday_occasions_and_other_dates_are_kept(text):
    assert redact(text) == text
