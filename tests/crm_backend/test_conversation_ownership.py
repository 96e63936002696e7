"""A conversation belongs to the first customer verified in it (SQLite and PostgreSQL)."""

import json
import threading
import time
import uuid

import pytest
from sqlalchemy import func, select

from crm_backend.audit.service import ActorType
from crm_backend.conversations.models import ConversationOwner
from crm_backend.conversations.ownership import (
    ConversationOwnedByAnother,
    claim_conversation,
    owner_of,
    owners_of,
    require_owner,
)
from crm_backend.core.db import make_engine, make_session_factory, session_scope, upgrade_database
from crm_backend.customers.models import Customer
from crm_backend.handoff.models import Handoff
from crm_backend.privacy.service import erase_customer, export_customer
from crm_backend.transcripts.models import ConversationSummary
from tests.conftest import rows_naming

pytestmark = pytest.mark.attack("conversation_relabel")


def _new_id(prefix: str = "own") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def test_the_first_claim_owns_the_conversation_for_good(db_session):
    conversation = _new_id()
    assert owner_of(db_session=db_session, conversation_id=conversation) is None
    require_owner(db_session=db_session, conversation_id=conversation, customer_id=1, channel="socketio")
    require_owner(db_session=db_session, conversation_id=conversation, customer_id=1, channel="rest")  # again: fine
    with pytest.raises(ConversationOwnedByAnother):
        require_owner(db_session=db_session, conversation_id=conversation, customer_id=2)
    assert claim_conversation(db_session=db_session, conversation_id=conversation, customer_id=2) == 1
    db_session.commit()
    row = db_session.get(ConversationOwner, conversation)
    assert (row.customer_id, row.channel) == (1, "socketio") and row.first_verified_at is not None
    assert owners_of(db_session=db_session, conversation_ids=[conversation, _new_id()]) == {conversation: 1}


@pytest.fixture(scope="module")
def postgres_crm(postgres_database_factory) -> str:
    """A migrated PostgreSQL CRM database with customers 1 to 4."""
    url = postgres_database_factory()
    upgrade_database(url)
    engine = make_engine(url)
    for db_session in session_scope(make_session_factory(engine)):
        db_session.add_all(Customer(id=i, first_name=f"Racer {i}", last_name="") for i in range(1, 5))
    engine.dispose()
    return url


