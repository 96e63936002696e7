"""The REST and Telegram input channels (Rasa's environment): credential, parsing, one contract."""

import json
from types import SimpleNamespace

import pytest

from bot.channels import turns
from bot.channels.reliable_rest import ReliableRestInput
from bot.channels.telegram import TelegramBridgeInput
from protocol.conversations import telegram_conversation_id
from protocol.limits import MAX_MESSAGE_CHARS

TOKEN = "t" * 40


def request(body, authorization: str | None = f"Bearer {TOKEN}"):
    headers = {} if authorization is None else {"authorization": authorization}
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return SimpleNamespace(headers=headers, body=raw)


def test_only_the_channel_credential_is_let_in(monkeypatch):
    channel = ReliableRestInput(token=TOKEN)
    assert channel.authorised(request({}))
    for authorization in (None, "Bearer wrong", f"Basic {TOKEN}", "Bearer ", f"Bearer {TOKEN}x"):
        assert not channel.authorised(request({}, authorization)), authorization
    assert not ReliableRestInput(token="").authorised(request({}, "Bearer "))  # unset: nobody gets in
    assert not ReliableRestInput(token="short").authorised(request({}, "Bearer short"))
    monkeypatch.setenv("REST_CHANNEL_TOKEN", TOKEN)
    assert TelegramBridgeInput.from_credentials({}).authorised(request({}))


def test_requests_are_cleaned_limited_and_keep_only_the_contracts_metadata():
    channel = ReliableRestInput(token=TOKEN)
    metadata = {"customer_token": "jwt", "channel": "telegram", "evil": {"x": 1}, "retry": True}
    parsed = channel.parse(request({"sender": "s1", "message": "hel\x00lo\r\n", "metadata": metadata, "message_id": 7}))
    assert parsed == {
        "sender": "s1",
        "text": "hello\n",
        "metadata": {"customer_token": "jwt", "message_id": "7", "retry": True},
        "message_id": "7",
    }
    with pytest.raises(turns.MessageRefused) as refused:
        channel.parse(request({"sender": "s1", "message": "x" * (MAX_MESSAGE_CHARS + 1)}))
    assert (refused.value.status, refused.value.code) == (413, "message_too_long")
    for body, code in (
        (b"\xff", "invalid_json"),
        ([], "invalid_json"),
        ({"message": "hi"}, "invalid_sender"),
        ({"sender": "s", "message": 5}, "invalid_message"),
        ({"sender": "s", "message": "hi", "metadata": []}, "invalid_metadata"),
        ({"sender": "s", "message": "hi", "message_id": "x" * 256}, "invalid_message_id"),
    ):
        with pytest.raises(turns.MessageRefused) as refused:
            channel.parse(request(body))
        assert refused.value.code == code, body


def test_the_telegram_channel_is_named_telegram_and_takes_keyed_ids_only():
    channel = TelegramBridgeInput(token=TOKEN)
    assert channel.name() == channel.url_prefix() == "telegram"
    keyed = telegram_conversation_id(-100, 7, secret="k" * 32)
    assert channel.parse(request({"sender": keyed, "message": "hi", "metadata": {"channel_address": -100}}))[
        "metadata"
    ] == {"channel_address": "-100"}
    with pytest.raises(turns.MessageRefused) as refused:
        channel.parse(request({"sender": "tg-42-42", "message": "hi"}))
    assert refused.value.code == "invalid_sender"
