"""Conversation list at 100,000 conversations: index build time and list/filter/search latency.

Generates Rasa-shaped events into a tracker store, runs the incremental indexer, then
times keyset pages (first and deep), each filter and the text/customer/order searches.
Usage: .venv/bin/python bench/console/list_100k.py [--conversations N] [--postgres]
       → bench/results/console.json
"""

import argparse
import json
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from crm_backend.core.db import make_engine, make_session_factory, upgrade_database  # noqa: E402
from crm_backend.core.security import issue_customer_token  # noqa: E402
from crm_backend.transcripts import service  # noqa: E402
from crm_backend.transcripts.fake_events import ConversationWriter, create_tracker_schema, write  # noqa: E402
from crm_backend.transcripts.indexer import index_new_events  # noqa: E402

OUT = ROOT / "bench" / "results" / "console.json"
SECRET = "b" * 40
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=100_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="console-bench-"))
    crm_url, tracker_url = f"sqlite:///{work / 'crm.db'}", f"sqlite:///{work / 'tracker.db'}"
    upgrade_database(crm_url)
    tracker = make_engine(tracker_url)
    create_tracker_schema(tracker)
    t = time.perf_counter()
    generate(tracker, args.conversations)
    generate_s = time.perf_counter() - t
    with tracker.connect() as connection:
        events = connection.exec_driver_sql("SELECT count(*) FROM events").scalar()
    crm = make_engine(crm_url)
    db_session = make_session_factory(crm)()
    t = time.perf_counter()
    index_new_events(db_session=db_session, tracker=tracker, secret=SECRET)
    db_session.commit()
    index_s = time.perf_counter() - t
    t = time.perf_counter()
    incremental = index_new_events(db_session=db_session, tracker=tracker, secret=SECRET)
    noop_ms = (time.perf_counter() - t) * 1000

    def page(filters=None, cursor=None):
        rows, _next_cursor = service.list_conversations(
            db_session=db_session, filters=filters or service.ConversationFilters(), cursor=cursor
        )
        return len(rows)

    _, deep_cursor = service.list_conversations(
        db_session=db_session, filters=service.ConversationFilters(), limit=80_000
    )
    F = service.ConversationFilters
    queries = {
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
    results = {name: timed(fn) for name, fn in queries.items()}
    report = {
        "conversations": args.conversations,
        "events": events,
        "database": "SQLite (CRM and tracker store, files)",
        "generate_seconds": round(generate_s, 1),
        "index_build_seconds": round(index_s, 1),
        "index_events_per_second": round(events / index_s),
        "incremental_noop_ms": round(noop_ms, 2),
        "incremental_noop_events": incremental.events,
        "page_size": service.PAGE_SIZE,
        "queries": results,
        "python": platform.python_version(),
        "cpu_note": "2 shared cores; other workers were running",
    }
    OUT.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
