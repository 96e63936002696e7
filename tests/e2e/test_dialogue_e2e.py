"""Issue 16 through the real Rasa, action server and CRM: what the conversation is about, the
wait for a colleague, tickets with judgement, the name used once, other languages, overlong
messages, and the dialogue benchmark's runner on three scripted conversations of our own."""

import uuid

import httpx
import pytest
from sqlalchemy import select

from bench.dialogue.runner import Console, Runner, summarise
from crm_backend.core.db import make_engine, make_session_factory
from crm_backend.core.security import issue_customer_token
from crm_backend.handoff.models import Handoff
from crm_backend.orders.models import OrderStatus
from crm_backend.tickets.models import Ticket
from tests.factories import add_order
from tests.stack_fixtures import AGENT_PASSWORD, add_agent, rest_headers, stored_events

pytestmark = pytest.mark.e2e


def test_it_and_the_tracking_number_mean_the_order_being_discussed(web_stack, say, token, crm):
    order = add_order(crm, customer_id=291, status=OrderStatus.SHIPPED, placed_days_ago=2, skus=("KI0000", "GA2001"))
    me = token(291)
    first = say(f"where is my order {order.number}?", token=me)
    assert first[0].startswith("Hi ") and order.number in first[0]
    items = say("what's in it again?", token=me)
    assert items[0].startswith(f"Order {order.number} contains: 1 × ")  # not "I'm doing well"
    assert say("whats the tracking number", token=me) == [
        f"The tracking number of order {order.number} is DH0000000001 (DHL)."
    ]
    arrival = say("when will it arrive?", token=me)
    assert arrival[0].startswith(f"Order {order.number} is shipped") and "Hi " not in arrival[0]  # the name once


def test_my_last_order_is_the_most_recent_one(web_stack, say, token, crm):
    add_order(crm, customer_id=292, status=OrderStatus.DELIVERED, placed_days_ago=30, delivered_days_ago=25)
    newest = add_order(crm, customer_id=292, status=OrderStatus.PROCESSING, placed_days_ago=0)
    replies = say("what's in my last order?", token=token(292))
    assert replies[0].startswith(f"Order {newest.number} contains:")


def test_every_message_while_waiting_is_answered_and_never_mind_goes_back_to_the_bot(web_stack, say, token, crm):
    me = token(293)
    queued = say("I'd like to talk to a human please", token=me)
    assert "in the queue" in queued[0]
    waiting = say("how long will it take?", token=me)
    assert len(waiting) == 1 and "still number" in waiting[0]  # was silence
    handoff = crm.scalars(select(Handoff).where(Handoff.customer_id == 293)).one()
    assert handoff.status == "queued"
    assert say("never mind, I'll ask the bot", token=me)[0].startswith("All right, I've withdrawn the request")
    crm.expire_all()
    assert crm.get(Handoff, handoff.id).status == "cancelled"
    order = add_order(crm, customer_id=293, status=OrderStatus.PROCESSING, placed_days_ago=0)
    assert order.number in say(f"where is my order {order.number}", token=me)[0]  # the bot is back


def test_a_parcel_not_due_opens_nothing_and_one_damaged_parcel_one_ticket(web_stack, say, token, crm):
    me = token(294)
    on_time = add_order(crm, customer_id=294, status=OrderStatus.SHIPPED, placed_days_ago=1)
    replies = say(f"my parcel {on_time.number} is late", token=me)
    assert replies[0].startswith(f"Order {on_time.number} isn't late")
    assert crm.scalars(select(Ticket).where(Ticket.customer_id == 294)).first() is None
    damaged = add_order(crm, customer_id=294, status=OrderStatus.DELIVERED, placed_days_ago=5, delivered_days_ago=1)
    say(f"my parcel {damaged.number} arrived damaged", token=me, sender_id="e2e-damaged-294")
    later = say("the box was completely crushed", token=me, sender_id="e2e-damaged-294")
    say("the parcel arrived broken, what now?", token=me, sender_id="e2e-damaged-294")
    tickets = crm.scalars(select(Ticket).where(Ticket.customer_id == 294)).all()
    assert len(tickets) == 1 and len(tickets[0].messages) >= 2, later
    assert damaged.number in tickets[0].subject


