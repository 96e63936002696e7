"""Conversations under process faults: SIGKILL and restart the action server, CRM and Rasa.

Used by `bench/faults/run.py` (50 × 20 messages) and `tests/reliability/test_faults.py`
(a shorter run). Every message gets one of three outcomes:
- answered: a normal reply;
- apologised: an explicit apology (utter_service_unavailable / utter_something_went_wrong
  text) or a Rasa error status;
- lost: no answer at all (empty reply, or no connection even after retrying while Rasa restarts).
Afterwards the SQL tracker store is read back: each message's user event must be there
exactly once, no event row may be duplicated, and the events that Rasa held before its
restart must still begin each conversation after it.
"""

import asyncio
import json
import logging
import random
import time
from dataclasses import dataclass, field

import httpx
import yaml
from sqlalchemy import create_engine, text

from bench.load.client import LoadClient, concierge_script
from bench.load.stack import ROOT, ConciergeStack, demo_customers
from crm_backend.core.security import issue_customer_token

logger = logging.getLogger(__name__)

APOLOGY_RESPONSES = ("utter_service_unavailable", "utter_something_went_wrong")


def apology_texts() -> set[str]:
    domain = yaml.safe_load((ROOT / "bot" / "domain" / "basics.yml").read_text())
    return {variant["text"] for name in APOLOGY_RESPONSES for variant in domain["responses"][name]}


@dataclass
class FaultPlan:
    conversations: int = 50
    messages_per_conversation: int = 20
    think_mean: float = 2.0
    # (process, seconds after the start of the load, seconds it stays down)
    faults: list[tuple[str, float, float]] = field(
        default_factory=lambda: [("actions", 6.0, 6.0), ("crm", 24.0, 6.0), ("rasa", 42.0, 2.0)]
    )
    rasa_restart_timeout: float = 300.0


async def _snapshot(http: httpx.AsyncClient, stack: ConciergeStack, senders: list[str]) -> dict[str, dict]:
    """Each conversation's tracker as Rasa's HTTP API serves it."""
    token = stack.config.env["RASA_API_TOKEN"]
    semaphore = asyncio.Semaphore(10)

    async def one(sender: str) -> tuple[str, dict | None]:
        async with semaphore:
            response = await http.get(
                f"{stack.config.rasa_url}/conversations/{sender}/tracker",
                params={"token": token, "include_events": "ALL"},
            )
        return sender, response.json() if response.status_code == 200 else None

    pairs = await asyncio.gather(*(one(sender) for sender in senders))
    return {sender: tracker for sender, tracker in pairs if tracker is not None}


def _comparable(event: dict) -> tuple:
    return (event.get("event"), event.get("timestamp"), event.get("name"), event.get("text"))


async def run_faults(stack: ConciergeStack, plan: FaultPlan) -> dict:
    env = stack.config.env
    customers = demo_customers(env["DATABASE_URL"], limit=50)
    secret = env["CUSTOMER_TOKEN_SECRET"]
    tokens = {c.id: issue_customer_token(c.id, secret=secret, ttl_seconds=7200) for c in customers}
    client = LoadClient(
        f"{stack.config.rasa_url}/webhooks/rest/webhook",
        timeout=60.0,
        retry_connect_seconds=plan.rasa_restart_timeout,
        headers={"Authorization": f"Bearer {stack.child_env()['REST_CHANNEL_TOKEN']}"},
    )
    senders = [f"fault-{i}-{random.Random(i).getrandbits(24):x}" for i in range(plan.conversations)]
    started = time.monotonic()
    stop_at = started + 900  # hard bound

    async def conversation(index: int, sender: str) -> None:
        rng = random.Random(1000 + index)
        customer = rng.choice(customers)
        script = []
        while len(script) < plan.messages_per_conversation:
            script.extend(concierge_script(customer, tokens[customer.id], rng))
        await asyncio.sleep(rng.uniform(0, plan.think_mean))
        await client.converse(
            sender, script[: plan.messages_per_conversation], lambda: rng.expovariate(1 / plan.think_mean), stop_at
        )

    faults_done: list[dict] = []
    state_check: dict = {}

    async def injector() -> None:
        async with httpx.AsyncClient(timeout=30) as http:
            for name, at, down in plan.faults:
                await asyncio.sleep(max(0.0, started + at - time.monotonic()))
                if name == "rasa":
                    before = await _snapshot(http, stack, senders)
                record: dict = {"process": name, "killed_at_s": round(time.monotonic() - started, 1)}
                stack.kill(name)
                await asyncio.sleep(down)
                record["restart_s"] = round(await asyncio.to_thread(stack.restart, name, plan.rasa_restart_timeout), 1)
                record["back_at_s"] = round(time.monotonic() - started, 1)
                if name == "rasa":
                    after = await _snapshot(http, stack, senders)
                    lost_state = []
                    for sender, tracker in before.items():
                        old = [_comparable(e) for e in tracker["events"]]
                        new = [_comparable(e) for e in after.get(sender, {}).get("events", [])]
                        same_slots = len(new) > len(old) or tracker.get("slots") == after[sender].get("slots")
                        if new[: len(old)] != old or not same_slots:
                            lost_state.append(sender)
                    state_check.update(
                        conversations_checked=len(before),
                        conversations_with_lost_state=len(lost_state),
                        lost_state_examples=lost_state[:5],
                    )
                faults_done.append(record)
                logger.info("fault done: %s", record)

    await asyncio.gather(injector(), *(conversation(i, s) for i, s in enumerate(senders)))
    await client.close()
    elapsed = time.monotonic() - started
    return summarise_faults(stack, client, senders, faults_done, state_check, elapsed, started)


