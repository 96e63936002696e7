"""Agents search customers and read their 360° view; every read leaves an audit entry."""

import pytest
from sqlalchemy import select

from crm_backend.audit.models import AuditEntry


def search(client, headers, **params):
    response = client.get("/api/customers", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def field_value(personal, field: str) -> str:
    return {
        "first name": personal.first_name.upper(),
        "last name": personal.last_name[3:12].lower(),
        "full name": f"{personal.first_name.lower()} {personal.last_name[:7]}",
        "email": personal.email.upper(),
        "phone": personal.phone.replace(" ", "")[-8:],
        "phone with spaces": personal.phone,
        "order number": personal.order_numbers[0],
    }[field]


@pytest.mark.parametrize(
    "field", ["first name", "last name", "full name", "email", "phone", "phone with spaces", "order number"]
)
def test_search_finds_the_customer_by_each_field(client, agent_headers, rich_customer, field):
    body = search(client, agent_headers, q=field_value(rich_customer, field))
    assert [c["id"] for c in body["items"]] == [rich_customer.customer_id]
    assert body["total"] == 1


def test_order_number_must_match_exactly(client, agent_headers, rich_customer):
    body = search(client, agent_headers, q=rich_customer.order_numbers[0][:-1])
    assert rich_customer.customer_id not in [c["id"] for c in body["items"]]


def test_search_paginates_with_a_total(client, agent_headers):
    first = search(client, agent_headers, page=1, page_size=7)
    second = search(client, agent_headers, page=2, page_size=7)
    assert first["total"] == second["total"] >= 300
    assert len(first["items"]) == len(second["items"]) == 7
    assert not {c["id"] for c in first["items"]} & {c["id"] for c in second["items"]}
    beyond = search(client, agent_headers, page=10_000, page_size=100)
    assert beyond["items"] == [] and beyond["total"] == first["total"]


def test_wildcards_in_the_query_are_literal(client, agent_headers):
    assert search(client, agent_headers, q="%")["total"] == 0
    assert search(client, agent_headers, q="_")["total"] == 0


@pytest.mark.parametrize("params", [{"page": 0}, {"page_size": 101}, {"page": "x"}, {"q": "x" * 201}, {"q": "a\x00b"}])
def test_bad_search_parameters_get_422(client, agent_headers, params):
    response = client.get("/api/customers", params=params, headers=agent_headers)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


def test_360_view_has_everything_and_is_audited(client, agent, agent_headers, rich_customer, db_session):
    response = client.get(f"/api/customers/{rich_customer.customer_id}", headers=agent_headers)
    assert response.status_code == 200, response.text
    view = response.json()
    assert view["customer"]["email"] == rich_customer.email
    assert view["customer"]["external_ref"] == rich_customer.external_ref
    assert {i["external_id"] for i in view["identities"]} == set(rich_customer.identity_ids)
    assert view["consents"][0]["purpose"] == "newsletter"
    assert view["loyalty"]["points"] == 1234
    assert view["order_count"] == 2
    orders = {o["number"]: o for o in view["recent_orders"]}
    assert set(orders) == set(rich_customer.order_numbers)
    returned = orders[rich_customer.order_numbers[0]]
    assert returned["items"][0]["product_name"] and returned["shipments"][0]["carrier"] == "DHL"
    assert view["returns"][0]["order_number"] == rich_customer.order_numbers[0]
    assert view["returns"][0]["refunds"][0]["status"] == "completed"
    assert view["tickets"][0]["category"] == "delivery"
    assert view["bot_decisions"][0]["decision"] == "offer_discount"
    assert view["conversation_ids"] == [rich_customer.conversation_id]
    assert view["score"]["segment"] == "loyal"
    assert view["recommendations"][0]["product_name"]

    entries = db_session.scalars(
        select(AuditEntry).where(AuditEntry.customer_id == rich_customer.customer_id, AuditEntry.action == "read")
    ).all()
    assert any(e.actor_type == "agent" and e.actor_id == agent.id and e.entity_type == "customer" for e in entries)


def test_search_results_are_audited_without_the_query(client, agent, agent_headers, rich_customer, db_session):
    search(client, agent_headers, q=rich_customer.email)
    entry = db_session.scalars(
        select(AuditEntry)
        .where(AuditEntry.customer_id == rich_customer.customer_id, AuditEntry.actor_id == agent.id)
        .order_by(AuditEntry.id.desc())
    ).first()
    assert entry.action == "read" and entry.detail == {"view": "search"}


def test_demo_customer_360(client, agent_headers):
    view = client.get("/api/customers/1", headers=agent_headers).json()
    assert view["customer"]["first_name"] == "Ada"
    assert view["order_count"] == 5 and len(view["recent_orders"]) == 5


@pytest.mark.parametrize("customer_id", ["999999", "0", "-3", "abc", str(2**40)])
def test_unknown_or_malformed_customer_ids(client, agent_headers, customer_id):
    response = client.get(f"/api/customers/{customer_id}", headers=agent_headers)
    assert response.status_code in (404, 422)
    assert response.json()["error"]["code"] in ("customer_not_found", "invalid_request")
