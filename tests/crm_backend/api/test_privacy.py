"""Administrators export a customer's data and erase it from every table."""

import json
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from crm_backend import cli
from crm_backend.agents.security import verify_password
from crm_backend.agents.service import get_agent_by_email
from crm_backend.audit.models import AuditEntry
from crm_backend.audit.service import ActorType
from crm_backend.core.config import Settings, get_settings
from crm_backend.core.db import make_engine, session_scope
from crm_backend.core.security import issue_customer_token
from crm_backend.customers.models import Customer
from crm_backend.main import create_app
from crm_backend.models import Base
from crm_backend.privacy.service import erase_customer
from crm_backend.privacy.tracker import TrackerStore
from crm_backend.transcripts.tracker import events_table
from tests.fake_events import ConversationWriter, write


def test_export_holds_every_table_that_refers_to_the_customer(client, admin_headers, rich_customer):
    client.get(f"/api/customers/{rich_customer.customer_id}", headers=admin_headers)  # leaves a read entry
    response = client.get(f"/api/customers/{rich_customer.customer_id}/export", headers=admin_headers)
    assert response.status_code == 200, response.text
    document = response.json()
    customer_tables = {t.name for t in linking_tables()} | {"customers"}
    assert customer_tables <= set(document)
    # Rows about the customer's conversations: notes, tags, annotations, mood, order numbers...
    assert document["conversation_notes"][0]["body"].startswith(rich_customer.first_name)
    assert {r["conversation_id"] for r in document["conversation_summaries"]} == set(rich_customer.conversation_ids())
    assert document["customers"]["email"] == rich_customer.email
    assert {i["external_id"] for i in document["channel_identities"]} == set(rich_customer.identity_ids)
    assert document["loyalty_accounts"][0]["points"] == 1234
    orders = {o["number"]: o for o in document["orders"]}
    assert set(orders) == set(rich_customer.order_numbers)
    assert all(o["shipping_address"] == rich_customer.address for o in orders.values())
    assert orders[rich_customer.order_numbers[0]]["order_items"] and orders[rich_customer.order_numbers[0]]["shipments"]
    assert document["returns"][0]["return_items"] and document["refunds"][0]["status"] == "completed"
    assert rich_customer.email in document["tickets"][0]["ticket_messages"][0]["body"]
    assert document["bot_decisions"][0]["conversation_id"] == rich_customer.conversation_id
    assert document["customer_scores"]["segment"] == "loyal"
    assert document["recommendations"][0]["reason"]
    assert any(entry["action"] == "read" for entry in document["audit_log"])


def test_export_is_audited_and_unknown_customers_get_404(client, admin, admin_headers, rich_customer, db_session):
    client.get(f"/api/customers/{rich_customer.customer_id}/export", headers=admin_headers)
    entry = db_session.scalars(
        select(AuditEntry).where(AuditEntry.customer_id == rich_customer.customer_id, AuditEntry.action == "export")
    ).one()
    assert entry.actor_id == admin.id
    missing = client.get("/api/customers/999999/export", headers=admin_headers)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "customer_not_found"


