"""The bridge's pure parts: splitting, cards, buttons, conversation ids, mentions and settings."""

import pytest
from telegram import Bot, Message, User

from channels.telegram import handlers, render
from channels.telegram.app import api_urls
from channels.telegram.handlers import addressed_text
from channels.telegram.settings import Settings, SettingsError
from protocol.conversations import is_telegram_conversation_id
from tests.channels.telegram.fake_telegram import mention_entity, message_update


def test_short_texts_are_one_message():
    assert render.split_text("Hello!\nHow can I help?") == ["Hello!\nHow can I help?"]


def test_long_texts_are_split_at_line_boundaries():
    lines = [f"line {index} " + "a" * 90 for index in range(100)]
    chunks = render.split_text("\n".join(lines))
    assert len(chunks) == 3
    assert all(len(chunk) <= render.MESSAGE_LIMIT for chunk in chunks)
    assert [line for chunk in chunks for line in chunk.split("\n")] == lines


def test_a_single_huge_line_is_cut_at_spaces_and_emoji_count_double():
    words = " ".join(["word"] * 2000)  # 9,999 characters, no newline
    chunks = render.split_text(words)
    assert all(len(chunk) <= render.MESSAGE_LIMIT for chunk in chunks)
    assert " ".join(chunks).split() == words.split()
    emoji = "😀" * 3000  # 6,000 UTF-16 units
    parts = render.split_text(emoji)
    assert [len(part) for part in parts] == [2048, 952] and "".join(parts) == emoji


def test_card_captions_are_escaped_html():
    card = {"name": "Cups & <Saucers>", "price": "12.5", "currency": "EUR", "in_stock": False, "reason": "a <b>"}
    assert (
        render.card_caption(card) == "<b>Cups &amp; &lt;Saucers&gt;</b>\n12.50 EUR · out of stock\n<i>a &lt;b&gt;</i>"
    )


def test_buttons_carry_their_payloads_and_long_ones_get_a_key():
    long_payload = '/inform{"order_id": "702733", "reason": "' + "x" * 80 + '"}'
    keyboard = render.keyboard([{"title": "Yes", "payload": "/affirm"}, {"title": "Long", "payload": long_payload}])
    rows = keyboard.markup.inline_keyboard
    assert rows[0][0].callback_data == "/affirm"
    key = rows[1][0].callback_data
    assert len(key.encode()) <= 64 and keyboard.long_payloads == {key: long_payload}
    assert render.keyboard([]) is None


def test_conversation_ids_are_keyed_and_tell_nothing_about_the_chat():
    services = handlers.Services(rasa=None, crm=None, conversation_secret="k" * 32)
    private, group = services.conversation_id(42, 42), services.conversation_id(-1001234, 42)
    assert private == services.conversation_id(42, 42) and private != group  # stable per chat and user
    assert is_telegram_conversation_id(private) and is_telegram_conversation_id(group)
    assert private != handlers.Services(rasa=None, crm=None, conversation_secret="j" * 32).conversation_id(42, 42)
    assert private != "tg-42-42"  # the old, guessable form


def _message(update: dict, bot: Bot) -> Message:
    return Message.de_json(update["message"], bot)


def test_group_messages_are_for_the_bot_only_when_mentioned_or_replying():
    bot = Bot("1001:token")
    bot._bot_user = User(1001, "Concierge", True, username="concierge_test_bot")
    text = "@Concierge_Test_Bot where is my order?"
    mentioned = message_update(-5, 7, text, entities=[mention_entity(text, "Concierge_Test_Bot")])
    assert addressed_text(_message(mentioned, bot), bot) == "where is my order?"
    assert addressed_text(_message(message_update(-5, 7, "where is my order?"), bot), bot) is None
    other = "@someone_else hi"
    assert (
        addressed_text(
            _message(message_update(-5, 7, other, entities=[mention_entity(other, "someone_else")]), bot), bot
        )
        is None
    )
    reply = message_update(
        -5,
        7,
        "yes",
        reply_to={
            "message_id": 1,
            "date": 0,
            "chat": {"id": -5, "type": "group"},
            "from": {"id": 1001, "is_bot": True, "first_name": "Concierge"},
        },
    )
    assert addressed_text(_message(reply, bot), bot) == "yes"
    assert addressed_text(_message(message_update(7, 7, "hi there"), bot), bot) == "hi there"


