"""The redacting tracker store (bot/tracker_store.py) on SQLite and PostgreSQL: a turn uses the
customer's card, phone, address and token in memory; the rows written hold none of them, and
the conversation read back from them goes on (form state, entities, the next turn's events)."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)

import bot  # noqa: F401 - what Rasa imports first (applies bot.speedups)
from bot.tracker_store import RedactingSQLTrackerStore

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = os.environ.get("TEST_POSTGRES_ADMIN_URL_RASA", "postgresql://postgres@127.0.0.1:5432/postgres")
CARD, PHONE, ADDRESS = "4111 1111 1111 1111", "07700 900123", "12 Queen's Road, Leeds LS1 4DT"
TOKEN = "eyJjdXN0b21lciI6NDJ9.c2lnbmF0dXJlLW9mLXRoZS1zaG9w"
TEXT = f"card {CARD} was charged twice for order 702733, call me on {PHONE}"


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "bot" / "domain"))


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
        return
    name = f"tracker_redaction_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        pytest.fail(f"PostgreSQL is not reachable at {POSTGRES}: {error}")
    url = sa.engine.make_url(POSTGRES).set(database=name)
    yield str(url)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def stored_rows(store: SQLTrackerStore, sender: str) -> list[dict]:
    with store.engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT type_name, intent_name, data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
        ).all()
    return [{"type_name": row.type_name, "intent_name": row.intent_name, **json.loads(row.data)} for row in rows]


def a_turn(tracker, domain: Domain) -> str:
    """What Rasa does in one turn: the message (understood in memory), then what the actions
    answer from it. Returns the bot's answer, built from the raw values."""
    order_start = TEXT.index("702733")
    phone_start = TEXT.index(PHONE)
    tracker.update(
        UserUttered(
            TEXT,
            intent={"name": "payment_problem", "confidence": 0.97},
            entities=[
                {"entity": "order_id", "value": "702733", "start": order_start, "end": order_start + 6},
                {"entity": "phone", "value": PHONE, "start": phone_start, "end": phone_start + len(PHONE)},
            ],
            metadata={"customer_token": TOKEN, "message_id": "m-1", "language": "en"},
        ),
        domain,
    )
    latest = tracker.latest_message
    assert latest.metadata["customer_token"] == TOKEN  # the actions see the token in memory
    answer = f"Ticket opened. We'll call {PHONE} about card ending {CARD[-4:]} and ship to {ADDRESS}."
    for event in (
        ActionExecuted("change_address_form"),
        ActiveLoop("change_address_form"),
        SlotSet("new_address", ADDRESS),
        SlotSet("requested_slot", "order_id"),
        SlotSet("order_id", "702733"),
        BotUttered(answer, metadata={"utter_action": "utter_ticket"}),
    ):
        tracker.update(event, domain)
    return answer


def test_stored_events_hold_no_card_phone_address_or_token(store_url, domain):
    store = RedactingSQLTrackerStore(domain=domain, host=store_url, private_slots=["new_address"])
    sender = f"c-{uuid.uuid4().hex}"

    async def run():
        tracker = await store.get_or_create_tracker(sender)
        tracker.update(SessionStarted(metadata={"customer_token": TOKEN}), domain)
        tracker.update(SlotSet("session_started_metadata", {"customer_token": TOKEN, "language": "en"}), domain)
        answer = a_turn(tracker, domain)
        await store.save(tracker)
        return answer

    answer = asyncio.run(run())
    assert PHONE in answer and ADDRESS in answer  # the answer was made from the raw values
    rows = stored_rows(store, sender)
    dump = json.dumps(rows)
    for secret in (CARD, CARD.replace(" ", ""), PHONE, "900123", "Queen's Road", TOKEN):
        assert secret not in dump
    user = next(row for row in rows if row["type_name"] == "user")
    assert user["intent_name"] == "payment_problem"
    assert user["text"] == "card [CARD] was charged twice for order 702733, call me on [PHONE]"
    assert user["parse_data"]["text"] == user["text"]
    assert user["metadata"] == {"message_id": "m-1", "language": "en"}
    assert user["parse_data"]["metadata"] == {"message_id": "m-1", "language": "en"}
    order, phone = user["parse_data"]["entities"]
    assert user["text"][order["start"] : order["end"]] == "702733" == order["value"]
    assert user["text"][phone["start"] : phone["end"]] == "[PHONE]" == phone["value"]
    slots = {row["name"]: row["value"] for row in rows if row["type_name"] == "slot"}
    assert slots["new_address"] == "[REDACTED]" and slots["order_id"] == "702733"
    assert slots["session_started_metadata"] == {"language": "en"}
    bot_row = next(row for row in rows if row["type_name"] == "bot")
    assert bot_row["text"].startswith("Ticket opened. We'll call [PHONE]")
    assert bot_row["metadata"] == {"utter_action": "utter_ticket"}


