"""Run scripted conversations through Rasa's real REST channel and score every turn.

A turn succeeds when the reply is not empty, one of the expected outcome labels was done
(bench/dialogue/labels.py), the customer's CRM data changed exactly as expected, and every
expected mention appears in the reply. The CRM state of the conversation's customer (and of
the other customer whose order the script may name) is read before and after each turn; any
difference not expected counts in `unintended_data_changes`.
"""

import json
import logging
import re
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.dialogue.fixtures import Numbers, make_customer
from bench.dialogue.labels import matches, turn_labels
from crm_backend.customers.models import Consent
from crm_backend.handoff.models import Handoff
from crm_backend.orders.models import Order
from crm_backend.returns.models import Return
from crm_backend.tickets.models import Ticket
from ops.console_http import ConsoleHTTP

logger = logging.getLogger(__name__)

LONG = "@@LONG@@"
LONG_CHARS = 5000
PLACEHOLDER = re.compile(r"\{([a-z_0-9]+)\}")
DELETION_CATEGORIES = {"account_deletion", "deletion_request", "delete_account", "privacy_deletion"}


def rambling(chars: int = LONG_CHARS) -> str:
    """A long, meandering message (about orders and the weather) of exactly `chars` characters."""
    sentence = (
        "So I was thinking about my order and also about the weather last week, and my neighbour said "
        "that parcels sometimes take longer in winter, which made me wonder whether I should write to you "
        "at all, but then again I had a few more questions on my mind. "
    )
    return (sentence * (chars // len(sentence) + 1))[:chars]


def fill(text: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)


def fill_changes(changes: list[dict], values: dict[str, str]) -> list[str]:
    return sorted(json.dumps({k: fill(v, values) if isinstance(v, str) else v for k, v in c.items()}) for c in changes)


def snapshot(db_session: Session, customer_ids: list[int]) -> dict[str, Any]:
    """The customer data a turn may change: orders (status, address), returns, newsletter
    consent, tickets (and deletion requests)."""
    db_session.expire_all()
    orders = db_session.execute(
        select(Order.number, Order.status, Order.shipping_address).where(Order.customer_id.in_(customer_ids))
    ).all()
    returns = db_session.execute(
        select(Order.number, func.count(Return.id))
        .join(Return, Return.order_id == Order.id)
        .where(Order.customer_id.in_(customer_ids))
        .group_by(Order.number)
    ).all()
    consent = db_session.scalars(
        select(Consent.granted).where(Consent.customer_id == customer_ids[0], Consent.purpose == "newsletter")
    ).first()
    tickets = db_session.execute(select(Ticket.id, Ticket.category).where(Ticket.customer_id.in_(customer_ids))).all()
    return {
        "orders": {number: (status, address) for number, status, address in orders},
        "returns": dict(returns),
        "newsletter": bool(consent),
        "tickets": {ticket_id: category for ticket_id, category in tickets},
    }


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    found: list[dict[str, Any]] = []
    for number, (status, address) in after["orders"].items():
        old_status, old_address = before["orders"].get(number, (None, None))
        if status != old_status and status == "cancelled":
            found.append({"cancel": number})
        elif status != old_status:
            found.append({"status": number})
        if address != old_address:
            found.append({"address": number})
    for number, count in after["returns"].items():
        found += [{"return": number}] * (count - before["returns"].get(number, 0))
    if after["newsletter"] != before["newsletter"]:
        found.append({"newsletter": "on" if after["newsletter"] else "off"})
    for ticket_id, category in after["tickets"].items():
        # A handoff's own ticket (category "handoff") is the queued request's record, opened with
        # the handoff the script expects; it is not a support ticket about an issue.
        if ticket_id not in before["tickets"] and category != "handoff":
            found.append({"deletion_request": True} if category in DELETION_CATEGORIES else {"ticket": "new"})
    return sorted(json.dumps(change) for change in found)


class Console(ConsoleHTTP):
    """The benchmark's agent in the console (ops/console_http.py): online while logged in."""

    def __init__(self, base_url: str, email: str, password: str) -> None:
        super().__init__(base_url)
        self.email, self.password = email, password
        self.logged_in = False

    def online(self, wanted: bool) -> None:
        if wanted and not self.logged_in:
            response = self.log_in_as(self.email, self.password)
            if response.status_code != 303:
                raise RuntimeError(f"console login failed: {response.status_code}")
            self.logged_in = True
        elif not wanted and self.logged_in:
            self.post("/console/logout")
            self.cookies.clear()
            self.logged_in = False


@dataclass
class Turn:
    kind: str
    ok: bool
    empty: bool
    labels: list[str]
    expected: list[str] | None
    changes: list[str]
    expected_changes: list[str] | None
    unintended: int
    missing_mentions: list[str] = field(default_factory=list)
    reply: str = ""
    sent: str = ""


class Runner:
    """Plays conversations against a running stack (`rasa_url`, `crm_url`, the REST channel
    token, Rasa's API token) with customers made in `session_factory`'s CRM database."""

    def __init__(self, *, rasa_url: str, rest_token: str, rasa_api_token: str, session_factory, console: Console,
                 token_for) -> None:  # fmt: skip
        self.rasa_url, self.rest_token, self.rasa_api_token = rasa_url, rest_token, rasa_api_token
        self.session_factory, self.console, self.token_for = session_factory, console, token_for
        self.http = httpx.Client(timeout=120)

    def events(self, sender: str) -> list[dict[str, Any]]:
        response = self.http.get(
            f"{self.rasa_url}/conversations/{quote(sender, safe='')}/tracker",
            params={"include_events": "ALL", "token": self.rasa_api_token},
        )
        response.raise_for_status()
        return response.json().get("events") or []

    def send(self, sender: str, text: str, token: str | None) -> list[dict[str, Any]]:
        body: dict[str, Any] = {"sender": sender, "message": text}
        if token:
            body["metadata"] = {"customer_token": token}
        response = self.http.post(
            f"{self.rasa_url}/webhooks/rest/webhook", json=body, headers={"Authorization": f"Bearer {self.rest_token}"}
        )
        return response.json() if response.status_code == 200 else []

    def play(self, conversation: dict[str, Any]) -> list[Turn]:
        profile = conversation.get("profile") or {}
        self.console.online(profile.get("agents_online", True))
        with self.session_factory() as db_session:
            made = make_customer(db_session, Numbers(db_session), profile)
        values, ids = made["values"], [made["customer_id"], made["other_customer_id"]]
        token = self.token_for(made["customer_id"]) if conversation.get("verified") else None
        sender = f"bench-{conversation['id']}-{uuid.uuid4().hex[:10]}"
        turns = []
        for step in conversation["turns"]:
            with self.session_factory() as db_session:
                before = snapshot(db_session, ids)
            seen = len(self.events(sender)) if turns else 0
            kind, sent, replies = self.act(step, sender, values, token)
            new_events = self.events(sender)[seen:]
            with self.session_factory() as db_session:
                after = snapshot(db_session, ids)
            turns.append(self.judge(step, kind, sent, replies, new_events, changes_between(before, after), values))
        return turns

    def act(self, step: dict[str, Any], sender: str, values: dict[str, str], token: str | None):
        if "user" in step:
            text = rambling() if step["user"] == LONG else fill(step["user"], values)
            return "user", text, [r.get("text") or "" for r in self.send(sender, text, token)]
        if "click" in step:
            payload = self.button(sender, step["click"])
            if payload is None:
                return "click", "", None  # no such button: the turn fails
            return "click", payload, [r.get("text") or "" for r in self.send(sender, payload, token)]
        return "agent", step["agent"], self.agent_step(step, sender, values)

    def button(self, sender: str, title: str) -> str | None:
        """The payload of the bot's last button whose title contains `title`."""
        for event in reversed(self.events(sender)):
            if event.get("event") == "bot":
                buttons = (event.get("data") or {}).get("buttons") or []
                if buttons:
                    found = [b for b in buttons if title.lower() in str(b.get("title", "")).lower()]
                    return found[-1]["payload"] if found else None
        return None

    def agent_step(self, step: dict[str, Any], sender: str, values: dict[str, str]) -> list[str] | None:
        with self.session_factory() as db_session:
            handoff_id = db_session.scalars(
                select(Handoff.id).where(Handoff.conversation_id == sender).order_by(Handoff.id.desc())
            ).first()
        if handoff_id is None:
            return None
        self.console.online(True)
        path = f"/console/handoffs/{handoff_id}"
        if step["agent"] == "claims":
            self.console.post(f"{path}/claim")
        elif step["agent"] == "says":
            self.console.post(f"{path}/reply", text=fill(step["text"], values))
        else:
            self.console.post(f"{path}/handback")
        return []  # the agent's words and the bot's answers are read from the tracker

    def judge(self, step, kind, sent, replies, events, changes, values) -> Turn:
        expect = step.get("expect")
        texts = list(replies or [])
        if kind == "agent":
            texts = [e.get("text") or "" for e in events if e.get("event") == "bot"]
        reply = "\n".join(t for t in texts if t)
        labels = turn_labels(events)
        # None: nothing could be sent (no such button, no handoff to act on): a failed turn, but
        # not an empty reply of the bot's.
        empty = replies is not None and not reply.strip()
        if expect is None:  # an agent step without expectations (claims): only data changes count
            return Turn(kind, True, False, sorted(labels), None, changes, None, len(changes), reply=reply, sent=sent)
        wanted = fill_changes(expect.get("changes") or [], values)
        unintended = sum((Counter(changes) - Counter(wanted)).values())
        mentions = [fill(m, values) for m in expect.get("mentions") or []]
        missing = [m for m in mentions if m.lower() not in reply.lower()]
        ok = replies is not None and not empty and matches(expect["outcome"], labels) and changes == wanted
        ok = ok and not missing
        return Turn(kind, ok, (empty and kind != "agent") or (empty and step.get("agent") != "claims"), sorted(labels),
                    expect["outcome"], changes, wanted, unintended, missing, reply[:500], sent[:300])  # fmt: skip


def summarise(conversations: list[dict[str, Any]], results: dict[str, list[Turn]]) -> dict[str, Any]:
    """The figures of dialogue.json: overall and per tag."""
    scored = [(c, [t for t in results[c["id"]] if t.expected is not None]) for c in conversations]
    all_turns = [t for _, turns in scored for t in turns]
    per_tag: dict[str, list] = defaultdict(list)
    for conversation, turns in scored:
        for tag in conversation.get("tags") or []:
            per_tag[tag].append(turns)

    def figures(groups: list[list[Turn]]) -> dict[str, Any]:
        flat = [t for turns in groups for t in turns]
        return {
            "conversations": len(groups),
            "turns": len(flat),
            "turn_success": round(sum(t.ok for t in flat) / len(flat), 4) if flat else None,
            "conversation_success": round(sum(all(t.ok for t in g) for g in groups) / len(groups), 4)
            if groups
            else None,
        }

    overall = figures([turns for _, turns in scored])
    unintended = sum(t.unintended for turns in results.values() for t in turns)
    return {
        **overall,
        "unintended_data_changes": unintended,
        "empty_replies": sum(t.empty for t in all_turns),
        "clicks_without_button": sum(t.kind == "click" and not t.sent for t in all_turns),
        "per_tag": {tag: figures(groups) for tag, groups in sorted(per_tag.items())},
    }
