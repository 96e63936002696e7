"""Fixtures shared by every app-environment test: secrets, databases and a seeded CRM."""

import os
import secrets
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from crm_backend.core.config import Settings
from crm_backend.core.db import make_engine, make_session_factory, session_scope, upgrade_database
from crm_backend.demo_data import seed_demo_data
from crm_backend.models import Base
from tests.fake_events import create_tracker_schema

# The real processes and Chromium (web_stack, browser, crm...): registered here, once, so that
# one stack serves tests/web, tests/console, tests/e2e and tests/channels in a run.
pytest_plugins = ["tests.stack_fixtures"]

ROOT = Path(__file__).resolve().parent.parent
# The demo shop is generated relative to today, like `make run`'s: return windows and
# "recent" orders then mean what they say. Order numbers and contents depend on the seed only.
DEMO_AS_OF = date.today()
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def test_secrets() -> dict[str, str]:
    return {
        "BOT_SERVICE_TOKEN": secrets.token_urlsafe(32),
        "CUSTOMER_TOKEN_SECRET": secrets.token_urlsafe(32),
        "RASA_API_TOKEN": secrets.token_urlsafe(16),
    }


def rows_naming(db_session: Session, customer_id: int) -> dict[str, int]:
    """{table: rows whose customer_id is the customer's}, over every table that has the column."""
    return {
        table.name: db_session.scalar(select(func.count()).select_from(table).where(table.c.customer_id == customer_id))
        for table in Base.metadata.sorted_tables
        if "customer_id" in table.c
    }


def create_postgres_database() -> str:
    """A new, empty PostgreSQL database on the local server; returns its URL."""
    name = f"concierge_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    name = make_url(url).database
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def postgres_database_factory() -> Iterator:
    """Call it to get a fresh PostgreSQL database; all are dropped at the end."""
    created: list[str] = []

    def factory() -> str:
        created.append(create_postgres_database())
        return created[-1]

    yield factory
    for url in created:
        drop_postgres_database(url)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def seeded_database_url(request, tmp_path_factory, postgres_database_factory) -> str:
    """A migrated database holding the demo shop, on SQLite and on the real PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('crm') / 'crm.db'}"
    else:
        url = postgres_database_factory()
    upgrade_database(url)
    engine = make_engine(url)
    for db_session in session_scope(make_session_factory(engine)):
        seed_demo_data(db_session, seed=42, as_of=DEMO_AS_OF)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def crm_settings(seeded_database_url, test_secrets) -> Settings:
    return Settings(
        database_url=seeded_database_url,
        bot_service_token=test_secrets["BOT_SERVICE_TOKEN"],
        customer_token_secret=test_secrets["CUSTOMER_TOKEN_SECRET"],
    )


@pytest.fixture(scope="module")
def tracker_url(seeded_database_url, tmp_path_factory, postgres_database_factory) -> str:
    """An empty tracker store of the same kind as the CRM database, with Rasa's `events` table."""
    if seeded_database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path_factory.mktemp('tracker') / 'tracker.db'}"
    else:
        url = postgres_database_factory()
    engine = make_engine(url)
    create_tracker_schema(engine)
    engine.dispose()
    return url
