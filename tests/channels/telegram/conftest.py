"""The real bridge processes against a stand-in Telegram, with the real Rasa, action server and CRM.

One stack for the session: CRM, action server and Rasa on free ports (as in tests/e2e), the
bridge started by `ops.stack` like `make run` does when TELEGRAM_BOT_TOKEN is set, plus two
more bridges: one whose Rasa is unreachable and one in webhook mode.
"""

import json
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from ops.stack import APP_PYTHON, DEFAULT_MODEL, ROOT, Stack, StackConfig, free_port, run_app_command
from tests.channels.telegram.fake_telegram import Call, FakeTelegram, message_update
from tests.conftest import DEMO_AS_OF

MAIN_TOKEN = "1001:main-bridge-token"
RASA_DOWN_TOKEN = "1002:rasa-down-token"
WEBHOOK_TOKEN = "1003:webhook-token"
USERNAME = "concierge_test_bot"
WEBHOOK_SECRET = "webhook-secret_123"
BRIDGE = [str(APP_PYTHON), "-m", "channels.telegram"]


@dataclass
class TelegramStack:
    stack: Stack
    fake: FakeTelegram
    webhook_port: int

    @property
    def env(self) -> dict[str, str]:
        return dict(self.stack.config.env)


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
def telegram_stack(tmp_path_factory, test_secrets, fake_telegram) -> Iterator[TelegramStack]:
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"No trained model at {DEFAULT_MODEL}: run `make train` (make test does it for you).")
    work = tmp_path_factory.mktemp("telegram-stack")
    env = {
        **test_secrets,
        "DATABASE_URL": f"sqlite:///{work / 'crm.db'}",
        "TRACKER_DB_URL": f"sqlite:///{work / 'tracker.db'}",
        "LOCK_STORE_TYPE": "in_memory",
        "LOCK_STORE_URL": "",
        "TELEGRAM_BOT_TOKEN": MAIN_TOKEN,
        "TELEGRAM_API_BASE_URL": fake_telegram.base_url,
        "TELEGRAM_MODE": "polling",
    }
    run_app_command(["-m", "crm_backend", "migrate"], env)
    run_app_command(["-m", "crm_backend", "seed-demo", "--as-of", DEMO_AS_OF.isoformat()], env)
    config = StackConfig(
        env=env, crm_port=free_port(), actions_port=free_port(), rasa_port=free_port(), log_dir=work / "logs"
    )
    webhook_port = free_port()
    with Stack(config) as stack:
        # Only the main bridge delivers agents' replies; two pollers would race for them.
        child_env = {**stack.child_env(), "TELEGRAM_OUTBOX_INTERVAL": "0"}
        # Started first, as they need no Rasa to come up; Rasa's model takes the longest.
        stack.start_process(
            "telegram-rasa-down",
            BRIDGE,
            {**child_env, "TELEGRAM_BOT_TOKEN": RASA_DOWN_TOKEN, "RASA_URL": f"http://127.0.0.1:{free_port()}"},
        )
        stack.start_process(
            "telegram-webhook",
            BRIDGE,
            {
                **child_env,
                "TELEGRAM_BOT_TOKEN": WEBHOOK_TOKEN,
                "TELEGRAM_MODE": "webhook",
                "TELEGRAM_WEBHOOK_URL": f"https://bot.example.com/telegram/{WEBHOOK_TOKEN.split(':')[0]}",
                "TELEGRAM_WEBHOOK_PATH": f"telegram/{WEBHOOK_TOKEN.split(':')[0]}",
                "TELEGRAM_WEBHOOK_PORT": str(webhook_port),
                "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
            },
        )
        stack.start(("crm", "actions", "rasa", "telegram"))
        for token in (MAIN_TOKEN, RASA_DOWN_TOKEN):
            fake_telegram.wait_for(token, lambda call: call.method == "getUpdates" or call.method == "deleteWebhook")
        fake_telegram.wait_for(WEBHOOK_TOKEN, lambda call: call.method == "setWebhook")
        _wait_for_port(webhook_port, time.monotonic() + 30)
        yield TelegramStack(stack=stack, fake=fake_telegram, webhook_port=webhook_port)


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
