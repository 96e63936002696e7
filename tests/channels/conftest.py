"""The real bridge processes against a stand-in Telegram, with the real Rasa, action server and CRM.

The session's `web_stack` (tests/stack_fixtures.py: CRM, action server and Rasa on free ports,
shared with tests/e2e, tests/web and tests/console; none of them reads TELEGRAM_*) gets three
bridges: the main one, started with the command `make run` uses when TELEGRAM_BOT_TOKEN is set,
one whose Rasa is unreachable and one in webhook mode. They are stopped before the stack is.
"""

import json
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from ops.stack import APP_PYTHON, ROOT, Stack, free_port
from tests.channels.telegram.fake_telegram import Call, FakeTelegram, message_update

MAIN_TOKEN = "1001:main-bridge-token"
RASA_DOWN_TOKEN = "1002:rasa-down-token"
WEBHOOK_TOKEN = "1003:webhook-token"
USERNAME = "concierge_test_bot"
WEBHOOK_SECRET = "webhook-secret_123"
BRIDGE = [str(APP_PYTHON), "-m", "channels.telegram"]
BRIDGES = ("telegram", "telegram-rasa-down", "telegram-webhook")


@dataclass
class TelegramStack:
    stack: Stack
    fake: FakeTelegram
    webhook_port: int


@pytest.fixture(scope="session")
def fake_telegram() -> Iterator[FakeTelegram]:
    fake = FakeTelegram().start()
    for token in (MAIN_TOKEN, RASA_DOWN_TOKEN, WEBHOOK_TOKEN):
        fake.add_bot(token, USERNAME)
    yield fake
    fake.stop()


def _wait_for_port(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listens on port {port}")


@pytest.fixture(scope="session")
def telegram_stack(web_stack, fake_telegram) -> Iterator[TelegramStack]:
    webhook_port = free_port()
    bridge_env = {**web_stack.child_env(), "TELEGRAM_API_BASE_URL": fake_telegram.base_url, "TELEGRAM_MODE": "polling"}
    # Only the main bridge delivers agents' replies; two pollers would race for them.
    other_env = {**bridge_env, "TELEGRAM_OUTBOX_INTERVAL": "0"}
    try:
        web_stack.start_process("telegram", BRIDGE, {**bridge_env, "TELEGRAM_BOT_TOKEN": MAIN_TOKEN})
        web_stack.start_process(
            "telegram-rasa-down",
            BRIDGE,
            {**other_env, "TELEGRAM_BOT_TOKEN": RASA_DOWN_TOKEN, "RASA_URL": f"http://127.0.0.1:{free_port()}"},
        )
        web_stack.start_process(
            "telegram-webhook",
            BRIDGE,
            {
                **other_env,
                "TELEGRAM_BOT_TOKEN": WEBHOOK_TOKEN,
                "TELEGRAM_MODE": "webhook",
                "TELEGRAM_WEBHOOK_URL": f"https://bot.example.com/telegram/{WEBHOOK_TOKEN.split(':')[0]}",
                "TELEGRAM_WEBHOOK_PATH": f"telegram/{WEBHOOK_TOKEN.split(':')[0]}",
                "TELEGRAM_WEBHOOK_PORT": str(webhook_port),
                "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
            },
        )
        deadline = time.monotonic() + 60
        for name in BRIDGES:
            web_stack.wait_healthy(name, deadline)  # alive: bridges answer no health check
        for token in (MAIN_TOKEN, RASA_DOWN_TOKEN):
            fake_telegram.wait_for(token, lambda call: call.method == "getUpdates" or call.method == "deleteWebhook")
        fake_telegram.wait_for(WEBHOOK_TOKEN, lambda call: call.method == "setWebhook")
        _wait_for_port(webhook_port, deadline)
        yield TelegramStack(stack=web_stack, fake=fake_telegram, webhook_port=webhook_port)
    finally:
        for name in BRIDGES:
            if name in web_stack.processes:
                web_stack.kill(name)


class Chat:
    """One Telegram user (in a private chat or a group) talking to one bridge."""

    def __init__(self, fake: FakeTelegram, token: str, user_id: int, chat_id: int | None = None) -> None:
        self.fake, self.token, self.user_id = fake, token, user_id
        self.chat_id = chat_id if chat_id is not None else user_id

    def send(self, text: str | None = None, **options) -> int:
        """Queue a message from the user; returns the mark to wait for the answers after it."""
        mark = self.fake.mark(self.token)
        self.fake.push(self.token, message_update(self.chat_id, self.user_id, text, **options))
        return mark

    def push(self, update: dict) -> int:
        mark = self.fake.mark(self.token)
        self.fake.push(self.token, update)
        return mark

    def answers(self, after: int, count: int = 1, timeout: float = 60.0) -> list[Call]:
        """The bot's next `count` messages or photos to this chat after `after`."""
        return self.fake.wait_for(
            self.token,
            lambda call: call.method in ("sendMessage", "sendPhoto") and call.chat_id == self.chat_id,
            count=count,
            timeout=timeout,
            after=after,
        )

    def ask(self, text: str, count: int = 1, **options) -> list[str]:
        return [call.text for call in self.answers(self.send(text, **options), count=count)]


@pytest.fixture
def chat_with(telegram_stack) -> Callable[..., Chat]:
    def make(user_id: int, chat_id: int | None = None, token: str = MAIN_TOKEN) -> Chat:
        return Chat(telegram_stack.fake, token, user_id, chat_id)

    return make


@pytest.fixture
def link_code(telegram_stack) -> Callable[[int], str]:
    """A fresh code for a customer, from the CLI that the shop uses."""

    def issue(customer_id: int) -> str:
        output = subprocess.run(
            [str(APP_PYTHON), "-m", "crm_backend", "link-code", "--customer", str(customer_id), "--json"],
            cwd=ROOT,
            env={**telegram_stack.stack.child_env(), "TELEGRAM_BOT_USERNAME": USERNAME},
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        answer = json.loads(output)
        assert answer["deep_link"] == f"https://t.me/{USERNAME}?start={answer['code']}"
        return answer["code"]

    return issue
