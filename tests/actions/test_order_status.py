"""action_order_status against a real CRM service, replaying recorded trackers."""

import pytest
from sqlalchemy import select

from actions.formatting import human_date
from actions.orders import ActionOrderStatus
from crm_backend.core.db import make_engine, make_session_factory
from crm_backend.orders.models import Order
from tests.actions.helpers import run, text_of

CLEARED_SLOT = [{"event": "slot", "timestamp": None, "name": "order_id", "value": None}]


async def run_action(tracker):
    return await run(ActionOrderStatus(), tracker)


def stored_order(database_url: str, number: str) -> Order:
    engine = make_engine(database_url)
    with make_session_factory(engine)() as db_session:
        order = db_session.scalars(select(Order).where(Order.number == number)).one()
        order.shipments  # noqa: B018 - load before the session closes
    engine.dispose()
    return order


async def test_verified_customer_gets_status_and_dates_from_the_database(action_env, load_tracker, seeded_database_url):
    order = stored_order(seeded_database_url, "702733")
    assert order.customer_id == 1 and order.status == "shipped"
    messages, events = await run_action(load_tracker("order_status_with_id", customer_id=1))
    # The name once per conversation, and the order is now the one being discussed (issue 16).
    name_used = {"event": "slot", "timestamp": None, "name": "name_used", "value": True}
    discussed = {"event": "slot", "timestamp": None, "name": "context_order", "value": "702733"}
    assert events == [name_used, discussed, *CLEARED_SLOT]
    assert len(messages) == 1
    text = text_of(messages[0])
    assert text.startswith("Hi Ada! Order 702733 is shipped")
    assert human_date(order.shipment.shipped_at.isoformat()) in text
    assert human_date(order.estimated_delivery.isoformat()) in text
    assert order.shipment.tracking_number in text


async def test_someone_elses_order_is_refused_without_revealing_anything(action_env, load_tracker):
    messages, _ = await run_action(load_tracker("order_status_with_id", customer_id=2))
    text = text_of(messages[0])
    assert text.startswith("I couldn't find an order 702733 on your account")
    assert "shipped" not in text and "Ada" not in text


async def test_unverified_user_is_asked_to_identify(action_env, load_tracker):
    messages, events = await run_action(load_tracker("order_status_with_id"))
    assert messages[0]["response"] == "utter_ask_identify"
    assert events == CLEARED_SLOT


async def test_token_from_an_earlier_message_does_not_count(action_env, load_tracker):
    tracker = load_tracker("order_status_with_id", customer_id=1)
    token = tracker.latest_message["metadata"].pop("customer_token")
    tracker.events[3]["metadata"] = {"customer_token": token}
    messages, _ = await run_action(tracker)
    assert messages[0]["response"] == "utter_ask_identify"


async def test_forged_token_is_treated_as_unverified(action_env, load_tracker):
    tracker = load_tracker("order_status_with_id")
    tracker.latest_message["metadata"]["customer_token"] = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.forged"
    messages, _ = await run_action(tracker)
    assert messages[0]["response"] == "utter_ask_identify"


async def test_without_an_order_id_the_recent_orders_are_listed(action_env, load_tracker, seeded_database_url):
    messages, _ = await run_action(load_tracker("order_status_without_id", customer_id=1))
    text = text_of(messages[0])
    engine = make_engine(seeded_database_url)
    with make_session_factory(engine)() as db_session:
        recent = db_session.scalars(
            select(Order.number).where(Order.customer_id == 1).order_by(Order.placed_at.desc()).limit(3)
        ).all()
    engine.dispose()
    assert text.startswith("Hi Ada! Here are your most recent orders:")
    assert [number for number in recent if number in text] == list(recent)


async def test_crm_down_gives_an_apology_not_a_crash(monkeypatch, action_env, load_tracker):
    from ops.stack import free_port

    monkeypatch.setenv("CRM_URL", f"http://127.0.0.1:{free_port()}")
    messages, events = await run_action(load_tracker("order_status_with_id", customer_id=1))
    assert messages[0]["response"] == "utter_service_unavailable"
    assert events == CLEARED_SLOT


@pytest.mark.parametrize("number", ["12 OR 1=1", "../me", "..", "702733/../../me", "%2e%2e"])
async def test_malformed_order_number_gets_a_clear_answer(action_env, load_tracker, number):
    tracker = load_tracker("order_status_with_id", customer_id=1)
    tracker.latest_message["entities"][0]["value"] = number
    messages, _ = await run_action(tracker)
    assert "doesn't look like one of our order numbers" in text_of(messages[0])


@pytest.mark.parametrize(
    ("written", "number"),
    [("702733", "702733"), ("#702733", "702733"), ("702 733", "702733"), ("ord-702733", "702733"),
     ("order no. 702 733", "702733"), ("702-733", "702733"), ("7027333", "7027333"), ("70273", None),
     ("12345678901", None), ("soon", None)],
)  # fmt: skip
def test_order_numbers_are_read_in_the_forms_customers_write(written, number):
    from actions.base import valid_order_number

    assert valid_order_number(written) == number


def test_the_order_number_format_is_the_shop_s_setting(monkeypatch):
    from actions.base import valid_order_number

    monkeypatch.setenv("ORDER_NUMBER_LENGTH", "6")
    assert (valid_order_number("#702733"), valid_order_number("7027333")) == ("702733", None)
    monkeypatch.setenv("ORDER_NUMBER_PATTERN", r"[A-Z]{2}\d{6}")
    assert (valid_order_number("order no. AB702733"), valid_order_number("702733")) == ("AB702733", None)