def test_settings_come_from_the_environment_and_webhooks_need_a_secret():
    env = {
        "TELEGRAM_BOT_TOKEN": "1:x",
        "BOT_SERVICE_TOKEN": "s" * 20,
        "RASA_URL": "http://rasa:5005/",
        "CONVERSATION_ID_SECRET": "c" * 32,
        "REST_CHANNEL_TOKEN": "r" * 32,
    }
    settings = Settings.from_env(env)
    assert settings.mode == "polling" and settings.rasa_url == "http://rasa:5005"
    assert "c" * 32 not in repr(settings) and "r" * 32 not in repr(settings)
    for name in ("CONVERSATION_ID_SECRET", "REST_CHANNEL_TOKEN"):
        with pytest.raises(SettingsError, match=name):
            Settings.from_env({**env, name: "short"})
        with pytest.raises(SettingsError, match=name):
            Settings.from_env({key: value for key, value in env.items() if key != name})
    with pytest.raises(SettingsError, match="TELEGRAM_BOT_TOKEN"):
        Settings.from_env({"BOT_SERVICE_TOKEN": "s"})
    with pytest.raises(SettingsError, match="TELEGRAM_WEBHOOK_SECRET"):
        Settings.from_env({**env, "TELEGRAM_MODE": "webhook", "TELEGRAM_WEBHOOK_URL": "https://x/telegram"})
    with pytest.raises(SettingsError, match="TELEGRAM_WEBHOOK_SECRET"):
        Settings.from_env(
            {**env, "TELEGRAM_MODE": "webhook", "TELEGRAM_WEBHOOK_URL": "https://x", "TELEGRAM_WEBHOOK_SECRET": "a b"}
        )


def test_api_base_url_accepts_a_root_or_a_bot_prefix():
    assert api_urls("http://127.0.0.1:8081") == ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/file/bot")
    assert api_urls("http://127.0.0.1:8081/bot/") == ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/file/bot")


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("https://cdn.example.com/p/1.jpg", None, render.Photo(url="https://cdn.example.com/p/1.jpg")),
        ("//cdn.example.com/p/1.jpg", None, render.Photo(url="https://cdn.example.com/p/1.jpg")),
        (
            "/static/products/1.png",
            "https://shop.example.com",
            render.Photo(url="https://shop.example.com/static/products/1.png"),
        ),
        # Relative paths without a public base are the CRM's: the bridge uploads them.
        ("/static/products/1.png", None, render.Photo(crm_path="/static/products/1.png")),
        ("static/products/1.png?v=2", None, render.Photo(crm_path="/static/products/1.png?v=2")),
        # The CRM's own SVG placeholders have a PNG beside them; other SVGs cannot be photos.
        ("/static/products/1.svg", None, render.Photo(crm_path="/static/products/1.png")),
        ("/pictures/1.svg", None, None),
        ("https://cdn.example.com/p/1.svg", None, None),
        # Hosts Telegram cannot reach: fetched from the CRM by their path.
        ("http://127.0.0.1:8000/static/products/1.png", None, render.Photo(crm_path="/static/products/1.png")),
        ("http://localhost:8000/a.jpg", "https://shop.example.com", render.Photo(crm_path="/a.jpg")),
        ("http://crm:8000/static/products/1.png", None, render.Photo(crm_path="/static/products/1.png")),
        ("http://10.1.2.3/a.png", None, render.Photo(crm_path="/a.png")),
        ("http://[::1]/a.png", None, render.Photo(crm_path="/a.png")),
        ("http://shop.internal/a.png", None, render.Photo(crm_path="/a.png")),
        ("javascript:alert(1)", None, None),
        ("data:image/png;base64,iVBORw0KGgo=", None, None),
        ("", "https://shop.example.com", None),
        (None, "https://shop.example.com", None),
    ],
)
def test_photo_sources(url, base, expected):
    assert render.photo_source(url, base) == expected


@pytest.mark.parametrize(
    ("host", "public"),
    [("cdn.example.com", True), ("8.8.8.8", True), ("127.0.0.1", False), ("localhost", False), ("crm", False),
     ("192.168.1.10", False), ("169.254.1.1", False), ("fd00::1", False), ("printer.local", False)],
)  # fmt: skip
def test_public_hosts_are_judged_by_their_form(host, public):
    assert render.is_public_host(host) is public
