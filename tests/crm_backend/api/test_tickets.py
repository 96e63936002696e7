"""Tickets from creation to closing, with clear 4xx answers and audit entries for changes."""

import pytest
from sqlalchemy import select

from crm_backend.agents.models import Role
from crm_backend.audit.models import AuditEntry
from crm_backend.tickets.schemas import MAX_MESSAGE_CHARS


def new_ticket(client, headers, **fields):
    body = {"customer_id": 1, "subject": "Broken teapot", "category": "complaint", "body": "It arrived broken."}
    response = client.post("/api/tickets", json=body | fields, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_ticket_lifecycle(client, agent, agent_headers, make_agent, login, db_session):
    ticket = new_ticket(client, agent_headers)
    assert ticket["status"] == "open" and ticket["customer_id"] == 1
    assert [(m["author_type"], m["author_agent_id"]) for m in ticket["messages"]] == [("agent", agent.id)]
    path = f"/api/tickets/{ticket['id']}"

    assigned = client.post(f"{path}/assign", json={"agent_id": agent.id}, headers=agent_headers)
    assert assigned.status_code == 200 and assigned.json()["assignee_id"] == agent.id
    other = make_agent(Role.AGENT)
    refused = client.post(f"{path}/assign", json={"agent_id": other.id}, headers=agent_headers)
    assert refused.status_code == 403

    comment = client.post(f"{path}/comments", json={"body": "Replacement sent."}, headers=agent_headers)
    assert comment.status_code == 201 and comment.json()["body"] == "Replacement sent."

    mine = client.get("/api/tickets", params={"assignee_id": agent.id, "status": "open"}, headers=agent_headers)
    assert ticket["id"] in [t["id"] for t in mine.json()["items"]]
    read = client.get(path, headers=agent_headers).json()
    assert [m["body"] for m in read["messages"]] == ["It arrived broken.", "Replacement sent."]

    closed = client.post(f"{path}/close", headers=agent_headers)
    assert closed.status_code == 200 and closed.json()["status"] == "closed" and closed.json()["closed_at"]
    again = client.post(f"{path}/close", headers=agent_headers)
    late = client.post(f"{path}/comments", json={"body": "one more"}, headers=agent_headers)
    assert again.status_code == late.status_code == 409
    assert late.json()["error"]["code"] == "ticket_closed"

    open_ones = client.get("/api/tickets", params={"status": "open", "customer_id": 1}, headers=agent_headers)
    assert ticket["id"] not in [t["id"] for t in open_ones.json()["items"]]

    actions = db_session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity_type == "ticket", AuditEntry.entity_id == str(ticket["id"]))
    ).all()
    assert actions.count("create") == 1 and actions.count("update") == 3 and "read" in actions


def test_admin_assigns_anyone_but_not_disabled_agents(client, admin_headers, make_agent):
    ticket = new_ticket(client, admin_headers, customer_id=None)
    assert ticket["customer_id"] is None
    colleague = make_agent(Role.AGENT)
    response = client.post(
        f"/api/tickets/{ticket['id']}/assign", json={"agent_id": colleague.id}, headers=admin_headers
    )
    assert response.json()["assignee_id"] == colleague.id
    disabled = make_agent(Role.AGENT, active=False)
    response = client.post(f"/api/tickets/{ticket['id']}/assign", json={"agent_id": disabled.id}, headers=admin_headers)
    assert response.status_code == 409
    response = client.post(f"/api/tickets/{ticket['id']}/assign", json={"agent_id": 999999}, headers=admin_headers)
    assert response.status_code == 404 and response.json()["error"]["code"] == "agent_not_found"


def test_ticket_list_is_paginated(client, agent_headers):
    for index in range(3):
        new_ticket(client, agent_headers, subject=f"Paging {index}")
    page = client.get("/api/tickets", params={"page_size": 2}, headers=agent_headers).json()
    assert len(page["items"]) == 2 and page["total"] >= 3 and page["page"] == 1


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/tickets/999999", None),
        ("POST", "/api/tickets/999999/assign", {"agent_id": 1}),
        ("POST", "/api/tickets/999999/comments", {"body": "hello"}),
        ("POST", "/api/tickets/999999/close", None),
    ],
)
def test_unknown_ticket_gets_404_in_the_common_shape(client, admin_headers, method, path, body):
    response = client.request(method, path, json=body, headers=admin_headers)
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "ticket_not_found", "message": "No such ticket."}}


def test_ticket_for_unknown_customer_gets_404(client, agent_headers):
    body = {"customer_id": 999999, "subject": "s", "category": "c", "body": "b"}
    response = client.post("/api/tickets", json=body, headers=agent_headers)
    assert response.status_code == 404 and response.json()["error"]["code"] == "customer_not_found"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"subject": "s", "category": "c"},
        {"subject": "", "category": "c", "body": "b"},
        {"subject": "   ", "category": "c", "body": "b"},
        {"subject": "s" * 201, "category": "c", "body": "b"},
        {"subject": "s", "category": "c" * 41, "body": "b"},
        {"subject": "s", "category": "c", "body": "b" * (MAX_MESSAGE_CHARS + 1)},
        {"subject": "s", "category": "c", "body": "b", "customer_id": "one"},
        {"subject": "s", "category": "c", "body": "b", "customer_id": 2**40},
        {"subject": "s", "category": "c", "body": "b", "priority": "whenever"},
        {"subject": "s", "category": "c", "body": "nul\x00byte"},
        {"subject": "s", "category": "c", "body": "b", "unexpected": 1},
        ["not", "an", "object"],
    ],
)
def test_invalid_ticket_bodies_get_422_in_the_common_shape(client, agent_headers, body):
    response = client.post("/api/tickets", json=body, headers=agent_headers)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request" and error["details"]


def test_size_limits(client, agent_headers):
    ticket = new_ticket(client, agent_headers)
    at_limit = client.post(
        f"/api/tickets/{ticket['id']}/comments", json={"body": "x" * MAX_MESSAGE_CHARS}, headers=agent_headers
    )
    assert at_limit.status_code == 201
    over = client.post(
        f"/api/tickets/{ticket['id']}/comments", json={"body": "x" * (MAX_MESSAGE_CHARS + 1)}, headers=agent_headers
    )
    assert over.status_code == 422
    huge = client.post(f"/api/tickets/{ticket['id']}/comments", json={"body": "x" * 70_000}, headers=agent_headers)
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "body_too_large"
    malformed = client.post(
        f"/api/tickets/{ticket['id']}/comments",
        content=b"{not json",
        headers=agent_headers | {"Content-Type": "application/json"},
    )
    assert malformed.status_code == 422
