"""Issue 14, finding 5: personal data does not rest in the clear.

Against the real Rasa (with bot/endpoints.yml's tracker store), action server and CRM: a
customer's card number, phone number, new address and signed token are used in the turn
(the ticket is theirs, the order's address changes) but none of them reaches Rasa's events
table, nor the ticket's text; and the conversation goes on from the masked events.
"""

import json
import uuid

import pytest
from sqlalchemy import select

from crm_backend.core.security import issue_customer_token
from crm_backend.orders.models import Order, OrderStatus
from crm_backend.tickets.models import Ticket
from tests.factories import add_order
from tests.stack_fixtures import send_rest, stored_events

pytestmark = [pytest.mark.e2e, pytest.mark.attack("pii_at_rest")]

CARD, PHONE = "4111 1111 1111 1111", "07700 900123"
NEW_ADDRESS = "27 Queen's Road, Leeds LS1 4DT"


def say(web_stack, sender: str, message: str, token: str) -> list[str]:
    return [reply.get("text", "") for reply in send_rest(web_stack, sender, message, token)]


def token_for(web_stack, customer_id: int) -> str:
    return issue_customer_token(customer_id, secret=web_stack.config.env["CUSTOMER_TOKEN_SECRET"], ttl_seconds=600)


def test_a_card_number_phone_and_token_leave_nothing_in_the_events_table(web_stack, crm):
    sender, token = f"pii-{uuid.uuid4().hex[:12]}", token_for(web_stack, 51)
    replies = say(web_stack, sender, f"I was charged twice on my card {CARD}, call me on {PHONE}", token)
    assert any("opened ticket #" in reply for reply in replies), replies
    ticket_id = int(next(r for r in replies if "ticket #" in r).split("ticket #")[1].split(" ")[0])
    ticket = crm.get(Ticket, ticket_id)
    assert ticket.customer_id == 51  # the token was used in the turn
    assert ticket.messages[0].body == "I was charged twice on my card [CARD], call me on [PHONE]"

    assert say(web_stack, sender, "where is my order?", token)[0].startswith("Hi ")  # the next turn works

    events = stored_events(web_stack, sender)
    dump = json.dumps(events)
    for secret in (CARD, CARD.replace(" ", ""), PHONE, PHONE.replace(" ", ""), token):
        assert secret not in dump
    users = [event for event in events if event["type_name"] == "user"]
    assert [event["text"] for event in users] == [
        "I was charged twice on my card [CARD], call me on [PHONE]",
        "where is my order?",
    ]
    assert all("customer_token" not in (event.get("metadata") or {}) for event in events)
    assert all("customer_token" not in (event["parse_data"].get("metadata") or {}) for event in users)


def test_an_address_change_uses_the_address_and_stores_it_masked(web_stack, crm):
    order = add_order(crm, customer_id=52, status=OrderStatus.PROCESSING, placed_days_ago=0)
    crm.commit()
    sender, token = f"pii-{uuid.uuid4().hex[:12]}", token_for(web_stack, 52)
    say(web_stack, sender, "I need to change the delivery address of my order", token)
    assert "new delivery address" in say(web_stack, sender, order.number, token)[0]  # the form goes on
    question = send_rest(web_stack, sender, NEW_ADDRESS, token)  # stated exactly, then a yes
    assert NEW_ADDRESS in question[0]["text"] and question[0]["buttons"][0]["payload"] == "/affirm"
    replies = say(web_stack, sender, "/affirm", token)  # the Yes button the bot sent
    assert replies == [f"Done: order {order.number} will be delivered to {NEW_ADDRESS}."]
    crm.expire_all()
    assert crm.scalars(select(Order.shipping_address).where(Order.id == order.id)).one() == NEW_ADDRESS

    events = stored_events(web_stack, sender)
    dump = json.dumps(events)
    assert "Queen's Road" not in dump and "LS1 4DT" not in dump and token not in dump
    assert order.number in dump  # an order number is not personal data: transcripts keep it
    bot_texts = [event["text"] for event in events if event["type_name"] == "bot"]
    assert f"Done: order {order.number} will be delivered to [ADDRESS], Leeds [POSTCODE]." in bot_texts
