"""Incremental indexer: Rasa's new events → `conversation_summaries`.

It remembers the highest event id it has read (`transcript_index_state`) and folds only
newer events into the summaries, so running it often is cheap. Every aggregate (counts,
minimum confidence, flags, first/last time) can be updated from new events alone.
Run it with `python -m crm_backend transcripts index`; the console also runs it before
listing conversations.

A conversation's customer is its recorded owner (`crm_backend.conversations.ownership`),
never a token seen in its messages: anyone can send their own valid token into someone
else's conversation. Old conversations stored with tokens get their owner from the first
valid one (`crm_backend.transcripts.identity`), read with a watermark of its own.
"""

import hashlib
import logging
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session

from crm_backend.conversations.ownership import owners_of
from crm_backend.customers.models import Customer
from crm_backend.handoff.models import CsatRating
from crm_backend.insights.models import CustomerScore
from crm_backend.transcripts.identity import TokenVerifier, claim_owners_from_tokens, messages_with_tokens
from crm_backend.transcripts.models import ConversationOrder, ConversationSummary, TranscriptIndexState
from crm_backend.transcripts.tracker import StoredEvent, events_after
from protocol.limits import MAX_CONVERSATION_ID_CHARS
from redaction import get_redactor

logger = logging.getLogger(__name__)

BATCH_EVENTS = 20_000
MAX_SEARCH_CHARS = 4000
FALLBACK_INTENT = "nlu_fallback"
FALLBACK_ACTIONS = {"action_default_fallback", "action_handle_fallback", "action_two_stage_fallback"}
HANDOFF_ACTION = "action_human_handoff"
ORDER_NUMBER = re.compile(r"(?<!\d)\d{6}(?!\d)")
_index_lock = threading.Lock()


@dataclass
class IndexResult:
    events: int
    conversations: int
    last_event_id: int


def message_channel(event: StoredEvent) -> str | None:
    """The channel of a user message: the Rasa input channel that received it, which Rasa
    stores in the event. Never the metadata, which the client writes."""
    channel = event.data.get("input_channel")
    return channel[:20] if isinstance(channel, str) and channel else None


def intent_of(event: StoredEvent) -> tuple[str | None, float | None]:
    intent = (event.data.get("parse_data") or {}).get("intent") or {}
    confidence = intent.get("confidence")
    return intent.get("name") or event.intent_name, float(confidence) if confidence is not None else None


def order_numbers(event: StoredEvent) -> set[str]:
    """Order numbers named in a user message (entities, or six digits in the text)."""
    numbers = set(ORDER_NUMBER.findall(event.data.get("text") or ""))
    for entity in (event.data.get("parse_data") or {}).get("entities") or []:
        if entity.get("entity") == "order_id" and entity.get("value"):
            numbers.add(str(entity["value"]).strip().lstrip("#")[:40])
    return numbers


def _new_summary(conversation_id: str, first: StoredEvent) -> ConversationSummary:
    return ConversationSummary(
        conversation_id=conversation_id,
        started_ts=first.timestamp,
        last_ts=first.timestamp,
        turns=0,
        had_fallback=False,
        had_handoff=False,
        intents="",
        search_text="",
        last_event_id=0,
    )


