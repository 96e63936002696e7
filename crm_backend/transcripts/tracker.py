"""Rasa's SQL tracker store, read with SQLAlchemy 2 Core (written only by an erasure, which
deletes a customer's conversations: `crm_backend.privacy.tracker`).

Rasa writes one table, `events`: id, sender_id, type_name, timestamp (epoch float),
intent_name, action_name and data (the event's JSON). The same definition lets tests and
benchmarks create a tracker database of their own.
"""

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Engine, Float, Integer, MetaData, String, Table, Text, select

from crm_backend.core.db import make_engine

tracker_metadata = MetaData()
events_table = Table(
    "events",
    tracker_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)


def tracker_engine(url: str) -> Engine:
    """An engine for the tracker store at `url`. Build it once per process and keep it: the
    CRM service builds it at startup (`create_app`), the commands when they start."""
    return make_engine(url)


@dataclass
class StoredEvent:
    id: int
    sender_id: str
    type_name: str
    timestamp: float
    intent_name: str | None
    action_name: str | None
    data: dict[str, Any] = field(default_factory=dict)


def _parse(row) -> StoredEvent:
    try:
        data = json.loads(row.data) if row.data else {}
    except ValueError:
        data = {}
    return StoredEvent(
        id=row.id,
        sender_id=row.sender_id,
        type_name=row.type_name,
        timestamp=row.timestamp or 0.0,
        intent_name=row.intent_name,
        action_name=row.action_name,
        data=data if isinstance(data, dict) else {},
    )


def conversation_events(engine: Engine, conversation_id: str, *, after_id: int = 0) -> list[StoredEvent]:
    """Every event of one conversation after `after_id`, oldest first."""
    statement = (
        select(events_table)
        .where(events_table.c.sender_id == conversation_id, events_table.c.id > after_id)
        .order_by(events_table.c.id)
    )
    with engine.connect() as connection:
        return [_parse(row) for row in connection.execute(statement)]


def events_after(engine: Engine, after_id: int, limit: int) -> list[StoredEvent]:
    """Up to `limit` events with ids above `after_id`, in id order (for the indexer)."""
    statement = select(events_table).where(events_table.c.id > after_id).order_by(events_table.c.id).limit(limit)
    with engine.connect() as connection:
        return [_parse(row) for row in connection.execute(statement)]


def user_messages_after(engine: Engine, after_id: int, limit: int, *, containing: str) -> list[StoredEvent]:
    """Up to `limit` user messages after `after_id` whose stored JSON contains `containing`."""
    statement = (
        select(events_table)
        .where(
            events_table.c.id > after_id,
            events_table.c.type_name == "user",
            events_table.c.data.contains(containing, autoescape=True),
        )
        .order_by(events_table.c.id)
        .limit(limit)
    )
    with engine.connect() as connection:
        return [_parse(row) for row in connection.execute(statement)]


def fallback_texts(engine: Engine, *, since: float, until: float, limit: int) -> list[str]:
    """The texts of user messages that NLU could not classify, newest first."""
    statement = (
        select(events_table.c.data)
        .where(
            events_table.c.type_name == "user",
            events_table.c.intent_name == "nlu_fallback",
            events_table.c.timestamp >= since,
            events_table.c.timestamp < until,
        )
        .order_by(events_table.c.id.desc())
        .limit(limit)
    )
    texts = []
    with engine.connect() as connection:
        for (data,) in connection.execute(statement):
            try:
                text = json.loads(data).get("text")
            except (ValueError, AttributeError):
                continue
            if isinstance(text, str) and text and not text.startswith("/"):
                texts.append(text)
    return texts


def user_messages(engine: Engine) -> list[tuple[str, str]]:
    """(conversation id, text) of every user message, oldest first (for conversation analytics)."""
    statement = select(events_table).where(events_table.c.type_name == "user").order_by(events_table.c.id)
    with engine.connect() as connection:
        return [(row.sender_id, str(_parse(row).data.get("text") or "")) for row in connection.execute(statement)]


# The slots in which the bot remembers what a conversation is about (actions/context.py).
CONTEXT_SLOTS = {"context_order": "Order", "context_product": "Product", "context_ticket": "Ticket"}


def conversation_context(engine: Engine, conversation_id: str) -> dict[str, str]:
    """{label: value} of the order, product and ticket the conversation is about now, for agents."""
    statement = (
        select(events_table.c.action_name, events_table.c.data)
        .where(
            events_table.c.sender_id == conversation_id,
            events_table.c.type_name == "slot",
            events_table.c.action_name.in_(list(CONTEXT_SLOTS)),
        )
        .order_by(events_table.c.id)
    )
    latest: dict[str, str | None] = {}
    with engine.connect() as connection:
        for name, data in connection.execute(statement):
            try:
                value = json.loads(data).get("value") if data else None
            except (ValueError, AttributeError):
                value = None
            latest[name] = None if value in (None, "") else str(value)
    return {CONTEXT_SLOTS[name]: value for name, value in latest.items() if value is not None}
