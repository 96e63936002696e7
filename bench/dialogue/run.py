"""The conversation-level benchmark: scripted multi-turn conversations against the full stack.

    .venv/bin/python -m bench.dialogue.run bench/data/dialogue/dev.jsonl [--limit N] [--out PATH]

Starts Rasa, the action server and the CRM with `ops.stack.Stack` (SQLite, the demo catalogue,
agents' hours "never", so "agents online" means an agent is logged in to the console), makes a
fresh customer per conversation (bench/dialogue/fixtures.py), plays each turn through Rasa's
REST channel (the customer's signed token for verified conversations) and the console (agent
steps), and writes bench/results/dialogue.json: conversations, turns, turn_success,
conversation_success, unintended_data_changes, empty_replies, per-tag figures, and every
failed turn for review.
"""

import argparse
import json
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

from bench.dialogue.runner import Console, Runner, summarise
from crm_backend.agents.models import Role
from crm_backend.agents.service import create_agent
from crm_backend.core.db import make_engine, make_session_factory, session_scope
from crm_backend.core.security import issue_customer_token
from ops.stack import Stack, StackConfig, free_port, run_app_command

RESULTS = Path("bench/results/dialogue.json")
AGENT_EMAIL = "bench-agent@agents.example.com"


def start_stack(work: Path) -> Stack:
    env = {
        "BOT_SERVICE_TOKEN": secrets.token_urlsafe(32),
        "CUSTOMER_TOKEN_SECRET": secrets.token_urlsafe(32),
        "RASA_API_TOKEN": secrets.token_urlsafe(16),
        "DATABASE_URL": f"sqlite:///{work / 'crm.db'}",
        "TRACKER_DB_URL": f"sqlite:///{work / 'tracker.db'}",
        "LOCK_STORE_TYPE": "in_memory",
        "LOCK_STORE_URL": "",
        "AGENT_HOURS": "never",
        "CONSOLE_SECURE_COOKIE": "false",
    }
    run_app_command(["-m", "crm_backend", "migrate"], env)
    run_app_command(["-m", "crm_backend", "seed-demo"], env)
    config = StackConfig(
        env=env, crm_port=free_port(), actions_port=free_port(), rasa_port=free_port(), log_dir=work / "logs"
    )
    stack = Stack(config)
    stack.start()
    return stack


def run(conversations: list[dict], stack: Stack) -> dict:
    env = stack.child_env()
    engine = make_engine(stack.config.env["DATABASE_URL"])
    session_factory = make_session_factory(engine)
    password = secrets.token_urlsafe(16)
    for db_session in session_scope(session_factory):
        create_agent(db_session=db_session, email=AGENT_EMAIL, name="Bench Agent", password=password, role=Role.AGENT)
    secret = stack.config.env["CUSTOMER_TOKEN_SECRET"]
    runner = Runner(
        rasa_url=stack.config.rasa_url,
        rest_token=env["REST_CHANNEL_TOKEN"],
        rasa_api_token=stack.config.env["RASA_API_TOKEN"],
        session_factory=session_factory,
        console=Console(stack.config.crm_url, AGENT_EMAIL, password),
        token_for=lambda customer_id: issue_customer_token(customer_id, secret=secret, ttl_seconds=3600),
    )
    results = {}
    for number, conversation in enumerate(conversations, 1):
        results[conversation["id"]] = runner.play(conversation)
        ok = all(t.ok for t in results[conversation["id"]])
        print(f"[{number}/{len(conversations)}] {conversation['id']}: {'ok' if ok else 'FAILED'}", file=sys.stderr)
    engine.dispose()
    summary = summarise(conversations, results)
    summary["failed_turns"] = [
        {"id": cid, "turn": index, **vars(turn)}
        for cid, turns in results.items()
        for index, turn in enumerate(turns, 1)
        if not turn.ok
    ]
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="conversations, one JSON object per line")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    conversations = [json.loads(line) for line in args.path.read_text().splitlines() if line.strip()]
    conversations = conversations[: args.limit] if args.limit else conversations
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-dialogue-") as folder, start_stack(Path(folder)) as stack:
        summary = run(conversations, stack)
    summary = {
        "data": str(args.path),
        **summary,
        "seconds": round(time.monotonic() - started, 1),
        "load_average": os.getloadavg(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2) + "\n")
    keys = (
        "conversations",
        "turns",
        "turn_success",
        "conversation_success",
        "unintended_data_changes",
        "empty_replies",
    )
    print(json.dumps({k: summary[k] for k in keys}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
