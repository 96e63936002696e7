"""A small seeded CRM, agents of every role and two customers, A and B, for the security tests."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from crm_backend.agents.models import Agent, Role
from crm_backend.agents.service import create_agent, start_session
from crm_backend.audit.service import ActorType
from crm_backend.core.config import Settings
from crm_backend.core.db import make_engine, make_session_factory, session_scope, upgrade_database
from crm_backend.core.security import issue_customer_token
from crm_backend.customers.models import Consent, Customer
from crm_backend.demo_data import DemoSize, seed_demo_data
from crm_backend.main import create_app
from crm_backend.orders.models import Order
from crm_backend.privacy.service import erase_customer
from crm_backend.returns.models import Return
from crm_backend.tickets.models import Ticket
from tests.conftest import DEMO_AS_OF

CUSTOMER_A, CUSTOMER_B = 1, 2


@dataclass(frozen=True)
class Principals:
    """Ids of the agents the tests act as (their session tokens are made per test)."""

    admin: int
    agent: int
    norole: int


@pytest.fixture(scope="session")
def security_settings(tmp_path_factory, test_secrets) -> Settings:
    url = f"sqlite:///{tmp_path_factory.mktemp('security') / 'crm.db'}"
    upgrade_database(url)
    engine = make_engine(url)
    for db_session in session_scope(make_session_factory(engine)):
        seed_demo_data(db_session, seed=11, as_of=DEMO_AS_OF, size=DemoSize(customers=12, mean_orders_per_customer=4))
    engine.dispose()
    return Settings(
        database_url=url,
        bot_service_token=test_secrets["BOT_SERVICE_TOKEN"],
        customer_token_secret=test_secrets["CUSTOMER_TOKEN_SECRET"],
        # The IDOR suite makes many calls from one test client: rate limits are tested apart.
        rate_limit_login_per_minute=0,
        rate_limit_bot_per_second=0,
    )


@pytest.fixture(scope="session")
def secure_client(security_settings) -> Iterator[TestClient]:
    app = create_app(security_settings)
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


@pytest.fixture(scope="session")
def principals(secure_client) -> Principals:
    ids = {}
    for db_session in session_scope(secure_client.app.state.session_factory):
        for name, role in (("admin", Role.ADMIN), ("agent", Role.AGENT), ("norole", None)):
            agent = create_agent(
                db_session=db_session,
                email=f"security-{name}@agents.example.com",
                name=f"Security {name}",
                password="security test password",
                role=role,
            )
            ids[name] = agent.id
    return Principals(**ids)


@pytest.fixture
def session_headers(secure_client) -> Callable[[int], dict[str, str]]:
    """A fresh session for an agent id (tests may log out or be demoted by the route they call)."""

    def make(agent_id: int) -> dict[str, str]:
        for db_session in session_scope(secure_client.app.state.session_factory):
            agent = db_session.get(Agent, agent_id)
            token, _ = start_session(db_session=db_session, agent=agent, ttl_seconds=600)
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture(scope="session")
def customer_token(security_settings) -> Callable[..., str]:
    def make(customer_id: int, ttl: int = 600) -> str:
        secret = security_settings.customer_token_secret.get_secret_value()
        return issue_customer_token(customer_id, secret=secret, ttl_seconds=ttl)

    return make


@pytest.fixture(scope="session")
def erased_customer(secure_client) -> int:
    """A customer whose data an administrator erased (their tokens are still validly signed)."""
    for db_session in session_scope(secure_client.app.state.session_factory):
        customer = Customer(first_name="Erased", last_name="Person", email="erased.person@security.example.org")
        db_session.add(customer)
        db_session.flush()
        erase_customer(db_session=db_session, customer=customer, actor_type=ActorType.SYSTEM, actor_id=None)
    return customer.id


@pytest.fixture(scope="session")
def service_headers(security_settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {security_settings.bot_service_token.get_secret_value()}"}


def customer_snapshot(client: TestClient, customer_id: int) -> dict:
    """Everything about a customer that a foreign request could read or change."""
    with client.app.state.session_factory() as db_session:
        customer = db_session.get(Customer, customer_id)
        orders = db_session.scalars(select(Order).where(Order.customer_id == customer_id).order_by(Order.id)).all()
        return {
            "customer": (customer.first_name, customer.last_name, customer.email, customer.erased_at),
            "orders": [(o.number, o.status, o.shipping_address) for o in orders],
            "returns": db_session.scalars(select(Return.id).where(Return.customer_id == customer_id)).all(),
            "tickets": db_session.scalars(select(Ticket.id).where(Ticket.customer_id == customer_id)).all(),
            "consents": sorted(
                (c.purpose, c.granted)
                for c in db_session.scalars(select(Consent).where(Consent.customer_id == customer_id))
            ),
        }


def secrets_of(client: TestClient, customer_id: int) -> list[str]:
    """Strings that must never appear in an answer given to anyone else."""
    snapshot = customer_snapshot(client, customer_id)
    first, last, email, _ = snapshot["customer"]
    return [f"{first} {last}", email, *(number for number, _, _ in snapshot["orders"])]