def test_a_message_in_another_language_is_answered_in_english(web_stack, say):
    replies = say("Wo ist meine Bestellung? Ich warte schon seit einer Woche darauf.")
    assert replies == [
        "Sorry, I can only answer in English for now. Would you like me to put you through to a colleague?"
    ]


def test_an_overlong_message_gets_a_text_reply_not_a_bare_413(web_stack):
    sender = f"e2e-long-{uuid.uuid4().hex[:8]}"
    response = httpx.post(
        f"{web_stack.config.rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": "word " * 1200},
        headers=rest_headers(web_stack),
        timeout=60,
    )
    assert response.status_code == 200
    assert response.json()[0]["text"].startswith(
        "Sorry, that message is too long for me (the limit is 4000 characters)"
    )
    assert [e["metadata"].get("utter_action") for e in stored_events(web_stack, sender, "bot")] == [
        "utter_message_too_long"
    ]


def said(text: str, *outcome: str, changes: tuple = (), mentions: tuple = (), key: str = "user") -> dict:
    """One scripted turn in the benchmark's format."""
    return {key: text, "expect": {"outcome": list(outcome), "changes": list(changes), "mentions": list(mentions)}}


CONVERSATIONS = [
    {
        "id": "own-1",
        "verified": True,
        "tags": ["context", "items"],
        "turns": [
            said("where is my order {shipped_order}?", "order_status", mentions=("{shipped_order}",)),
            said("what's in it again?", "order_items", mentions=("{item_b}",)),
        ],
    },
    {
        "id": "own-2",
        "verified": True,
        "tags": ["ticket", "repeat_complaint"],
        "turns": [
            said("my parcel {late_order} still hasn't arrived", "ticket_opened", changes=({"ticket": "new"},)),
            said("{late_order} still hasn't arrived, it's really late", "ticket_updated"),
        ],
    },
    {
        "id": "own-3",
        "verified": True,
        "tags": ["handoff", "handoff_wait", "csat"],
        "turns": [
            said("I want to talk to a human", "handoff_queued"),
            said("hello? anyone there?", "handoff_wait_ack"),
            {"agent": "claims"},
            {
                "agent": "says",
                "text": "Hi {name}, Sam here.",
                "expect": said("", "agent_message", mentions=("Sam",))["expect"],
            },
            {"agent": "hands_back", "expect": said("", "csat_ask")["expect"]},
            said("5", "csat_thanks", key="click"),
        ],
    },
]


def test_the_dialogue_benchmark_runner_scores_three_conversations(web_stack):
    agent = add_agent(web_stack, name="Sam")
    engine = make_engine(web_stack.config.env["DATABASE_URL"])
    secret = web_stack.config.env["CUSTOMER_TOKEN_SECRET"]
    runner = Runner(
        rasa_url=web_stack.config.rasa_url,
        rest_token=web_stack.child_env()["REST_CHANNEL_TOKEN"],
        rasa_api_token=web_stack.config.env["RASA_API_TOKEN"],
        session_factory=make_session_factory(engine),
        console=Console(web_stack.config.crm_url, agent.email, AGENT_PASSWORD),
        token_for=lambda customer_id: issue_customer_token(customer_id, secret=secret, ttl_seconds=600),
    )
    try:
        results = {c["id"]: runner.play(c) for c in CONVERSATIONS}
    finally:
        runner.console.online(False)
        engine.dispose()
    summary = summarise(CONVERSATIONS, results)
    failures = [(cid, t.sent, t.labels, t.reply) for cid, turns in results.items() for t in turns if not t.ok]
    assert failures == []
    assert (summary["conversations"], summary["turns"]) == (3, 9)
    assert (summary["turn_success"], summary["unintended_data_changes"], summary["empty_replies"]) == (1.0, 0, 0)
    assert summary["per_tag"]["handoff"]["conversation_success"] == 1.0
