"""Reading Rasa's events and the incremental index of conversations (SQLite and PostgreSQL)."""

import json
import time
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from crm_backend.conversations.ownership import owner_of, require_owner
from crm_backend.core.db import make_engine, make_session_factory
from crm_backend.core.security import issue_customer_token
from crm_backend.customers.models import Customer
from crm_backend.transcripts import service
from crm_backend.transcripts.identity import TokenVerifier
from crm_backend.transcripts.indexer import index_new_events
from crm_backend.transcripts.models import ConversationOrder, ConversationSummary
from tests.fake_events import ConversationWriter, create_tracker_schema, write

SECRET = "s" * 40


@pytest.fixture
def stores(seeded_database_url, tmp_path, postgres_database_factory):
    tracker_url = (
        f"sqlite:///{tmp_path / 'tracker.db'}"
        if seeded_database_url.startswith("sqlite")
        else postgres_database_factory()
    )
    tracker = make_engine(tracker_url)
    create_tracker_schema(tracker)
    crm = make_engine(seeded_database_url)
    db_session = make_session_factory(crm)()
    yield db_session, tracker
    db_session.rollback()
    db_session.close()
    crm.dispose()
    tracker.dispose()


def test_an_expired_token_still_names_its_customer_but_a_forged_one_does_not():
    old = issue_customer_token(7, secret=SECRET, ttl_seconds=60, now=time.time() - 86400)
    forged = issue_customer_token(7, secret="f" * 40, ttl_seconds=60)
    verifier = TokenVerifier(SECRET)
    assert verifier.customer_id({"customer_token": old}) == 7
    assert verifier.customer_id({"customer_token": forged}) is None
    assert verifier.customer_id({"customer_token": "garbage"}) is None and verifier.customer_id(None) is None


def test_the_indexer_folds_only_new_events_into_the_summaries(stores):
    db_session, tracker = stores
    token = issue_customer_token(1, secret=SECRET, ttl_seconds=60, now=1_700_000_000)
    chat = ConversationWriter("idx-1", 1_700_000_000.0, channel="socketio", token=token)
    chat.user("where is 702733, mail me at a@b.example.com", "order_status", 0.8).action("action_order_status")
    write(tracker, [chat])
    first = index_new_events(db_session=db_session, tracker=tracker, secret=SECRET)
    summary = db_session.get(ConversationSummary, "idx-1")
    assert first.events == 2 and summary.turns == 1 and summary.customer_id == 1 and summary.channel == "socketio"
    assert "[email]" in summary.search_text and "a@b.example.com" not in summary.search_text
    assert not summary.had_fallback and summary.min_confidence == pytest.approx(0.8)

    more = ConversationWriter("idx-1", 1_700_000_100.0, channel="socketio", token=token)
    more.user("???", "nlu_fallback", 0.2).action("action_handle_fallback").user("agent", "human_handoff", 0.9).pause()
    write(tracker, [more])
    assert index_new_events(db_session=db_session, tracker=tracker, secret=SECRET).events == 4
    assert index_new_events(db_session=db_session, tracker=tracker, secret=SECRET).events == 0
    db_session.refresh(summary)
    assert summary.turns == 3 and summary.had_fallback and summary.had_handoff
    assert summary.min_confidence == pytest.approx(0.2) and summary.last_ts > summary.started_ts
    assert set(summary.intents.split()) == {"order_status", "nlu_fallback", "human_handoff"}
    filters = service.ConversationFilters(order_number="702733")
    rows, _ = service.list_conversations(db_session=db_session, filters=filters)
    assert "idx-1" in [r.conversation_id for r in rows]
    rows, _ = service.list_conversations(db_session=db_session, filters=service.ConversationFilters(order_number="1"))
    assert "idx-1" not in [r.conversation_id for r in rows]