def summarise_faults(stack, client, senders, faults_done, state_check, elapsed, started) -> dict:
    apologies = apology_texts()
    outcomes = {"answered": 0, "apologised": 0, "lost": 0}
    per_message: dict[str, str] = {}
    for result in client.results:
        texts = getattr(result, "texts", [])
        if result.status is not None and result.status >= 400:
            outcome = "apologised"  # Rasa's own error response
        elif result.status == 200 and result.replies > 0:
            outcome = "apologised" if any(t in apologies for t in texts) else "answered"
        else:
            outcome = "lost"
        outcomes[outcome] += 1
        per_message[result.msg_id] = outcome
    during = []
    for fault in faults_done:
        start, end = fault["killed_at_s"], fault["back_at_s"] + 1
        window = [
            per_message[r.msg_id] for r in client.results if start <= r.started - started <= end
        ]  # sent while the process was down
        fault["messages_while_down"] = len(window)
        fault["outcomes_while_down"] = {k: window.count(k) for k in ("answered", "apologised", "lost")}
        during.append(fault)
    tracker = tracker_check(stack.config.env["TRACKER_DB_URL"], senders, {r.msg_id for r in client.results})
    return {
        "conversations": len(senders),
        "messages": len(client.results),
        **outcomes,
        "resent_after_connection_failure": client.resent,
        "faults": during,
        "rasa_restart_state": state_check,
        "tracker": tracker,
        "duration_s": round(elapsed, 1),
    }


def tracker_check(tracker_url: str, senders: list[str], msg_ids: set[str]) -> dict:
    """Read the events table: every message stored once, no duplicated event rows."""
    engine = create_engine(tracker_url.replace("postgresql://", "postgresql+psycopg://", 1))
    counts: dict[str, int] = {}
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT sender_id, type_name, timestamp, data FROM events WHERE sender_id LIKE 'fault-%' ORDER BY id")
        ).all()
    engine.dispose()
    seen_rows: set[tuple] = set()
    duplicated_rows = 0
    for sender, type_name, timestamp, data in rows:
        key = (sender, type_name, timestamp, data)
        duplicated_rows += key in seen_rows
        seen_rows.add(key)
        if type_name == "user":
            metadata = json.loads(data).get("metadata") or {}
            # Our channels keep only the contract's keys (protocol.metadata): the id is `message_id`.
            msg_id = metadata.get("msg_id") or metadata.get("message_id")
            if msg_id:
                counts[msg_id] = counts.get(msg_id, 0) + 1
    return {
        "events": len(rows),
        "user_messages_recorded": len(counts),
        "user_messages_missing": len(msg_ids - set(counts)),
        "missing_examples": sorted(msg_ids - set(counts))[:10],
        "user_messages_duplicated": sum(1 for c in counts.values() if c > 1),
        "duplicated_event_rows": duplicated_rows,
    }