def test_the_conversation_goes_on_from_the_masked_events(store_url, domain):
    store = RedactingSQLTrackerStore(domain=domain, host=store_url, private_slots=["new_address"])
    sender = f"c-{uuid.uuid4().hex}"

    async def run():
        tracker = await store.get_or_create_tracker(sender)
        a_turn(tracker, domain)
        await store.save(tracker)
        again = await store.retrieve(sender)
        assert again is not None
        assert again.active_loop_name == "change_address_form" and again.get_slot("requested_slot") == "order_id"
        assert again.get_slot("order_id") == "702733"
        assert again.latest_message.intent["name"] == "payment_problem"
        assert [e["entity"] for e in again.latest_message.entities] == ["order_id", "phone"]
        again.update(UserUttered("thanks", intent={"name": "thank"}, metadata={"customer_token": TOKEN}), domain)
        again.update(BotUttered("You're welcome!"), domain)
        await store.save(again)
        return len(again.events)

    count = asyncio.run(run())
    rows = stored_rows(store, sender)
    assert len(rows) == count  # the second save appended only the new events
    assert [row["text"] for row in rows if row["type_name"] == "user"][-1] == "thanks"
    assert TOKEN not in json.dumps(rows)


def test_the_plain_sql_store_would_keep_them(tmp_path, domain):
    """The finding this store fixes: Rasa's own SQL tracker store writes everything raw."""
    store = SQLTrackerStore(domain=domain, host=f"sqlite:///{tmp_path / 'raw.db'}")

    async def run():
        tracker = await store.get_or_create_tracker("raw")
        a_turn(tracker, domain)
        await store.save(tracker)

    asyncio.run(run())
    dump = json.dumps(stored_rows(store, "raw"))
    assert CARD in dump and PHONE in dump and TOKEN in dump


def test_endpoints_configure_the_redacting_store(monkeypatch, tmp_path):
    from rasa.core.tracker_store import TrackerStore
    from rasa.utils.endpoints import read_endpoint_config

    env = {"TRACKER_DB_URL": f"sqlite:///{tmp_path / 't.db'}", "ACTION_ENDPOINT_URL": "http://127.0.0.1:1/webhook"}
    env.update(LOCK_STORE_TYPE="in_memory", LOCK_STORE_URL="", ACTION_SERVER_TOKEN="t" * 32)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    config = read_endpoint_config(str(ROOT / "bot" / "endpoints.yml"), "tracker_store")
    store = TrackerStore.create(config, Domain.empty())
    inner = getattr(store, "_tracker_store", store)
    assert isinstance(inner, RedactingSQLTrackerStore)
    # The address that waits for a yes is sealed by the action server (actions/sealed.py), not
    # masked here: masking it made the next turn send "[REDACTED]" to the CRM as the address.
    assert inner.private_slots == frozenset()


def test_events_sent_to_an_event_broker_are_masked_too(tmp_path, domain):
    """Rasa's SQL event broker (a real one, on SQLite) receives the same masked events."""
    from rasa.core.brokers.sql import SQLEventBroker

    broker = SQLEventBroker(db=str(tmp_path / "broker.db"))
    store = RedactingSQLTrackerStore(domain=domain, host=f"sqlite:///{tmp_path / 't.db'}", event_broker=broker)

    async def run():
        tracker = await store.get_or_create_tracker("brokered")
        a_turn(tracker, domain)
        await store.save(tracker)

    asyncio.run(run())
    with broker.engine.connect() as connection:
        published = [row.data for row in connection.execute(sa.text("SELECT data FROM events")).all()]
    assert any("[CARD]" in data for data in published)
    assert not any(CARD in data or PHONE in data or TOKEN in data for data in published)


def test_a_bot_events_response_variables_are_masked_too():
    from bot.tracker_store import redact_event

    event = {
        "event": "bot",
        "text": "Done: order 702733 now goes to 27 Queen's Road, Leeds LS1 4DT.",
        "metadata": {"utter_action": "utter_address_changed", "address": "27 Queen's Road, Leeds LS1 4DT"},
    }
    stored = json.dumps(redact_event(event))
    assert "Queen's Road" not in stored and "LS1 4DT" not in stored
    assert "utter_address_changed" in stored and "702733" in stored