def _fold(
    summary: ConversationSummary, events: list[StoredEvent], verifier: TokenVerifier
) -> tuple[set[str], set[int]]:
    """Fold new events into a summary; returns the order numbers they mention, and the
    customers that tokens in them name (they label nothing; an erased one's words are forgotten)."""
    redactor = get_redactor()
    intents = set(summary.intents.split())
    texts: list[str] = []
    orders: set[str] = set()
    token_customers: set[int] = set()
    for event in events:
        summary.started_ts = min(summary.started_ts, event.timestamp)
        summary.last_ts = max(summary.last_ts, event.timestamp)
        summary.last_event_id = max(summary.last_event_id or 0, event.id)
        if event.type_name == "user":
            summary.turns += 1
            summary.channel = summary.channel or message_channel(event)
            customer_id = verifier.customer_id(event.data.get("metadata"))
            if customer_id is not None:
                token_customers.add(customer_id)
            intent, confidence = intent_of(event)
            if intent:
                intents.add(intent)
            if intent == FALLBACK_INTENT:
                summary.had_fallback = True
            text = (event.data.get("text") or "").strip()
            if confidence is not None and not text.startswith("/"):
                summary.min_confidence = (
                    confidence if summary.min_confidence is None else min(summary.min_confidence, confidence)
                )
            if text and not text.startswith("/"):
                redacted = redactor.redact(text)
                texts.append(redacted)
                if summary.first_message is None:
                    summary.first_message = redacted[:200]
            orders |= order_numbers(event)
        elif event.type_name == "action":
            if event.action_name in FALLBACK_ACTIONS:
                summary.had_fallback = True
            if event.action_name == HANDOFF_ACTION:
                summary.had_handoff = True
        elif event.type_name == "pause":
            summary.had_handoff = True
    summary.intents = " ".join(sorted(intents))[:4000]
    if texts:
        summary.search_text = (summary.search_text + "\n" + "\n".join(texts).lower()).strip()[:MAX_SEARCH_CHARS]
    return orders, token_customers


def watermark_name(tracker: Engine, kind: str = "events") -> str:
    """One watermark per tracker store: event ids only mean something within one store."""
    url = tracker.url.render_as_string(hide_password=True)
    return f"{kind}:" + hashlib.sha256(url.encode()).hexdigest()[:24]


def index_new_events(
    *,
    db_session: Session,
    tracker: Engine,
    secret: str,
    batch_events: int = BATCH_EVENTS,
    max_batches: int | None = None,
) -> IndexResult:
    """Fold every event newer than the watermark into the summaries; the caller commits.

    One process indexes at a time (a lock); `max_batches` bounds the work of one call.
    """
    verifier = TokenVerifier(secret)
    state_name = watermark_name(tracker)
    total_events = 0
    touched_ids: set[str] = set()
    with _index_lock:
        _claim_owners_from_stored_tokens(db_session, tracker, verifier, batch_events, max_batches)
        state = _state(db_session, state_name)
        fetch = partial(events_after, tracker)
        for events in _batches_past(db_session, state, fetch, batch_events, max_batches):
            touched_ids |= _index_batch(db_session, events, verifier)
            total_events += len(events)
    if total_events:
        logger.info("Indexed %s events of %s conversations", total_events, len(touched_ids))
    return IndexResult(events=total_events, conversations=len(touched_ids), last_event_id=state.last_event_id)


def _claim_owners_from_stored_tokens(
    db_session: Session, tracker: Engine, verifier: TokenVerifier, batch_events: int, max_batches: int | None
) -> None:
    """Record owners from the tokens of stored messages (older conversations), and label
    their summaries with them; bounded like the index."""
    state = _state(db_session, watermark_name(tracker, "owners"))
    fetch = partial(messages_with_tokens, tracker)
    for events in _batches_past(db_session, state, fetch, batch_events, max_batches):
        owners = claim_owners_from_tokens(db_session=db_session, events=events, verifier=verifier)
        for conversation_id, owner in owners.items():
            db_session.execute(
                update(ConversationSummary)
                .where(ConversationSummary.conversation_id == conversation_id)
                .values(customer_id=owner)
            )


def _batches_past(
    db_session: Session, state, fetch: Callable[[int, int], list], batch_events: int, max_batches: int | None
) -> Iterator[list]:
    """Batches of `fetch(after_id, limit)` past the watermark `state`, which moves after each
    batch is handled; at most `max_batches` (None: until no event is left)."""
    batches = 0
    while max_batches is None or batches < max_batches:
        events = fetch(state.last_event_id, batch_events)
        if not events:
            return
        yield events
        state.last_event_id = events[-1].id
        state.updated_ts = time.time()
        db_session.flush()
        batches += 1
        if len(events) < batch_events:
            return


def _state(db_session: Session, name: str) -> TranscriptIndexState:
    state = db_session.get(TranscriptIndexState, name)
    if state is None:
        state = TranscriptIndexState(name=name, last_event_id=0)
        db_session.add(state)
    return state