def test_keyset_pages_cover_every_conversation_once(stores):
    db_session, tracker = stores
    writers = [ConversationWriter(f"page-{i:02d}", 1_600_000_000.0 + i // 3).user("hi", "greet") for i in range(25)]
    write(tracker, writers)
    index_new_events(db_session=db_session, tracker=tracker, secret=SECRET)
    seen, cursor = [], None
    filters = service.ConversationFilters(until=1_600_000_100.0)
    while True:
        rows, cursor = service.list_conversations(db_session=db_session, filters=filters, cursor=cursor, limit=7)
        seen += [r.conversation_id for r in rows]
        if cursor is None:
            break
    assert sorted(seen) == sorted(w.sender_id for w in writers) and len(seen) == len(set(seen))
    assert (
        db_session.scalar(select(ConversationSummary.turns).where(ConversationSummary.conversation_id == "page-00"))
        == 1
    )


def test_a_transcript_lists_messages_with_nlu_details_redacted(stores):
    _db_session, tracker = stores
    chat = ConversationWriter("tr-1", 1_700_000_000.0)
    chat.user("my card is 4111 1111 1111 1111", "inform", 0.4).action("utter_x").bot("ok", metadata={"agent_id": 3})
    write(tracker, [chat])
    items = service.load_transcript(tracker, "tr-1")
    assert [i.kind for i in items] == ["user", "action", "bot"]
    assert items[0].text == "my card is [CARD]" and items[0].confidence == 0.4 and items[2].by_agent


def test_events_indexed_after_an_erasure_do_not_link_the_customer_again(stores):
    db_session, tracker = stores
    erased = Customer(first_name="Erased", last_name="", erased_at=datetime.now(UTC))
    db_session.add(erased)
    db_session.flush()
    # Stored by Rasa before the erasure, read by the indexer after it.
    token = issue_customer_token(erased.id, secret=SECRET, ttl_seconds=60, now=1_700_000_000)
    chat = ConversationWriter("idx-erased", 1_700_000_000.0, channel="socketio", token=token)
    chat.user("I am Zed Quux, where is 702733", "order_status", 0.9).action("action_order_status")
    write(tracker, [chat])
    index_new_events(db_session=db_session, tracker=tracker, secret=SECRET)
    summary = db_session.get(ConversationSummary, "idx-erased")
    assert (summary.customer_id, summary.search_text, summary.first_message) == (None, "", None)
    assert summary.turns == 1 and "order_status" in summary.intents  # still counted in the figures
    orders = select(ConversationOrder).where(ConversationOrder.conversation_id == "idx-erased")
    assert db_session.scalars(orders).all() == []


def test_the_first_valid_stored_token_owns_a_conversation_and_a_later_one_never_relabels_it(stores):
    """Older conversations were stored with tokens: the first valid one records the owner
    (once); B's token sent into A's conversation afterwards labels nothing."""
    db_session, tracker = stores
    conversation = f"idx-owner-{uuid.uuid4().hex[:8]}"
    first = ConversationWriter(conversation, 1_700_000_000.0, channel="socketio", token=_token(1))
    first.user("where is my order?", "order_status").action("action_order_status")
    intruder = ConversationWriter(conversation, 1_700_000_100.0, channel="socketio", token=_token(2))
    intruder.user("this is mine now", "greet")
    forged = ConversationWriter(conversation, 1_700_000_200.0, channel="socketio", token=_token(3, secret="f" * 40))
    forged.user("and now mine", "greet")
    write(tracker, [first, intruder, forged])
    index_new_events(db_session=db_session, tracker=tracker, secret=SECRET)
    assert db_session.get(ConversationSummary, conversation).customer_id == 1
    assert owner_of(db_session=db_session, conversation_id=conversation) == 1
    later = ConversationWriter(conversation, 1_700_000_300.0, channel="socketio", token=_token(2))
    write(tracker, [later.user("still me, the intruder", "greet")])
    index_new_events(db_session=db_session, tracker=tracker, secret=SECRET)
    db_session.expire_all()
    assert db_session.get(ConversationSummary, conversation).customer_id == 1


def test_the_summary_names_the_recorded_owner_when_no_token_is_stored(stores):
    """Tokens are no longer stored: the owner the bot API recorded is the summary's customer."""
    db_session, tracker = stores
    owned, unowned = f"idx-rec-{uuid.uuid4().hex[:8]}", f"idx-none-{uuid.uuid4().hex[:8]}"
    require_owner(db_session=db_session, conversation_id=owned, customer_id=3, channel="socketio")
    chats = [ConversationWriter(c, 1_700_000_000.0, channel="socketio") for c in (owned, unowned)]
    write(tracker, [chat.user("hello", "greet") for chat in chats])
    index_new_events(db_session=db_session, tracker=tracker, secret=SECRET)
    assert db_session.get(ConversationSummary, owned).customer_id == 3
    assert db_session.get(ConversationSummary, unowned).customer_id is None


def test_the_channel_is_rasas_input_channel_never_the_metadata(stores):
    """The channel a message came in on is the Rasa input channel that received it (stored in
    the event); a client's metadata cannot choose it."""
    db_session, tracker = stores
    conversation = f"idx-chan-{uuid.uuid4().hex[:8]}"
    chat = ConversationWriter(conversation, 1_700_000_000.0, channel="telegram")
    chat.user("I need a human", "human_handoff")
    data = json.loads(chat.rows[-1]["data"])
    data["metadata"] = {"channel": "socketio"}
    chat.rows[-1]["data"] = json.dumps(data)
    write(tracker, [chat])
    index_new_events(db_session=db_session, tracker=tracker, secret=SECRET)
    assert db_session.get(ConversationSummary, conversation).channel == "telegram"


def _token(customer_id: int, secret: str = SECRET) -> str:
    return issue_customer_token(customer_id, secret=secret, ttl_seconds=60, now=1_700_000_000)
