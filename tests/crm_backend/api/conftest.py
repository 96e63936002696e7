"""Agents, logins and a fully-populated customer for the /api tests."""

import uuid
from collections.abc import Callable

import pytest
from api_factories import PersonalData, add_customer_with_everything

from crm_backend.agents.models import Agent, Role
from crm_backend.agents.service import create_agent
from crm_backend.core.db import session_scope

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def make_agent(client) -> Callable[..., Agent]:
    """Create an agent (unique email) through the service layer; its password is PASSWORD."""

    def make(role: Role | None = Role.AGENT, *, active: bool = True, password: str = PASSWORD) -> Agent:
        for db_session in session_scope(client.app.state.session_factory):
            agent = create_agent(
                db_session=db_session,
                email=f"{role or 'norole'}-{uuid.uuid4().hex[:10]}@agents.example.com",
                name=f"Test {role or 'no role'}",
                password=password,
                role=role,
                active=active,
            )
        return agent

    return make


@pytest.fixture(scope="module")
def login(client) -> Callable[[Agent], dict[str, str]]:
    def headers_for(agent: Agent, password: str = PASSWORD) -> dict[str, str]:
        response = client.post("/api/auth/login", json={"email": agent.email, "password": password})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    return headers_for


@pytest.fixture(scope="module")
def admin(make_agent) -> Agent:
    return make_agent(Role.ADMIN)


@pytest.fixture(scope="module")
def agent(make_agent) -> Agent:
    return make_agent(Role.AGENT)


@pytest.fixture(scope="module")
def admin_headers(admin, login) -> dict[str, str]:
    return login(admin)


@pytest.fixture(scope="module")
def agent_headers(agent, login) -> dict[str, str]:
    return login(agent)


@pytest.fixture
def rich_customer(client) -> PersonalData:
    """A new customer with a row in every table that can refer to a customer."""
    for db_session in session_scope(client.app.state.session_factory):
        personal = add_customer_with_everything(db_session)
    return personal
