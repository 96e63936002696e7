"""Agents log in with a password, hold an opaque session token and act within their role."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from crm_backend.agents.models import AgentSession, Role
from crm_backend.agents.security import LoginGuard, hash_password, token_digest, verify_password
from crm_backend.agents.service import start_session
from crm_backend.audit.models import AuditEntry
from crm_backend.core.db import session_scope

PASSWORD = "correct horse battery staple"


def assert_error(response, status: int, code: str | None = None) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])
    if code:
        assert body["error"]["code"] == code


def test_password_hash_is_salted_scrypt_and_verifies():
    first, second = hash_password("s3cret-password"), hash_password("s3cret-password")
    assert first != second and first.startswith("scrypt$")
    assert verify_password("s3cret-password", first)
    assert not verify_password("s3cret-passwore", first)
    assert not verify_password("anything", "not-a-hash")


def test_login_returns_an_opaque_token_stored_only_as_its_hash(client, agent, db_session):
    response = client.post("/api/auth/login", json={"email": agent.email.upper(), "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and len(body["access_token"]) >= 40
    stored = db_session.scalars(select(AgentSession).where(AgentSession.agent_id == agent.id)).all()
    assert token_digest(body["access_token"]) in {s.token_hash for s in stored}
    assert body["access_token"] not in {s.token_hash for s in stored}
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(hours=7, minutes=59) < expires - datetime.now(UTC) <= timedelta(hours=8)
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["email"] == agent.email and me.json()["role"] == "agent"
    assert "password_hash" not in me.json()


@pytest.mark.parametrize("case", ["wrong password", "unknown email"])
def test_wrong_credentials_get_401(client, agent, case):
    email = agent.email if case == "wrong password" else "nobody@agents.example.com"
    response = client.post("/api/auth/login", json={"email": email, "password": "wrong password!"})
    assert_error(response, 401, "invalid_credentials")


def test_inactive_agent_cannot_log_in_and_loses_sessions(client, make_agent, login, admin_headers):
    agent = make_agent(Role.AGENT)
    headers = login(agent)
    disabled = client.patch(f"/api/agents/{agent.id}", json={"active": False}, headers=admin_headers)
    assert disabled.status_code == 200 and disabled.json()["active"] is False
    assert_error(client.get("/api/auth/me", headers=headers), 401, "not_authenticated")
    response = client.post("/api/auth/login", json={"email": agent.email, "password": PASSWORD})
    assert_error(response, 401, "invalid_credentials")


def test_expired_session_is_refused(client, agent):
    past = datetime.now(UTC) - timedelta(days=1)
    for db_session in session_scope(client.app.state.session_factory):
        token, _ = start_session(db_session=db_session, agent=agent, ttl_seconds=3600, now=past)
    assert_error(client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}), 401)


def test_logout_ends_the_session(client, agent, login):
    headers = login(agent)
    assert client.post("/api/auth/logout", headers=headers).status_code == 204
    assert_error(client.get("/api/auth/me", headers=headers), 401)
    assert_error(client.post("/api/auth/logout", headers=headers), 401)


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer not-a-token", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 600],
)
def test_missing_or_wrong_bearer_gets_401(client, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    for path in ("/api/auth/me", "/api/customers", "/api/tickets", "/api/agents"):
        assert_error(client.get(path, headers=headers), 401)


def test_bot_service_token_is_refused_on_api(client, crm_settings):
    headers = {"Authorization": f"Bearer {crm_settings.bot_service_token.get_secret_value()}"}
    for path in ("/api/auth/me", "/api/customers", "/api/customers/1", "/api/tickets"):
        assert_error(client.get(path, headers=headers), 401)


def test_account_without_role_can_log_in_but_do_nothing_else(client, make_agent, login):
    headers = login(make_agent(None))
    assert client.get("/api/auth/me", headers=headers).json()["role"] is None
    for method, path in [
        ("GET", "/api/customers"),
        ("GET", "/api/customers/1"),
        ("GET", "/api/tickets"),
        ("POST", "/api/tickets"),
        ("GET", "/api/agents"),
        ("GET", "/api/customers/1/export"),
    ]:
        assert_error(client.request(method, path, headers=headers, json={}), 403, "forbidden")


def test_agent_gets_403_on_admin_endpoints(client, agent, agent_headers):
    for method, path, body in [
        ("GET", "/api/agents", None),
        ("POST", "/api/agents", {"email": "x@example.com", "name": "X", "password": "p" * 12}),
        ("PATCH", f"/api/agents/{agent.id}", {"role": "admin"}),
        ("GET", "/api/customers/1/export", None),
        ("POST", "/api/customers/1/erase", None),
    ]:
        assert_error(client.request(method, path, headers=agent_headers, json=body), 403, "forbidden")


def _from(client, address: str) -> TestClient:
    """A client of the same app whose requests come from `address`."""
    return TestClient(client.app, client=(address, 50000))


@pytest.mark.attack("agent_lockout")
def test_wrong_passwords_from_one_address_do_not_lock_the_owner_out(client, make_agent):
    agent = make_agent(Role.ADMIN)
    attacker, owner = _from(client, "203.0.113.7"), _from(client, "198.51.100.20")
    wrong = {"email": agent.email, "password": "not the password"}
    for _ in range(5):
        assert_error(attacker.post("/api/auth/login", json=wrong), 401, "invalid_credentials")
    right = {"email": agent.email, "password": PASSWORD}
    # The real owner, from another address, is not locked out.
    assert owner.post("/api/auth/login", json=right).status_code == 200
    refused = attacker.post("/api/auth/login", json=right)
    assert_error(refused, 429, "too_many_attempts")
    assert int(refused.headers["Retry-After"]) >= 1
    other = make_agent(Role.AGENT)  # nor is another account from the attacker's address
    assert attacker.post("/api/auth/login", json={"email": other.email, "password": PASSWORD}).status_code == 200


@pytest.mark.attack("agent_lockout")
def test_spraying_many_emails_from_one_address_is_slowed(client, crm_settings, make_agent):
    agent = make_agent(Role.AGENT)
    sprayer = _from(client, "203.0.113.99")
    for number in range(crm_settings.login_max_failures_per_ip):
        wrong = {"email": f"guess{number}@agents.example.com", "password": "Winter2026!"}
        assert_error(sprayer.post("/api/auth/login", json=wrong), 401)
    right = {"email": agent.email, "password": PASSWORD}
    assert_error(sprayer.post("/api/auth/login", json=right), 429, "too_many_attempts")
    assert _from(client, "198.51.100.21").post("/api/auth/login", json=right).status_code == 200


def test_refused_logins_are_audited_without_the_email(client, make_agent, db_session):
    agent = make_agent(Role.AGENT)
    attacker = _from(client, "203.0.113.8")
    wrong = {"email": agent.email, "password": "not the password"}
    for _ in range(5):
        attacker.post("/api/auth/login", json=wrong)
    attacker.post("/api/auth/login", json=wrong)  # throttled
    attacker.post("/api/auth/login", json={"email": "nobody@agents.example.com", "password": "x"})  # unknown
    entries = db_session.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == "agent_login").order_by(AuditEntry.id)
    ).all()
    mine = [e for e in entries if e.detail.get("ip") == "203.0.113.8"]
    assert [e.action for e in mine] == ["login_failed"] * 5 + ["login_throttled", "login_failed"]
    assert {e.entity_id for e in mine[:6]} == {str(agent.id)} and mine[-1].entity_id is None
    assert mine[4].detail == {"via": "api", "ip": "203.0.113.8", "failures": 5}
    assert all(agent.email not in str(e.detail) for e in mine)


def test_the_wait_doubles_with_each_failure_and_then_ends():
    now = [1000.0]
    guard = LoginGuard(
        max_failures=3, max_failures_per_ip=50, base_delay_seconds=2, window_seconds=600, clock=lambda: now[0]
    )
    for _ in range(3):
        assert guard.wait_seconds("a@x.io", "1.2.3.4") == 0
        guard.record_failure("A@x.io", "1.2.3.4")
    assert guard.wait_seconds("a@x.io", "1.2.3.4") == 2
    assert guard.wait_seconds("a@x.io", "5.6.7.8") == 0  # another address is free
    now[0] += 2
    assert guard.wait_seconds("a@x.io", "1.2.3.4") == 0
    guard.record_failure("a@x.io", "1.2.3.4")
    assert guard.wait_seconds("a@x.io", "1.2.3.4") == 4
    now[0] += 600  # idle for the whole window: forgotten
    assert guard.wait_seconds("a@x.io", "1.2.3.4") == 0
    for _ in range(3):
        guard.record_failure("a@x.io", "1.2.3.4")
    guard.record_success("a@x.io", "1.2.3.4")
    assert guard.wait_seconds("a@x.io", "1.2.3.4") == 0


def test_admin_manages_agents(client, admin, admin_headers):
    created = client.post(
        "/api/agents",
        json={"email": "New.Agent@Agents.Example.com", "name": "New", "password": "a long password", "role": "agent"},
        headers=admin_headers,
    )
    assert created.status_code == 201
    new = created.json()
    assert new["email"] == "new.agent@agents.example.com" and new["role"] == "agent"
    duplicate = client.post(
        "/api/agents",
        json={"email": "new.agent@agents.example.com", "name": "Dup", "password": "a long password"},
        headers=admin_headers,
    )
    assert_error(duplicate, 409, "agent_exists")
    listed = client.get("/api/agents", headers=admin_headers).json()["items"]
    assert {new["id"], admin.id} <= {a["id"] for a in listed}
    promoted = client.patch(f"/api/agents/{new['id']}", json={"role": "admin"}, headers=admin_headers)
    assert promoted.json()["role"] == "admin"
    no_role = client.patch(f"/api/agents/{new['id']}", json={"role": None, "name": None}, headers=admin_headers)
    assert no_role.json()["role"] is None and no_role.json()["name"] == "New"
    assert_error(client.patch("/api/agents/999999", json={"active": True}, headers=admin_headers), 404)
    assert_error(client.patch(f"/api/agents/{new['id']}", json={"role": "root"}, headers=admin_headers), 422)
    short = {"email": "s@agents.example.com", "name": "S", "password": "short"}
    assert_error(client.post("/api/agents", json=short, headers=admin_headers), 422, "invalid_request")
