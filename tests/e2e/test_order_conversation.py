"""A whole conversation through Rasa's REST webhook, with a signed customer token."""

import json

import pytest
from sqlalchemy import create_engine, select, text

from actions.formatting import human_date
from crm_backend.core.db import make_engine, make_session_factory
from crm_backend.core.security import issue_customer_token
from crm_backend.orders.models import Order

pytestmark = pytest.mark.e2e


def order_in_crm(web_stack, **where) -> Order:
    engine = make_engine(web_stack.config.env["DATABASE_URL"])
    with make_session_factory(engine)() as db_session:
        statement = select(Order).filter_by(**where).order_by(Order.placed_at.desc()).limit(1)
        order = db_session.scalars(statement).one()
        order.shipments  # noqa: B018 - load before the session closes
    engine.dispose()
    return order


def test_verified_customer_gets_their_order_status_from_the_database(web_stack, say, token):
    order = order_in_crm(web_stack, customer_id=1, status="shipped")
    assert say("hello")[0].startswith("Hello! I'm Concierge, the shop's assistant.")
    personal = say("hello", token=token(1))
    assert len(personal) == 1 and "Ada" in personal[0]
    replies = say(f"where is my order {order.number}?", token=token(1))
    assert len(replies) == 1
    assert replies[0].startswith(f"Order {order.number} is shipped")  # the greeting used the name: once is enough
    assert human_date(order.shipment.shipped_at.isoformat()) in replies[0]
    assert human_date(order.estimated_delivery.isoformat()) in replies[0]


def test_another_customers_order_id_is_refused(web_stack, say, token):
    foreign = order_in_crm(web_stack, customer_id=2)
    replies = say(f"what's the status of order {foreign.number}", token=token(1))
    assert replies == [
        f"I couldn't find an order {foreign.number} on your account. Please check the number; "
        "it has six digits and is in your confirmation e-mail."
    ]


def test_unverified_user_is_asked_to_identify(web_stack, say):
    order = order_in_crm(web_stack, customer_id=1)
    replies = say(f"track order {order.number}")
    assert len(replies) == 1
    assert "only do that for signed-in customers" in replies[0]
    assert order.status not in replies[0]


def test_forged_token_gets_no_personal_data(web_stack, say):
    order = order_in_crm(web_stack, customer_id=1)
    forged = issue_customer_token(1, secret="not-the-server-secret-" * 2, ttl_seconds=600)
    replies = say(f"where is order {order.number}", token=forged)
    assert "signed-in customers" in replies[0] and "Ada" not in replies[0]


def test_every_turn_is_stored_in_the_tracker_store(web_stack, say, token):
    sender = "e2e-stored-turns"
    say("hi", sender_id=sender)
    say("where is my order?", token=token(1), sender_id=sender)
    engine = create_engine(web_stack.config.env["TRACKER_DB_URL"])
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT type_name, intent_name, data FROM events WHERE sender_id = :s ORDER BY id"),
            {"s": sender},
        ).all()
    engine.dispose()
    user_texts = [json.loads(row.data)["text"] for row in rows if row.type_name == "user"]
    bot_texts = [json.loads(row.data)["text"] for row in rows if row.type_name == "bot"]
    assert user_texts == ["hi", "where is my order?"]
    assert [row.intent_name for row in rows if row.type_name == "user"] == ["greet", "order_status"]
    assert bot_texts[-1].startswith("Hi Ada! Here are your most recent orders:")
