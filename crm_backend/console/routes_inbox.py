"""The live inbox: a page whose list the server keeps current over server-sent events (new
handoffs, new customer messages, unread counts), and the SLA breach view."""

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session

from crm_backend.agents.models import Agent
from crm_backend.agents.service import list_agents
from crm_backend.audit.service import AuditAction, audit
from crm_backend.console.auth import ConsoleAgent
from crm_backend.console.deps import TrackerDep
from crm_backend.console.render import render
from crm_backend.console.stream import event_stream
from crm_backend.core.deps import SessionDep, SettingsDep
from crm_backend.desk import inbox
from crm_backend.desk.sla import SlaPolicy, breaches

router = APIRouter()


@router.get("/inbox")
def inbox_page(request: Request, agent: ConsoleAgent, db_session: SessionDep):
    """The page; its script fills the list from /console/inbox/stream."""
    audit(db_session, agent, AuditAction.READ, "inbox")
    return render(request, "inbox.html", {"views": inbox.VIEWS})


@router.get("/inbox/stream")
def inbox_stream(request: Request, agent: ConsoleAgent, tracker: TrackerDep, settings: SettingsDep):
    """`inbox` (every row) whenever something changed; `handoff` for a newly queued
    conversation and `message` for a new customer message, which the page announces."""
    agent_id, policy = agent.id, SlaPolicy.from_settings(settings)
    seen: dict[str, list[dict] | None] = {"rows": None}

    def check(db_session: Session) -> list[tuple[str, object]]:
        me = db_session.get(Agent, agent_id)
        rows = inbox.as_json(inbox.snapshot(db_session=db_session, tracker=tracker, agent=me, policy=policy))
        if rows == seen["rows"]:
            return []
        events: list[tuple[str, object]] = []
        if seen["rows"] is not None:
            before = {row["id"]: row for row in seen["rows"]}
            for row in rows:
                old = before.get(row["id"])
                if old is None:
                    events.append(("handoff", row))
                elif row["last_event_id"] > old["last_event_id"]:
                    events.append(("message", row))
        seen["rows"] = rows
        return [("inbox", {"me": agent_id, "rows": rows}), *events]

    return event_stream(request, check, interval=settings.inbox_poll_seconds)


@router.get("/sla")
def sla_page(
    request: Request,
    agent: ConsoleAgent,
    db_session: SessionDep,
    settings: SettingsDep,
    days: Annotated[int, Query(ge=1, le=90)] = 7,
):
    """Handoffs of the last `days` days that missed their first-response or resolution target."""
    policy = SlaPolicy.from_settings(settings)
    found = breaches(db_session=db_session, policy=policy, since=datetime.now(UTC) - timedelta(days=days))
    audit(db_session, agent, AuditAction.READ, "sla_breaches", detail={"shown": len(found)})
    names = {a.id: a.name for a in list_agents(db_session=db_session)}
    return render(request, "sla.html", {"breaches": found, "policy": policy, "days": days, "names": names})
