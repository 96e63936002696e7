"""Claiming someone else's conversation (issue 14, finding 2), against the real processes.

Customer A is verified in conversation X. Customer B then sends their own valid token into
X, through Rasa's REST channel, and asks about their order. Before conversations had owners,
the CRM's index took the latest valid token for X's customer: the console showed B as X's
customer, and exporting or erasing B exported or erased A's messages. Now B is refused (the
bot asks for a new chat), and the console, the export and the erasure all follow X's owner.
"""

import json
import uuid

import httpx
import pytest
from playwright.sync_api import expect

from crm_backend.agents.models import Role
from crm_backend.core.security import issue_customer_token
from crm_backend.customers.models import Customer
from crm_backend.orders.models import OrderStatus
from tests.factories import add_order
from tests.stack_fixtures import AGENT_PASSWORD, add_agent, console_login, send_rest, tracker_texts

pytestmark = [pytest.mark.e2e, pytest.mark.attack("conversation_relabel")]
BELONGS_TO_ANOTHER = "This chat belongs to another signed-in customer"


def _customer(crm, tag: str) -> tuple[Customer, str]:
    """A new customer with a shipped order of their own; returns the customer and the order number."""
    customer = Customer(
        first_name=f"Own{tag}", last_name=f"Er{uuid.uuid4().hex[:6]}", email=f"{tag}-{uuid.uuid4().hex[:6]}@example.org"
    )
    crm.add(customer)
    crm.commit()
    order = add_order(crm, customer_id=customer.id, status=OrderStatus.SHIPPED)
    return customer, order.number


def _texts(replies: list[dict]) -> str:
    return "\n".join(reply.get("text") or "" for reply in replies)


def _admin_api(stack) -> httpx.Client:
    admin = add_agent(stack, Role.ADMIN, "Privacy")
    client = httpx.Client(base_url=stack.config.crm_url, timeout=60)
    response = client.post("/api/auth/login", json={"email": admin.email, "password": AGENT_PASSWORD})
    assert response.status_code == 200, response.text
    client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
    return client


def test_a_token_for_b_never_relabels_a_conversation_of_a(web_stack, crm, console_page):
    stack = web_stack
    secret = stack.config.env["CUSTOMER_TOKEN_SECRET"]
    (a, a_order), (b, b_order) = _customer(crm, "a"), _customer(crm, "b")
    a_token = issue_customer_token(a.id, secret=secret, ttl_seconds=600)
    b_token = issue_customer_token(b.id, secret=secret, ttl_seconds=600)
    conversation = f"owner-e2e-{uuid.uuid4().hex[:10]}"

    # A is verified in X: the CRM records A as its owner.
    mine = _texts(send_rest(stack, conversation, f"where is my order {a_order}?", a_token))
    assert f"Order {a_order} is shipped" in mine, mine
    # B's valid token in X is refused, whatever B asks; nothing of A's comes back.
    for message in (f"where is my order {b_order}?", f"where is my order {a_order}?"):
        replies = _texts(send_rest(stack, conversation, message, b_token))
        assert BELONGS_TO_ANOTHER in replies, (message, replies)
        assert a.first_name not in replies and b.first_name not in replies and "shipped" not in replies
    greeting = _texts(send_rest(stack, conversation, "hello", b_token))
    assert greeting and a.first_name not in greeting and b.first_name not in greeting  # the general greeting
    # The owner is still served in X.
    assert f"Order {a_order} is shipped" in _texts(
        send_rest(stack, conversation, f"where is my order {a_order}?", a_token)
    )
    x_messages = tracker_texts(stack, conversation, "user")
    assert len(x_messages) == 5

    # The console: X's customer-360 panel shows A, never B.
    page = console_page
    console_login(page, add_agent(stack, Role.AGENT, "Owner"))
    page.goto(f"/console/conversations/{conversation}")
    expect(page.locator("#customer-360")).to_contain_text(a.last_name)
    assert b.last_name not in page.content()

    # Exporting B holds nothing of X.
    api = _admin_api(stack)
    exported = api.get(f"/api/customers/{b.id}/export")
    assert exported.status_code == 200, exported.text
    document = json.dumps(exported.json())
    assert conversation not in document and a_order not in document
    assert not [text for text in x_messages if text and text in document]

    # Erasing B leaves X intact: its events, its owner, its console page.
    erased = api.post(f"/api/customers/{b.id}/erase")
    assert erased.status_code == 200, erased.text
    assert tracker_texts(stack, conversation, "user") == x_messages
    page.goto(f"/console/conversations/{conversation}")
    expect(page.locator("#customer-360")).to_contain_text(a.last_name)
    assert f"Order {a_order} is shipped" in _texts(
        send_rest(stack, conversation, f"where is my order {a_order}?", a_token)
    )
