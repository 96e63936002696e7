"""Listing conversations (keyset pages over the summaries) and reading one transcript."""

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Select, select, tuple_
from sqlalchemy.orm import Session

from crm_backend.handoff.models import CsatRating
from crm_backend.handoff.service import store_csat
from crm_backend.transcripts.models import ConversationOrder, ConversationSummary
from crm_backend.transcripts.tracker import StoredEvent, conversation_events
from redaction import redact

PAGE_SIZE = 50


@dataclass
class ConversationFilters:
    """What the list can be narrowed by; every field is optional."""

    text: str | None = None
    customer_id: int | None = None
    order_number: str | None = None
    channel: str | None = None
    segment: str | None = None
    intent: str | None = None
    had_fallback: bool | None = None
    had_handoff: bool | None = None
    csat_max: int | None = None
    confidence_below: float | None = None
    since: float | None = None  # epoch seconds, on the last activity
    until: float | None = None

    def conditions(self) -> list:
        s = ConversationSummary
        conditions: list = []
        if self.text:
            conditions.append(s.search_text.like(f"%{_escape_like(self.text.lower())}%", escape="\\"))
        if self.customer_id is not None:
            conditions.append(s.customer_id == self.customer_id)
        if self.order_number:
            orders = select(ConversationOrder.conversation_id).where(
                ConversationOrder.order_number == self.order_number.strip().lstrip("#")
            )
            conditions.append(s.conversation_id.in_(orders))
        if self.channel:
            conditions.append(s.channel == self.channel)
        if self.segment:
            conditions.append(s.segment == self.segment)
        if self.intent:
            conditions.append((" " + s.intents + " ").like(f"% {_escape_like(self.intent)} %", escape="\\"))
        if self.had_fallback is not None:
            conditions.append(s.had_fallback.is_(self.had_fallback))
        if self.had_handoff is not None:
            conditions.append(s.had_handoff.is_(self.had_handoff))
        if self.csat_max is not None:
            conditions.append(s.csat <= self.csat_max)
        if self.confidence_below is not None:
            conditions.append(s.min_confidence < self.confidence_below)
        if self.since is not None:
            conditions.append(s.last_ts >= self.since)
        if self.until is not None:
            conditions.append(s.last_ts < self.until)
        return conditions


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def encode_cursor(summary: ConversationSummary) -> str:
    raw = json.dumps([summary.last_ts, summary.conversation_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[float, str] | None:
    """The (last_ts, conversation_id) a page starts after; a malformed cursor means page 1."""
    if not cursor:
        return None
    try:
        last_ts, conversation_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return float(last_ts), str(conversation_id)
    except (ValueError, TypeError):
        return None


def list_conversations(
    *, db_session: Session, filters: ConversationFilters, cursor: str | None = None, limit: int = PAGE_SIZE
) -> tuple[list[ConversationSummary], str | None]:
    """A page of conversations, most recent activity first, and the cursor of the next page.

    Keyset pagination on (last_ts, conversation_id): each page costs the same however deep
    it is, and the `ix_conversation_summaries_*` indexes serve the filters in that order.
    """
    rows = list(db_session.scalars(list_statement(filters, cursor=cursor, limit=limit + 1)))
    next_cursor = encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return rows[:limit], next_cursor


def list_statement(filters: ConversationFilters, *, cursor: str | None = None, limit: int = PAGE_SIZE) -> Select:
    """The query of one page (`limit` rows). The text search is `search_text LIKE '%words%'`,
    which PostgreSQL answers from the trigram index (migration 0007)."""
    s = ConversationSummary
    conditions = filters.conditions()
    after = decode_cursor(cursor)
    if after is not None:
        last_ts, conversation_id = after
        # A row-value comparison, which SQLite and PostgreSQL both answer from the index.
        conditions.append(tuple_(s.last_ts, s.conversation_id) < tuple_(last_ts, conversation_id))
    return select(s).where(*conditions).order_by(s.last_ts.desc(), s.conversation_id.desc()).limit(limit)


def get_summary(*, db_session: Session, conversation_id: str) -> ConversationSummary | None:
    return db_session.get(ConversationSummary, conversation_id)


def distinct_values(*, db_session: Session, column) -> list[str]:
    """The values a filter can take (channels, segments), for the filter form."""
    statement = select(column).where(column.is_not(None)).distinct().order_by(column).limit(100)
    return [value for value in db_session.scalars(statement)]


# --- one transcript ----------------------------------------------------------------------


@dataclass
class TranscriptItem:
    """One line of a transcript as the console shows it (texts already redacted)."""

    kind: str  # user | bot | action | marker
    event_id: int
    at: datetime
    text: str = ""
    intent: str | None = None
    confidence: float | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    ranking: list[dict[str, Any]] = field(default_factory=list)
    name: str | None = None  # action name, or the marker (paused, resumed, session started)
    buttons: list[str] = field(default_factory=list)
    by_agent: bool = False
    payload: str | None = None  # a button press: the payload sent; `text` is the button's title


MARKERS = {
    "pause": "conversation paused (handoff)",
    "resume": "conversation resumed",
    "session_started": "session started",
}


def transcript_items(events: list[StoredEvent]) -> list[TranscriptItem]:
    """The events worth reading, in order: messages, actions and pause/resume markers."""
    items: list[TranscriptItem] = []
    offered: dict[str, str] = {}  # payload -> title of the buttons the bot last showed
    for event in events:
        at = datetime.fromtimestamp(event.timestamp, UTC)
        data = event.data
        if event.type_name == "user":
            parse = data.get("parse_data") or {}
            intent = parse.get("intent") or {}
            text = redact(data.get("text") or "")
            title = offered.get(text.strip()) if text.startswith("/") else None
            items.append(
                TranscriptItem(
                    kind="user",
                    event_id=event.id,
                    at=at,
                    text=title or text,
                    payload=text if title else None,
                    intent=intent.get("name"),
                    confidence=intent.get("confidence"),
                    entities=unique_entities(parse.get("entities") or []),
                    ranking=[r for r in (parse.get("intent_ranking") or [])[:3] if isinstance(r, dict)],
                )
            )
        elif event.type_name == "bot":
            buttons = [b for b in ((data.get("data") or {}).get("buttons")) or [] if isinstance(b, dict)]
            offered = {str(b.get("payload", "")): str(b.get("title", "")) for b in buttons} or offered
            metadata = data.get("metadata") or {}
            items.append(
                TranscriptItem(
                    kind="bot",
                    event_id=event.id,
                    at=at,
                    text=redact(data.get("text") or ""),
                    buttons=[str(b.get("title", "")) for b in buttons],
                    by_agent=bool(isinstance(metadata, dict) and metadata.get("agent_id")),
                    name=metadata.get("agent_name") if isinstance(metadata, dict) else None,
                )
            )
        elif event.type_name == "action" and event.action_name not in (None, "action_listen"):
            items.append(TranscriptItem(kind="action", event_id=event.id, at=at, name=event.action_name))
        elif event.type_name in MARKERS:
            items.append(TranscriptItem(kind="marker", event_id=event.id, at=at, name=MARKERS[event.type_name]))
    return items


def unique_entities(entities: list) -> list[dict[str, Any]]:
    """Each (entity, value) once: several extractors (and a button's payload) name the same one."""
    found: dict[tuple, dict[str, Any]] = {}
    for e in entities:
        if isinstance(e, dict):
            value = redact(str(e.get("value")))
            found.setdefault(
                (e.get("entity"), value), {"entity": e.get("entity"), "value": value, "extractor": e.get("extractor")}
            )
    return list(found.values())


def load_transcript(tracker: Engine, conversation_id: str, *, after_id: int = 0) -> list[TranscriptItem]:
    return transcript_items(conversation_events(tracker, conversation_id, after_id=after_id))


def find_user_message(tracker: Engine, conversation_id: str, event_id: int) -> TranscriptItem | None:
    """One user message of a conversation, by its event id (for annotating it)."""
    for item in load_transcript(tracker, conversation_id):
        if item.kind == "user" and item.event_id == event_id:
            return item
    return None


def record_csat(*, db_session: Session, conversation_id: str, score: int, customer_id: int | None) -> CsatRating:
    """Store a rating (for the agent of a just-closed handoff, else the bot) and show it on the
    conversation's summary at once, before the indexer next reads the tracker store."""
    rating = store_csat(db_session=db_session, conversation_id=conversation_id, score=score, customer_id=customer_id)
    summary = db_session.get(ConversationSummary, conversation_id)
    if summary is not None:
        summary.csat = score
        db_session.flush()
    return rating