@pytest.mark.parametrize("attempt", range(3))
def test_concurrent_first_claims_on_postgresql_end_with_one_owner(postgres_crm, attempt):
    """Eight sessions claim one new conversation at once, for four customers: the primary key
    lets one through; the others see its owner and are refused."""
    engine = make_engine(postgres_crm)
    factory = make_session_factory(engine)
    conversation = _new_id("race")
    barrier = threading.Barrier(8)
    outcomes: dict[int, str] = {}

    def claim(worker: int) -> None:
        customer_id = 1 + worker % 4
        barrier.wait()
        try:
            for db_session in session_scope(factory):
                require_owner(db_session=db_session, conversation_id=conversation, customer_id=customer_id)
            outcomes[worker] = f"owner {customer_id}"
        except ConversationOwnedByAnother:
            outcomes[worker] = "refused"

    threads = [threading.Thread(target=claim, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    with factory() as db_session:
        rows = db_session.scalars(select(ConversationOwner).where(ConversationOwner.conversation_id == conversation))
        owners = [row.customer_id for row in rows]
    engine.dispose()
    assert len(outcomes) == 8 and len(owners) == 1
    winners = {outcome for outcome in outcomes.values() if outcome != "refused"}
    assert winners == {f"owner {owners[0]}"}
    # The owner's two workers both succeed; the six others are refused.
    assert list(outcomes.values()).count("refused") == 6


def test_the_first_verified_call_records_the_owner_even_when_it_fails(client, bot_headers, db_session):
    """The claim has a transaction of its own: a 404 on the first call does not undo it, so
    no one else can be verified in the conversation after it."""
    conversation = _new_id("api")
    headers = bot_headers(1, conversation_id=conversation) | {"X-Conversation-Channel": "socketio"}
    assert client.get("/bot/orders/000000", headers=headers).status_code == 404
    row = db_session.get(ConversationOwner, conversation)
    assert (row.customer_id, row.channel) == (1, "socketio")
    refused = client.get("/bot/me", headers=bot_headers(2, conversation_id=conversation))
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "conversation_owned_by_another"
    assert client.get("/bot/me", headers=bot_headers(1, conversation_id=conversation)).json()["id"] == 1


def test_a_percent_encoded_conversation_id_names_the_conversation_itself(client, bot_headers, db_session):
    """Sender ids may hold any character; the action server percent-encodes them in the header."""
    conversation = f"rest: José / {uuid.uuid4().hex[:8]}"
    from urllib.parse import quote

    headers = bot_headers(1) | {"X-Conversation-Id": quote(conversation, safe="")}
    assert client.get("/bot/me", headers=headers).status_code == 200
    assert owner_of(db_session=db_session, conversation_id=conversation) == 1


def test_a_refused_token_on_an_optional_route_stores_nothing(client, bot_headers, db_session):
    """Tickets, handoffs, ratings and decisions take no token as "unverified", but a token for
    someone else in an owned conversation is refused, not downgraded to anonymous."""
    conversation = _new_id("opt")
    assert client.get("/bot/me", headers=bot_headers(1, conversation_id=conversation)).status_code == 200
    intruder = bot_headers(2, conversation_id=conversation)
    calls = [
        ("/bot/handoffs", {"conversation_id": conversation, "channel": "rest"}),
        ("/bot/csat", {"conversation_id": conversation, "score": 1}),
        ("/bot/tickets", {"category": "other", "subject": "x", "body": "y", "conversation_id": conversation}),
        ("/bot/decisions", {"conversation_id": conversation, "decision": "vip", "reason": "x"}),
    ]
    for path, body in calls:
        response = client.post(path, json=body, headers=intruder)
        assert response.status_code == 403, (path, response.text)
    from crm_backend.models import Base

    for table in Base.metadata.sorted_tables:
        if "conversation_id" in table.c and table.name != "conversation_owners":
            count = select(func.count()).select_from(table).where(table.c.conversation_id == conversation)
            assert db_session.scalar(count) == 0, table.name


def _legacy_relabelled_conversation(db_session) -> tuple[int, int, str]:
    """Before conversations had owners: B's token in A's conversation X labelled X's summary
    and B's handoff with B. X's owner, from its first token, is A."""
    a, b = (Customer(first_name=name, last_name=uuid.uuid4().hex[:8]) for name in ("Alice", "Bob"))
    db_session.add_all([a, b])
    db_session.flush()
    conversation = _new_id("legacy")
    require_owner(db_session=db_session, conversation_id=conversation, customer_id=a.id)
    db_session.add(
        ConversationSummary(
            conversation_id=conversation,
            customer_id=b.id,
            started_ts=time.time() - 60,
            last_ts=time.time(),
            turns=2,
            intents="order_status",
            search_text="alice's words about her parcel",
            first_message="alice's words",
        )
    )
    db_session.add(
        Handoff(
            conversation_id=conversation,
            channel="rest",
            customer_id=b.id,
            reason="customer_asked",
            summary="alice's words",
        )
    )
    db_session.commit()
    return a.id, b.id, conversation


def test_an_intruders_export_and_erasure_leave_the_owners_conversation_alone(db_session):
    a, b, conversation = _legacy_relabelled_conversation(db_session)
    document = json.dumps(export_customer(db_session=db_session, customer_id=b))
    assert conversation not in document and "alice's words" not in document
    assert conversation in json.dumps(export_customer(db_session=db_session, customer_id=a))

    counts = erase_customer(
        db_session=db_session, customer=db_session.get(Customer, b), actor_type=ActorType.SYSTEM, actor_id=None
    )
    db_session.commit()
    assert counts["foreign_conversation_rows"] == 2
    summary = db_session.get(ConversationSummary, conversation)
    assert (summary.customer_id, summary.search_text) == (a, "alice's words about her parcel")
    handoff = db_session.scalars(select(Handoff).where(Handoff.conversation_id == conversation)).one()
    assert (handoff.customer_id, handoff.summary) == (None, "alice's words")
    assert owner_of(db_session=db_session, conversation_id=conversation) == a
    still_naming_b = {table for table, count in rows_naming(db_session, b).items() if count}
    assert still_naming_b <= {"orders", "returns", "tickets", "audit_log"}, still_naming_b


def test_erasing_the_owner_erases_the_ownership_too(db_session):
    a, _b, conversation = _legacy_relabelled_conversation(db_session)
    erase_customer(
        db_session=db_session, customer=db_session.get(Customer, a), actor_type=ActorType.SYSTEM, actor_id=None
    )
    db_session.commit()
    assert owner_of(db_session=db_session, conversation_id=conversation) is None
    assert db_session.get(ConversationSummary, conversation) is None  # kept under a random id
