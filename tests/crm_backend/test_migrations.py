"""Migrations upgrade the foundation's schema without losing data, on PostgreSQL and SQLite."""

import pytest
from alembic import command
from sqlalchemy import inspect, text

from crm_backend.core.db import alembic_config, make_engine, upgrade_database
from crm_backend.models import Base
from crm_backend.transcripts.service import ConversationFilters, list_statement

FOUNDATION_ROWS = [
    "INSERT INTO customers (id, first_name, last_name, email) VALUES (1, 'Ada', 'Lovelace', 'ada@example.com')",
    "INSERT INTO customers (id, first_name, last_name, email) VALUES (2, 'Alan', 'Turing', 'alan@example.com')",
    "INSERT INTO products (id, sku, name, category, unit_price, in_stock) "
    "VALUES (1, 'K1', 'Teapot', 'kitchen', 24.90, true), (2, 'G1', 'Gloves', 'garden', 9.95, false), "
    "(3, 'K2', 'Mug', 'kitchen', 8.00, true)",
    "INSERT INTO orders (id, number, customer_id, status, placed_at, shipped_at, delivered_at, "
    "estimated_delivery, carrier, tracking_number, total, currency) VALUES "
    "(1, '700001', 1, 'delivered', '2026-01-02 10:00:00+00', '2026-01-03 09:00:00+00', "
    "'2026-01-05 15:00:00+00', '2026-01-07', 'DHL', 'DH123', 24.90, 'EUR'), "
    "(2, '700002', 2, 'processing', '2026-01-04 10:00:00+00', NULL, NULL, '2026-01-09', NULL, NULL, "
    "9.95, 'EUR')",
    "INSERT INTO order_items (id, order_id, product_id, quantity, unit_price) VALUES "
    "(1, 1, 1, 1, 24.90), (2, 2, 2, 1, 9.95)",
]


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path, postgres_database_factory) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrate.db'}"
    return postgres_database_factory()


def rows(engine, sql: str) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql))]


def test_upgrade_from_foundation_keeps_every_row(empty_database_url):
    upgrade_database(empty_database_url, "0001_foundation")
    engine = make_engine(empty_database_url)
    with engine.begin() as connection:
        for statement in FOUNDATION_ROWS:
            connection.execute(text(statement))

    upgrade_database(empty_database_url)

    assert rows(engine, "SELECT id, first_name FROM customers ORDER BY id") == [(1, "Ada"), (2, "Alan")]
    assert rows(
        engine,
        "SELECT p.sku, c.name FROM products p JOIN categories c ON c.id = p.category_id ORDER BY p.sku",
    ) == [("G1", "garden"), ("K1", "kitchen"), ("K2", "kitchen")]
    assert rows(engine, "SELECT name FROM categories ORDER BY name") == [("garden",), ("kitchen",)]
    shipments = rows(engine, "SELECT order_id, carrier, tracking_number FROM shipments ORDER BY order_id")
    assert shipments == [(1, "DHL", "DH123")]
    assert rows(engine, "SELECT number, status FROM orders ORDER BY id") == [
        ("700001", "delivered"),
        ("700002", "processing"),
    ]
    assert rows(engine, "SELECT count(*) FROM order_items") == [(2,)]
    engine.dispose()


def test_head_schema_matches_the_models(empty_database_url):
    upgrade_database(empty_database_url)
    engine = make_engine(empty_database_url)
    inspector = inspect(engine)
    for table in Base.metadata.sorted_tables:
        database_columns = {column["name"] for column in inspector.get_columns(table.name)}
        assert database_columns == {column.name for column in table.columns}, table.name
    engine.dispose()


def test_downgrade_to_foundation_restores_its_shape(empty_database_url):
    upgrade_database(empty_database_url, "0001_foundation")
    engine = make_engine(empty_database_url)
    with engine.begin() as connection:
        for statement in FOUNDATION_ROWS:
            connection.execute(text(statement))
    upgrade_database(empty_database_url)
    command.downgrade(alembic_config(empty_database_url), "0001_foundation")
    assert rows(engine, "SELECT sku, category FROM products ORDER BY sku") == [
        ("G1", "garden"),
        ("K1", "kitchen"),
        ("K2", "kitchen"),
    ]
    assert rows(engine, "SELECT number, carrier FROM orders ORDER BY id") == [
        ("700001", "DHL"),
        ("700002", None),
    ]
    engine.dispose()


TRIGRAM_INDEX = "ix_conversation_summaries_search_trgm"
INTENT_STATISTICS = "st_conversation_summaries_intent_words"


def test_console_search_indexes_come_and_go(empty_database_url):
    """0007 on PostgreSQL: a pg_trgm GIN index the console's text search can use, and
    statistics on the intent filter's expression. Nothing on SQLite."""
    upgrade_database(empty_database_url)
    engine = make_engine(empty_database_url)
    postgres = engine.dialect.name == "postgresql"

    def search_helpers() -> set[str]:
        found = {index["name"] for index in inspect(engine).get_indexes("conversation_summaries")}
        if postgres:
            found |= {name for (name,) in rows(engine, "SELECT stxname FROM pg_statistic_ext")}
        return found & {TRIGRAM_INDEX, INTENT_STATISTICS}

    assert search_helpers() == ({TRIGRAM_INDEX, INTENT_STATISTICS} if postgres else set())
    if postgres:
        definition = rows(engine, f"SELECT indexdef FROM pg_indexes WHERE indexname = '{TRIGRAM_INDEX}'")[0][0]
        assert "USING gin (search_text gin_trgm_ops)" in definition
        # The very query the console sends. On an empty table the planner would rather scan,
        # so scans are priced out: the plan shows whether the index can serve the search at all.
        statement = list_statement(ConversationFilters(text="Wibble_99%"))
        sql = str(statement.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
        with engine.connect() as connection:
            connection.exec_driver_sql("SET enable_seqscan = off")
            connection.exec_driver_sql("SET enable_indexscan = off")
            plan = "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {sql}"))
        assert f"Bitmap Index Scan on {TRIGRAM_INDEX}" in plan, plan

    command.downgrade(alembic_config(empty_database_url), "0006_conversation_insights")
    assert search_helpers() == set()
    upgrade_database(empty_database_url)  # pg_trgm stayed installed: the upgrade runs again
    assert search_helpers() == ({TRIGRAM_INDEX, INTENT_STATISTICS} if postgres else set())
    engine.dispose()
