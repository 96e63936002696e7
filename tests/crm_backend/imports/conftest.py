"""Fresh, migrated databases (SQLite and the local PostgreSQL) and a way to import into them."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from crm_backend.core.db import make_engine, make_session_factory, upgrade_database
from crm_backend.imports.flows import ImportSummary, import_transactions


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path, postgres_database_factory) -> str:
    url = f"sqlite:///{tmp_path / 'crm.db'}" if request.param == "sqlite" else postgres_database_factory()
    upgrade_database(url)
    return url


@pytest.fixture
def engine(database_url) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def run_import(engine, tmp_path) -> Callable[..., ImportSummary]:
    def run(path: Path, **options) -> ImportSummary:
        options.setdefault("report_path", tmp_path / "rejected.csv")
        return import_transactions(path, session_factory=make_session_factory(engine), **options)

    return run
