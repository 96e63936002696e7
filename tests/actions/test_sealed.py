"""A slot that waits a turn in Rasa's tracker store is sealed: the store never holds the address."""

from actions.sealed import is_sealed, seal, unseal
from redaction import redact

ADDRESS = "27 Queen's Road, Leeds LS1 4DT"


def test_a_sealed_address_opens_again_and_shows_nothing_in_the_store(monkeypatch):
    monkeypatch.setenv("BOT_SERVICE_TOKEN", "s" * 40)
    sealed = seal(ADDRESS)
    assert is_sealed(sealed) and "Queen" not in sealed and "LS1" not in sealed
    assert redact(sealed) == sealed  # nothing the tracker store's redactor would touch
    assert seal(sealed) == sealed  # validated again on a later turn: not sealed twice
    assert unseal(sealed) == ADDRESS and unseal(None) is None


def test_a_seal_made_with_another_key_does_not_open(monkeypatch):
    monkeypatch.setenv("BOT_SERVICE_TOKEN", "a" * 40)
    sealed = seal(ADDRESS)
    monkeypatch.setenv("BOT_SERVICE_TOKEN", "b" * 40)
    assert unseal(sealed) is None
