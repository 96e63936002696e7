"""Schema-driven fuzzing: random but schema-shaped requests to every /api and /bot route never
get a 5xx. Runs on its own small databases, since it may erase customers or change agents."""

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from sqlalchemy import select

from crm_backend.agents.models import Agent, Role
from crm_backend.agents.service import create_agent, start_session
from crm_backend.core.db import make_engine, make_session_factory, session_scope, upgrade_database
from crm_backend.demo_data import DemoSize, seed_demo_data
from crm_backend.main import create_app
from tests.conftest import DEMO_AS_OF

FUZZ_ADMIN = "fuzz.admin@agents.example.com"
MAX_EXAMPLES = 10


def _fuzz_database(kind: str, tmp_path_factory, postgres_database_factory) -> str:
    url = postgres_database_factory() if kind == "postgresql" else f"sqlite:///{tmp_path_factory.mktemp('fuzz')}/crm.db"
    upgrade_database(url)
    engine = make_engine(url)
    for db_session in session_scope(make_session_factory(engine)):
        seed_demo_data(db_session, seed=7, as_of=DEMO_AS_OF, size=DemoSize(customers=15, mean_orders_per_customer=3))
        create_agent(db_session=db_session, email=FUZZ_ADMIN, name="Fuzz", password="fuzzing password", role=Role.ADMIN)
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def fuzz_app(crm_settings, tmp_path_factory, postgres_database_factory) -> Iterator[FastAPI]:
    # crm_settings brings the secrets and decides the database kind of this run.
    kind = "sqlite" if crm_settings.database_url.startswith("sqlite") else "postgresql"
    url = _fuzz_database(kind, tmp_path_factory, postgres_database_factory)
    app = create_app(crm_settings.model_copy(update={"database_url": url, "api_docs": True}))
    yield app
    app.state.engine.dispose()


def _headers_for(path: str, app: FastAPI, crm_settings, token_for) -> dict[str, str]:
    """The bot's credentials for /bot; for /api a fresh admin session, since the fuzzer may log
    out, disable or demote the admin it runs as."""
    if path.startswith("/bot/"):
        return {
            "Authorization": f"Bearer {crm_settings.bot_service_token.get_secret_value()}",
            "X-Customer-Token": token_for(1),
            "X-Conversation-Id": "fuzz-customer-1",
        }
    for db_session in session_scope(app.state.session_factory):
        admin = db_session.scalars(select(Agent).where(Agent.email == FUZZ_ADMIN)).one()
        admin.active, admin.role = True, Role.ADMIN
        token, _ = start_session(db_session=db_session, agent=admin, ttl_seconds=600)
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("prefix", ["bot", "api"])
def test_no_route_answers_with_a_server_error(prefix, fuzz_app, crm_settings, token_for):
    """Valid and invalid requests, generated from the OpenAPI document, to every route."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app).include(path_regex=rf"^/{prefix}/")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    failures: list[str] = []
    for operation in operations:
        strategy = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
        )

        @given(case=strategy)
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            bodies = [case.body]
            if isinstance(case.body, dict):  # PostgreSQL refuses NUL characters in text
                bodies.append({k: f"{v}\x00" if isinstance(v, str) else v for k, v in case.body.items()})
            for body in bodies:
                case.body = body
                try:
                    response = case.call(headers=_headers_for(case.path, fuzz_app, crm_settings, token_for))
                except Exception as error:  # the test client re-raises what the app did not handle
                    failures.append(f"{case.method} {case.formatted_path}: {type(error).__name__}, body {body!r}")
                    continue
                if response.status_code >= 500:
                    failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}: {body!r}")

        check()
    assert failures == []
