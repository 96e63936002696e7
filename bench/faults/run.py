"""`make bench-faults`: 50 conversations × 20 messages while each process is killed in turn.

Usage: python -m bench.faults.run [--conversations 50] [--messages 20] [--tracker postgresql|sqlite]
                                  [--stock-channel]

The action server, the CRM and the Rasa server are SIGKILLed and restarted one after the
other while the conversations go on (see bench/faults/scenario.py for what is checked).
`--stock-channel` runs Rasa's own REST channel instead of bot.channels.reliable_rest, to show
what it does with the same faults. Writes bench/results/faults.json (or `--out`).
"""

import argparse
import asyncio
import json
import logging
import os
import tempfile
import uuid
from pathlib import Path

import psycopg

from bench.faults.scenario import FaultPlan, run_faults
from bench.load.stack import ROOT, concierge_stack

POSTGRES = "postgresql://postgres@127.0.0.1:5432"


def create_database() -> str:
    name = f"concierge_faults_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{POSTGRES}/{name}"


def drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[-1]
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--think-mean", type=float, default=2.0)
    parser.add_argument("--tracker", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--stock-channel", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "faults.json")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)

    tracker_url = create_database() if args.tracker == "postgresql" else None
    try:
        with tempfile.TemporaryDirectory(prefix="bench-faults-") as tmp:
            stack = concierge_stack(Path(tmp), tracker_db_url=tracker_url, reliable_channel=not args.stock_channel)
            with stack:
                stack.start()
                plan = FaultPlan(
                    conversations=args.conversations,
                    messages_per_conversation=args.messages,
                    think_mean=args.think_mean,
                )
                result = asyncio.run(run_faults(stack, plan))
    finally:
        if tracker_url:
            drop_database(tracker_url)
    result = {
        "channel": "rasa RestInput" if args.stock_channel else "bot.channels.reliable_rest",
        "tracker_store": args.tracker,
        "load_before": os.getloadavg()[0],
        **result,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
