"""Conversation list at 100,000 conversations: index build time and list/filter/search latency.

Generates Rasa-shaped events into a tracker store, runs the incremental indexer, then
times keyset pages (first and deep), each filter and the text/customer/order searches, on
SQLite (files in a temporary folder) and on PostgreSQL (fresh databases
`concierge_bench_console` and `concierge_bench_console_tracker`, created and dropped; the
server is BENCH_POSTGRES_ADMIN_URL, by default the local one). On PostgreSQL the text
searches are also timed without the trigram index of migration 0007, and the plans of
the text searches and of the intent filter are kept.

Usage: .venv/bin/python bench/console/list_100k.py [--conversations N] [--backends sqlite,postgresql]
       → bench/results/console.json (the top-level figures are SQLite's, as before; each
       backend's own figures are under "backends")
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from crm_backend.core.db import make_engine, make_session_factory, upgrade_database  # noqa: E402
from crm_backend.core.security import issue_customer_token  # noqa: E402
from crm_backend.transcripts import service  # noqa: E402
from crm_backend.transcripts.indexer import index_new_events  # noqa: E402
from tests.fake_events import ConversationWriter, create_tracker_schema, write  # noqa: E402

OUT = ROOT / "bench" / "results" / "console.json"
SECRET = "b" * 40
POSTGRES_ADMIN_URL = os.environ.get("BENCH_POSTGRES_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
POSTGRES_DATABASES = ("concierge_bench_console", "concierge_bench_console_tracker")
TRIGRAM_INDEX = "ix_conversation_summaries_search_trgm"
DATABASES = {
    "sqlite": "SQLite (CRM and tracker store, files)",
    "postgresql": "PostgreSQL (CRM and tracker store: two databases on the local server)",
}
ANALYZE_NOTE = (
    "ANALYZE ran on the tracker's events after generating them and on the summaries after indexing, "
    "as autovacuum would in a running system; without it the planner has no statistics for bulk-loaded tables"
)
CHANNELS = ["socketio", "socketio", "rest", "telegram"]
PHRASES = [
    ("where is my order {order}", "order_status"),
    ("I want to return {order}", "start_return"),
    ("how do I pay with paypal", "payment_methods"),
    ("hello there", "greet"),
    ("blorp the wibble {n}", "nlu_fallback"),
    ("can I talk to a person", "human_handoff"),
    ("my email is someone{n}@example.com", "inform"),
]


def generate(tracker, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    tokens = {c: issue_customer_token(c, secret=SECRET, ttl_seconds=3600, now=1.7e9) for c in range(1, 2001)}
    start = 1_760_000_000.0
    batch: list[ConversationWriter] = []
    for i in range(n):
        customer = rng.randint(1, 2000) if rng.random() < 0.6 else None
        chat = ConversationWriter(
            f"bench-{i:06d}", start + i * 30, channel=rng.choice(CHANNELS), token=tokens.get(customer)
        )
        for _ in range(rng.randint(1, 3)):
            phrase, intent = rng.choice(PHRASES)
            text = phrase.format(order=rng.randint(700000, 799999), n=rng.randint(0, 999))
            chat.user(text, intent, round(rng.uniform(0.1, 1.0), 3)).action(f"action_{intent}").bot("ok")
            if intent == "human_handoff":
                chat.pause()
        batch.append(chat)
        if len(batch) == 5000:
            write(tracker, batch)
            batch = []
    write(tracker, batch)


def timed(fn, repeat: int = 5) -> dict:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t) * 1000)
    return {"median_ms": round(statistics.median(times), 2), "max_ms": round(max(times), 2), "rows": result}


@contextmanager
def sqlite_stores() -> Iterator[tuple[str, str]]:
    work = Path(tempfile.mkdtemp(prefix="console-bench-"))
    yield f"sqlite:///{work / 'crm.db'}", f"sqlite:///{work / 'tracker.db'}"


@contextmanager
def postgres_stores() -> Iterator[tuple[str, str]]:
    """Fresh CRM and tracker databases on the PostgreSQL server, dropped afterwards."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")

    def run_on_each(statement: str) -> None:
        with admin.connect() as connection:
            for name in POSTGRES_DATABASES:
                connection.execute(text(statement.format(name=name)))

    run_on_each('DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    run_on_each('CREATE DATABASE "{name}"')
    base = make_url(POSTGRES_ADMIN_URL)
    try:
        yield tuple(base.set(database=name).render_as_string(hide_password=False) for name in POSTGRES_DATABASES)
    finally:
        run_on_each('DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def queries(db_session: Session) -> dict[str, Callable[[], int]]:
    def page(filters=None, cursor=None):
        rows, _next_cursor = service.list_conversations(
            db_session=db_session, filters=filters or service.ConversationFilters(), cursor=cursor
        )
        return len(rows)

    _, deep_cursor = service.list_conversations(
        db_session=db_session, filters=service.ConversationFilters(), limit=80_000
    )
    F = service.ConversationFilters
    return {
        "first_page": lambda: page(),
        "page_after_80000": lambda: page(cursor=deep_cursor),
        "channel=telegram": lambda: page(F(channel="telegram")),
        "fallback=yes": lambda: page(F(had_fallback=True)),
        "handoff=yes": lambda: page(F(had_handoff=True)),
        "confidence<0.2": lambda: page(F(confidence_below=0.2)),
        "customer=42": lambda: page(F(customer_id=42)),
        "order=712345": lambda: page(F(order_number="712345")),
        "intent=start_return": lambda: page(F(intent="start_return")),
        "text='paypal'": lambda: page(F(text="paypal")),
        "text rare ('wibble 999')": lambda: page(F(text="wibble 999")),
        "text absent ('zzzz')": lambda: page(F(text="zzzz")),
        "date range (1 day)": lambda: page(F(since=1_760_000_000.0 + 86400, until=1_760_000_000.0 + 2 * 86400)),
    }


TEXT_FILTERS = {
    "text='paypal'": "paypal",
    "text rare ('wibble 999')": "wibble 999",
    "text absent ('zzzz')": "zzzz",
}


def plans(db_session: Session, engine: Engine) -> dict[str, list[str]]:
    """PostgreSQL's plan of each text search and of the intent filter, as the console sends them."""
    planned = {name: service.ConversationFilters(text=words) for name, words in TEXT_FILTERS.items()}
    planned["intent=start_return"] = service.ConversationFilters(intent="start_return")
    found = {}
    for name, filters in planned.items():
        statement = service.list_statement(filters, limit=service.PAGE_SIZE + 1)
        sql = str(statement.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
        lines = db_session.connection().exec_driver_sql(f"EXPLAIN {sql}").scalars().all()
        found[name] = [line.strip() for line in lines if "cost=" in line]
    return found


def run(backend: str, conversations: int) -> dict:
    stores = sqlite_stores() if backend == "sqlite" else postgres_stores()
    with stores as (crm_url, tracker_url):
        upgrade_database(crm_url)
        tracker = make_engine(tracker_url)
        create_tracker_schema(tracker)
        t = time.perf_counter()
        generate(tracker, conversations)
        generate_s = time.perf_counter() - t
        with tracker.connect() as connection:
            events = connection.exec_driver_sql("SELECT count(*) FROM events").scalar()
            if backend == "postgresql":
                # Without statistics the indexer's `id > n ORDER BY id LIMIT k` scans the table.
                connection.exec_driver_sql("ANALYZE events")
                connection.commit()
        crm = make_engine(crm_url)
        db_session = make_session_factory(crm)()
        t = time.perf_counter()
        index_new_events(db_session=db_session, tracker=tracker, secret=SECRET)
        db_session.commit()
        index_s = time.perf_counter() - t
        t = time.perf_counter()
        incremental = index_new_events(db_session=db_session, tracker=tracker, secret=SECRET)
        noop_ms = (time.perf_counter() - t) * 1000
        db_session.commit()
        section: dict = {}
        if backend == "postgresql":
            db_session.connection().exec_driver_sql("ANALYZE conversation_summaries")
            db_session.connection().exec_driver_sql("ANALYZE conversation_orders")
            db_session.commit()
            section["analyze"] = ANALYZE_NOTE
        results = {name: timed(fn) for name, fn in queries(db_session).items()}
        if backend == "postgresql":
            section["server"] = db_session.connection().exec_driver_sql("SHOW server_version").scalar()
            section["plans"] = plans(db_session, crm)
            db_session.connection().exec_driver_sql(f"DROP INDEX {TRIGRAM_INDEX}")
            all_queries = queries(db_session)
            section["text_queries_without_trigram_index"] = {name: timed(all_queries[name]) for name in TEXT_FILTERS}
            db_session.rollback()  # the index comes back
        db_session.close()
        crm.dispose()
        tracker.dispose()
    return {
        "database": DATABASES[backend],
        "events": events,
        "generate_seconds": round(generate_s, 1),
        "index_build_seconds": round(index_s, 1),
        "index_events_per_second": round(events / index_s),
        "incremental_noop_ms": round(noop_ms, 2),
        "incremental_noop_events": incremental.events,
        "queries": results,
        **section,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    backends = [name.strip() for name in args.backends.split(",") if name.strip()]
    sections = {}
    for backend in backends:
        print(f"{backend}: {args.conversations} conversations...", flush=True)
        sections[backend] = run(backend, args.conversations)
    first = sections["sqlite"] if "sqlite" in sections else sections[backends[0]]
    report = {
        "conversations": args.conversations,
        # The top-level figures are SQLite's (the embedded default), as in earlier runs.
        "events": first["events"],
        "database": first["database"],
        "generate_seconds": first["generate_seconds"],
        "index_build_seconds": first["index_build_seconds"],
        "index_events_per_second": first["index_events_per_second"],
        "incremental_noop_ms": first["incremental_noop_ms"],
        "incremental_noop_events": first["incremental_noop_events"],
        "page_size": service.PAGE_SIZE,
        "queries": first["queries"],
        "backends": sections,
        "python": platform.python_version(),
        "cpu_note": "2 shared cores; other workers were running",
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
