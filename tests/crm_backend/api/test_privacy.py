"""Administrators export a customer's data and erase it from every table."""

import json

import pytest
from sqlalchemy import select

from crm_backend import cli
from crm_backend.agents.security import verify_password
from crm_backend.agents.service import get_agent_by_email
from crm_backend.audit.models import AuditEntry
from crm_backend.core.config import get_settings
from crm_backend.customers.models import Customer
from crm_backend.models import Base


def test_export_holds_every_table_that_refers_to_the_customer(client, admin_headers, rich_customer):
    client.get(f"/api/customers/{rich_customer.customer_id}", headers=admin_headers)  # leaves a read entry
    response = client.get(f"/api/customers/{rich_customer.customer_id}/export", headers=admin_headers)
    assert response.status_code == 200, response.text
    document = response.json()
    customer_tables = {t.name for t in Base.metadata.sorted_tables if "customer_id" in t.c} | {"customers"}
    assert customer_tables <= set(document)
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
    assert rows["channel_identities"] == 2 and rows["orders"] == 2 and rows["ticket_messages"] == 1

    with client.app.state.session_factory() as db_session:
        assert personal_values_left(db_session, rich_customer.values()) == []
        customer = db_session.get(Customer, customer_id)
        assert customer.first_name == "Erased" and customer.email is None and customer.erased_at is not None
        erase_entry = db_session.scalars(
            select(AuditEntry).where(AuditEntry.customer_id == customer_id, AuditEntry.action == "erase")
        ).one()
        assert erase_entry.actor_id == admin.id and set(erase_entry.detail) == {"rows"}
        # Orders stay for the accounts.
        assert len(client.get(f"/api/customers/{customer_id}/export", headers=admin_headers).json()["orders"]) == 2

    assert client.get(f"/api/customers/{customer_id}", headers=agent_headers).status_code == 404
    assert client.get("/api/customers", params={"q": rich_customer.email}, headers=agent_headers).json()["total"] == 0
    again = client.post(f"/api/customers/{customer_id}/erase", headers=admin_headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "customer_already_erased"
    assert client.post("/api/customers/999999/erase", headers=admin_headers).status_code == 404


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
    customer_id = str(rich_customer.customer_id)
    assert cli.main(["export-customer", customer_id]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["customers"]["email"] == rich_customer.email
    assert cli.main(["erase-customer", customer_id]) == 1  # no --yes, no terminal
    assert cli.main(["erase-customer", customer_id, "--yes"]) == 0
    with client.app.state.session_factory() as db_session:
        assert personal_values_left(db_session, rich_customer.values()) == []
    assert cli.main(["export-customer", "999999"]) == 1
