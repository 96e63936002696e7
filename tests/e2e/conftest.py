"""Conversations through Rasa's REST channel, against the session's real Rasa, action and CRM
processes (`web_stack` and `crm`: tests/stack_fixtures.py)."""

from collections.abc import Callable

import pytest

from crm_backend.core.security import issue_customer_token
from tests.stack_fixtures import send_rest


@pytest.fixture
def say(web_stack, request) -> Callable[..., list[str]]:
    """Send one message through Rasa's REST channel; returns the bot's texts."""
    sender = f"e2e-{request.node.name}"

    def send(message: str, token: str | None = None, sender_id: str = sender) -> list[str]:
        return [reply.get("text", "") for reply in send_rest(web_stack, sender_id, message, token)]

    return send


@pytest.fixture
def token(web_stack) -> Callable[[int], str]:
    """A signed token for a customer, as the shop's backend issues it."""

    def make(customer_id: int) -> str:
        return issue_customer_token(customer_id, secret=web_stack.config.env["CUSTOMER_TOKEN_SECRET"], ttl_seconds=600)

    return make
