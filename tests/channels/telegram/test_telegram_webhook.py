"""Webhook mode: only posts carrying the secret token that was given to Telegram are read."""

import time

import httpx
import pytest

from tests.channels.conftest import WEBHOOK_SECRET, WEBHOOK_TOKEN
from tests.channels.telegram.fake_telegram import message_update

pytestmark = pytest.mark.e2e


def test_the_webhook_was_registered_with_its_secret(telegram_stack):
    [registration] = telegram_stack.fake.calls(WEBHOOK_TOKEN, "setWebhook")
    assert registration.params["url"] == "https://bot.example.com/telegram/1003"
    assert registration.params["secret_token"] == WEBHOOK_SECRET


@pytest.mark.parametrize("secret", ["wrong-secret", None])
def test_posts_without_the_right_secret_are_refused(telegram_stack, secret):
    fake, chat_id = telegram_stack.fake, 6001
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
    response = httpx.post(
        f"http://127.0.0.1:{telegram_stack.webhook_port}/telegram/1003",
        json={"update_id": 1, **message_update(chat_id, chat_id, "hello")},
        headers=headers,
    )
    assert response.status_code == 403
    time.sleep(1.0)
    assert [call for call in fake.calls(WEBHOOK_TOKEN) if call.chat_id == chat_id] == []


def test_posts_with_the_right_secret_are_answered(telegram_stack):
    fake, chat_id = telegram_stack.fake, 6002
    mark = fake.mark(WEBHOOK_TOKEN)
    response = httpx.post(
        f"http://127.0.0.1:{telegram_stack.webhook_port}/telegram/1003",
        json={"update_id": 2, **message_update(chat_id, chat_id, "hello")},
        headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET},
    )
    assert response.status_code == 200
    [answer] = fake.wait_for(
        WEBHOOK_TOKEN, lambda call: call.method == "sendMessage" and call.chat_id == chat_id, after=mark, timeout=60
    )
    assert answer.text.startswith("Hello! I'm Concierge")