def personal_values_left(db_session, values: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, value) for every personal value still found in any table."""
    needles = [value.lower() for value in values]
    found = []
    for table in Base.metadata.sorted_tables:
        for row in db_session.execute(select(table)).mappings():
            for column, cell in row.items():
                if cell is None or isinstance(cell, bool | int | float):
                    continue
                text = json.dumps(cell, default=str) if isinstance(cell, dict | list) else str(cell)
                found += [(table.name, column, n) for n in needles if n in text.lower()]
    return found


def test_erasure_leaves_no_personal_value_in_any_table(client, admin, admin_headers, agent_headers, rich_customer):
    customer_id = rich_customer.customer_id
    # Reads, searches, exports and a comment before the erasure leave their traces too.
    client.get("/api/customers", params={"q": rich_customer.email}, headers=agent_headers)
    client.get(f"/api/customers/{customer_id}", headers=agent_headers)
    client.get(f"/api/customers/{customer_id}/export", headers=admin_headers)
    with client.app.state.session_factory() as db_session:
        assert personal_values_left(db_session, rich_customer.values())  # the check can see them

    response = client.post(f"/api/customers/{customer_id}/erase", headers=admin_headers)
    assert response.status_code == 200, response.text
    rows = response.json()["rows"]
    assert rows["channel_identities"] == 2 and rows["orders"] == 2 and rows["ticket_messages"] == 2
    # This CRM has no TRACKER_DB_URL: the answer says that Rasa's tracker store was not erased.
    assert response.json()["tracker_store"] == "not_configured" and "tracker_events" not in rows

    with client.app.state.session_factory() as db_session:
        assert personal_values_left(db_session, rich_customer.values()) == []
        customer = db_session.get(Customer, customer_id)
        assert customer.first_name == "Erased" and customer.email is None and customer.erased_at is not None
        erase_entry = db_session.scalars(
            select(AuditEntry).where(AuditEntry.customer_id == customer_id, AuditEntry.action == "erase")
        ).one()
        assert erase_entry.actor_id == admin.id and set(erase_entry.detail) == {"rows", "tracker_store"}
        assert erase_entry.detail["tracker_store"] == "not_configured"
        # Orders stay for the accounts.
        assert len(client.get(f"/api/customers/{customer_id}/export", headers=admin_headers).json()["orders"]) == 2

    assert client.get(f"/api/customers/{customer_id}", headers=agent_headers).status_code == 404
    assert client.get("/api/customers", params={"q": rich_customer.email}, headers=agent_headers).json()["total"] == 0
    again = client.post(f"/api/customers/{customer_id}/erase", headers=admin_headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "customer_already_erased"
    assert client.post("/api/customers/999999/erase", headers=admin_headers).status_code == 404


# Rows the shop keeps for its accounts and its audit trail: they still point at the
# customer's (anonymised) row, never at a conversation, and hold no personal value.
KEPT_FOR_THE_ACCOUNTS = {"orders", "returns", "tickets", "audit_log"}


def linking_tables() -> list:
    """Every table that can tie a row to a customer: by `customer_id`, or by `conversation_id`
    (a chat id that opens the customer's transcript). Read from the metadata, so a table
    added later is checked without touching this test."""
    return [t for t in Base.metadata.sorted_tables if {"customer_id", "conversation_id"} & set(t.c.keys())]


def rows_linked_to(db_session, customer_id: int, conversation_ids: list[str]) -> dict[str, dict[str, int]]:
    """{table: {"customer_id": n, "conversation_id": m}} for rows that still point at them."""
    found: dict[str, dict[str, int]] = {}
    for table in linking_tables():
        links = {}
        if "customer_id" in table.c:
            links["customer_id"] = table.c.customer_id == customer_id
        if "conversation_id" in table.c:
            links["conversation_id"] = table.c.conversation_id.in_(conversation_ids)
        for column, condition in links.items():
            count = db_session.scalar(select(func.count()).select_from(table).where(condition))
            if count:
                found.setdefault(table.name, {})[column] = count
    return found


def test_erasure_unlinks_the_customer_from_every_table(client, admin_headers, rich_customer):
    customer_id, conversations = rich_customer.customer_id, rich_customer.conversation_ids()
    summaries, handoffs, ratings = (
        Base.metadata.tables[name] for name in ("conversation_summaries", "handoffs", "csat_ratings")
    )
    anonymous_summaries = select(func.count()).where(summaries.c.conversation_id.like("erased-%"))
    with client.app.state.session_factory() as db_session:
        before = rows_linked_to(db_session, customer_id, conversations)
        # The factory fills every linking table, or this test would prove nothing for it:
        # a new table with `customer_id` or `conversation_id` needs a row in api_factories.py.
        assert set(before) == {t.name for t in linking_tables()}
        assert before["conversation_summaries"] == {"customer_id": 2, "conversation_id": 2}
        anonymous_before = db_session.scalar(anonymous_summaries)
        handoff_id = db_session.scalar(select(handoffs.c.id).where(handoffs.c.customer_id == customer_id))

    response = client.post(f"/api/customers/{customer_id}/erase", headers=admin_headers)
    assert response.status_code == 200, response.text
    rows = response.json()["rows"]
    assert rows["conversation_summaries"] == 2 and rows["handoffs"] == 1 and rows["link_codes"] == 1

    with client.app.state.session_factory() as db_session:
        after = rows_linked_to(db_session, customer_id, conversations)
        assert set(after) == KEPT_FOR_THE_ACCOUNTS, after
        assert all(set(links) == {"customer_id"} for links in after.values()), after
        assert personal_values_left(db_session, rich_customer.values()) == []
        # The console's figures keep the conversations, under random ids and without the customer.
        assert db_session.scalar(anonymous_summaries) == anonymous_before + 2
        handoff = db_session.execute(select(handoffs).where(handoffs.c.id == handoff_id)).one()
        assert handoff.status == "closed" and handoff.customer_id is None and handoff.summary is None
        assert handoff.conversation_id.startswith("erased-")
        rating = db_session.execute(select(ratings).where(ratings.c.handoff_id == handoff_id)).one()
        assert (rating.score, rating.target, rating.customer_id) == (4, "human", None)
        assert rating.conversation_id == handoff.conversation_id  # one pseudonym per conversation
        summary = db_session.execute(
            select(summaries).where(summaries.c.conversation_id == handoff.conversation_id)
        ).one()
        assert (summary.customer_id, summary.segment, summary.search_text, summary.first_message) == (
            None,
            None,
            "",
            None,
        )
        assert (summary.turns, summary.had_handoff) == (3, True)


@pytest.fixture(scope="module")
def tracker_client(crm_settings, tracker_url) -> Iterator[TestClient]:
    """The same CRM with TRACKER_DB_URL set: Rasa's `events` table, empty at first."""
    settings = Settings(
        database_url=crm_settings.database_url,
        tracker_db_url=tracker_url,
        bot_service_token=crm_settings.bot_service_token,
        customer_token_secret=crm_settings.customer_token_secret,
    )
    app = create_app(settings)
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


def chat(conversation_id: str, text: str, token: str | None = None) -> ConversationWriter:
    """A short conversation as Rasa stores it; with a token, the messages vouch for a customer."""
    writer = ConversationWriter(conversation_id, 1_780_000_000.0, channel="socketio", token=token)
    return writer.user(text, "order_status").action("action_order_status").bot("Let me look.")


def stored_events(tracker_url: str) -> dict[str, list[str]]:
    """{conversation id: the JSON of each of its events} in the tracker store."""
    engine = make_engine(tracker_url)
    with engine.connect() as connection:
        rows = connection.execute(select(events_table.c.sender_id, events_table.c.data)).all()
    engine.dispose()
    events: dict[str, list[str]] = {}
    for sender_id, data in rows:
        events.setdefault(sender_id, []).append(data)
    return events


def test_erasure_deletes_the_conversations_from_rasas_tracker_store(
    tracker_client, tracker_url, admin_headers, rich_customer, crm_settings
):
    secret = crm_settings.customer_token_secret.get_secret_value()
    mine = issue_customer_token(rich_customer.customer_id, secret=secret, ttl_seconds=60, now=1_780_000_000)
    someone_elses = issue_customer_token(2, secret=secret, ttl_seconds=60, now=1_780_000_000)
    words = f"I am {rich_customer.first_name} {rich_customer.last_name}, where is my parcel?"
    theirs = [
        chat(rich_customer.conversation_id, words),  # named by the CRM's tickets, decisions, handoff
        chat(rich_customer.web_conversation_id, words),  # named by its summary only
        # Minutes old: not in the transcripts index yet, found by the token its messages carry.
        chat(f"web-new-{uuid.uuid4().hex[:8]}", words, token=mine),
    ]
    others = [chat(f"web-other-{uuid.uuid4().hex[:8]}", "hello", token=someone_elses)]
    others.append(chat(f"web-anonymous-{uuid.uuid4().hex[:8]}", "hello"))
    engine = make_engine(tracker_url)
    write(engine, theirs + others)
    engine.dispose()
    before = stored_events(tracker_url)

    response = tracker_client.post(f"/api/customers/{rich_customer.customer_id}/erase", headers=admin_headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["tracker_store"] == "erased"
    assert body["rows"]["tracker_events"] == sum(len(writer.rows) for writer in theirs) == 9

    after = stored_events(tracker_url)
    assert not {writer.sender_id for writer in theirs} & set(after)
    assert {writer.sender_id: after[writer.sender_id] for writer in others} == {
        writer.sender_id: before[writer.sender_id] for writer in others
    }
    events = json.dumps(after).lower()
    assert [value for value in [*rich_customer.values(), mine] if value.lower() in events] == []
    with tracker_client.app.state.session_factory() as db_session:
        assert personal_values_left(db_session, rich_customer.values()) == []
        assert rows_linked_to(db_session, rich_customer.customer_id, [w.sender_id for w in theirs]).keys() <= (
            KEPT_FOR_THE_ACCOUNTS
        )
        entry = db_session.scalars(
            select(AuditEntry).where(AuditEntry.customer_id == rich_customer.customer_id, AuditEntry.action == "erase")
        ).one()
        assert entry.detail["tracker_store"] == "erased" and entry.detail["rows"]["tracker_events"] == 9


def test_a_tracker_store_that_fails_leaves_the_customer_unerased(client, rich_customer, crm_settings, tmp_path):
    """The events go first: if the tracker store cannot be erased, nothing is, and the erasure can be run again."""
    broken = TrackerStore(make_engine(f"sqlite:///{tmp_path / 'no-events-table.db'}"), "x" * 32)
    with pytest.raises(SQLAlchemyError):
        for db_session in session_scope(client.app.state.session_factory):
            customer = db_session.get(Customer, rich_customer.customer_id)
            erase_customer(
                db_session=db_session, customer=customer, actor_type=ActorType.SYSTEM, actor_id=None, tracker=broken
            )
    broken.engine.dispose()
    with client.app.state.session_factory() as db_session:
        assert db_session.get(Customer, rich_customer.customer_id).erased_at is None
        assert len(personal_values_left(db_session, rich_customer.values())) > 0


@pytest.fixture
def cli_env(monkeypatch, crm_settings):
    monkeypatch.setenv("DATABASE_URL", crm_settings.database_url)
    monkeypatch.setenv("BOT_SERVICE_TOKEN", crm_settings.bot_service_token.get_secret_value())
    monkeypatch.setenv("CUSTOMER_TOKEN_SECRET", crm_settings.customer_token_secret.get_secret_value())
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_cli_create_agent_reads_the_password_from_the_environment(cli_env, db_session, capsys):
    cli_env.setenv("AGENT_PASSWORD", "a very long cli password")
    assert (
        cli.main(["create-agent", "--email", "CLI.Admin@agents.example.com", "--name", "Cli", "--role", "admin"]) == 0
    )
    agent = get_agent_by_email(db_session=db_session, email="cli.admin@agents.example.com")
    assert agent.role == "admin" and verify_password("a very long cli password", agent.password_hash)
    assert cli.main(["create-agent", "--email", "cli.admin@agents.example.com", "--name", "Again"]) == 1
    cli_env.setenv("AGENT_PASSWORD", "short")
    assert cli.main(["create-agent", "--email", "short@agents.example.com", "--name", "Short"]) == 1
    with pytest.raises(SystemExit):
        cli.main(["create-agent", "--email", "x@agents.example.com", "--name", "X", "--password", "p"])


def test_cli_export_and_erase(cli_env, rich_customer, capsys, client):
    cli_env.delenv("TRACKER_DB_URL", raising=False)
    customer_id = str(rich_customer.customer_id)
    assert cli.main(["export-customer", customer_id]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["customers"]["email"] == rich_customer.email
    assert cli.main(["erase-customer", customer_id]) == 1  # no --yes, no terminal
    assert cli.main(["erase-customer", customer_id, "--yes"]) == 0
    assert "TRACKER_DB_URL is not set" in capsys.readouterr().out
    with client.app.state.session_factory() as db_session:
        assert personal_values_left(db_session, rich_customer.values()) == []
    assert cli.main(["export-customer", "999999"]) == 1


def test_cli_erase_also_deletes_the_tracker_events(cli_env, tracker_url, rich_customer, capsys):
    cli_env.setenv("TRACKER_DB_URL", tracker_url)
    get_settings.cache_clear()
    words = f"I am {rich_customer.first_name} {rich_customer.last_name}"
    engine = make_engine(tracker_url)
    write(engine, [chat(rich_customer.conversation_id, words)])
    engine.dispose()
    assert stored_events(tracker_url).get(rich_customer.conversation_id)

    assert cli.main(["erase-customer", str(rich_customer.customer_id), "--yes"]) == 0
    output = capsys.readouterr().out
    assert "tracker_events" in output and "TRACKER_DB_URL is not set" not in output
    assert rich_customer.conversation_id not in stored_events(tracker_url)
