from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from crm_backend.core.security import issue_customer_token
from crm_backend.main import create_app
from crm_backend.orders.models import Order


@pytest.fixture(scope="module")
def client(crm_settings) -> Iterator[TestClient]:
    app = create_app(crm_settings)
    with TestClient(app) as test_client:
        yield test_client
    app.state.engine.dispose()


@pytest.fixture
def db_session(client):
    with client.app.state.session_factory() as session:
        yield session


@pytest.fixture
def token_for(crm_settings):
    def make(customer_id: int, ttl: int = 600, now: float | None = None) -> str:
        secret = crm_settings.customer_token_secret.get_secret_value()
        return issue_customer_token(customer_id, secret=secret, ttl_seconds=ttl, now=now)

    return make


@pytest.fixture
def bot_headers(crm_settings, token_for):
    """The action server's headers for a customer (in a conversation of their own) or for nobody."""

    def make(customer_id: int | None = 1, *, conversation_id: str | None = None, **token_options) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {crm_settings.bot_service_token.get_secret_value()}"}
        if customer_id is not None:
            headers["X-Customer-Token"] = token_for(customer_id, **token_options)
            headers["X-Conversation-Id"] = conversation_id or f"conversation-of-customer-{customer_id}"
        return headers

    return make


@pytest.fixture
def orders_of(db_session):
    def find(customer_id: int) -> list[Order]:
        statement = select(Order).where(Order.customer_id == customer_id).order_by(Order.placed_at.desc())
        return list(db_session.scalars(statement))

    return find