def _index_batch(db_session: Session, events: list[StoredEvent], verifier: TokenVerifier) -> set[str]:
    by_conversation: dict[str, list[StoredEvent]] = defaultdict(list)
    for event in events:
        by_conversation[event.sender_id[:MAX_CONVERSATION_ID_CHARS]].append(event)
    ids = list(by_conversation)
    existing: dict[str, ConversationSummary] = {}
    known_orders: set[tuple[str, str]] = set()
    for chunk in _chunks(ids, 500):
        existing.update(
            (s.conversation_id, s)
            for s in db_session.scalars(
                select(ConversationSummary).where(ConversationSummary.conversation_id.in_(chunk))
            )
        )
        known_orders.update(
            db_session.execute(
                select(ConversationOrder.conversation_id, ConversationOrder.order_number).where(
                    ConversationOrder.conversation_id.in_(chunk)
                )
            ).all()
        )
    new_orders: list[ConversationOrder] = []
    new_summaries: list[ConversationSummary] = []
    token_customers: dict[str, set[int]] = {}
    owners = owners_of(db_session=db_session, conversation_ids=ids)
    for conversation_id, conversation_events in by_conversation.items():
        summary = existing.get(conversation_id)
        if summary is None:
            summary = _new_summary(conversation_id, conversation_events[0])
            new_summaries.append(summary)
            existing[conversation_id] = summary
        numbers, token_customers[conversation_id] = _fold(summary, conversation_events, verifier)
        summary.customer_id = owners.get(conversation_id)
        for number in numbers:
            if (conversation_id, number) not in known_orders:
                known_orders.add((conversation_id, number))
                new_orders.append(ConversationOrder(conversation_id=conversation_id, order_number=number))
    forgotten = _forget_erased_customers(db_session, list(existing.values()), token_customers)
    _attach_scores_and_csat(db_session, list(existing.values()))
    db_session.add_all(new_summaries)
    db_session.flush()
    db_session.add_all(o for o in new_orders if o.conversation_id not in forgotten)
    return set(ids)


def _forget_erased_customers(
    db_session: Session, summaries: list[ConversationSummary], token_customers: dict[str, set[int]]
) -> set[str]:
    """Events stored before a customer's erasure but indexed after it must not link the
    conversation to them again: such summaries (their events carry an erased customer's
    token) keep no customer, words or order numbers. Returns their conversation ids."""
    customer_ids = sorted(set().union(*token_customers.values()))
    erased: set[int] = set()
    for chunk in _chunks(customer_ids, 500):
        statement = select(Customer.id).where(Customer.id.in_(chunk), Customer.erased_at.is_not(None))
        erased.update(db_session.scalars(statement))
    forgotten = {s.conversation_id for s in summaries if token_customers.get(s.conversation_id, set()) & erased}
    for summary in summaries:
        if summary.conversation_id in forgotten:
            summary.customer_id = None
            summary.segment = None
            summary.search_text = ""
            summary.first_message = None
    if forgotten:
        db_session.execute(delete(ConversationOrder).where(ConversationOrder.conversation_id.in_(sorted(forgotten))))
    return forgotten


def _attach_scores_and_csat(db_session: Session, summaries: list[ConversationSummary]) -> None:
    """Copy each customer's segment and the conversation's latest CSAT into the summaries."""
    customer_ids = sorted({s.customer_id for s in summaries if s.customer_id is not None})
    segments: dict[int, str | None] = {}
    for chunk in _chunks(customer_ids, 500):
        statement = select(CustomerScore.customer_id, CustomerScore.segment).where(CustomerScore.customer_id.in_(chunk))
        segments.update(db_session.execute(statement).all())
    ratings: dict[str, int] = {}
    for chunk in _chunks([s.conversation_id for s in summaries], 500):
        statement = (
            select(CsatRating.conversation_id, CsatRating.score)
            .where(CsatRating.conversation_id.in_(chunk))
            .order_by(CsatRating.id)
        )
        ratings.update(db_session.execute(statement).all())
    for summary in summaries:
        if summary.customer_id is not None:
            summary.segment = segments.get(summary.customer_id)
        if summary.conversation_id in ratings:
            summary.csat = ratings[summary.conversation_id]


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]
