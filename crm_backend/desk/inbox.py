"""The live inbox: every handoff waiting or being served, with what an agent has not read yet.

The console's event stream asks for `snapshot` once a second and sends only what changed, so
the work per tick is two small queries: the open handoffs, and the customer messages written
to Rasa's tracker store since those handoffs were queued (an indexed sender_id lookup).
"""

import json
import logging
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from crm_backend.agents.models import Agent
from crm_backend.customers.models import Customer
from crm_backend.desk.sla import SlaPolicy, sla_state
from crm_backend.handoff.models import Handoff, HandoffRead, HandoffStatus
from crm_backend.transcripts.tracker import events_table

logger = logging.getLogger(__name__)
OPEN_STATUSES = (HandoffStatus.QUEUED, HandoffStatus.ACTIVE)
INBOX_LIMIT = 200
VIEWS = ("mine", "unassigned", "all")


@dataclass
class InboxRow:
    """One conversation in the inbox, as JSON for the console's script."""

    id: int
    conversation_id: str
    channel: str
    status: str  # queued | active (the handoff's)
    inbox_status: str  # open | pending | resolved (the agents')
    assignee_id: int | None
    assignee: str
    customer: str
    reason: str
    created_at: float
    last_text: str
    last_event_id: int
    unread: int
    first_response_breached: bool
    resolution_breached: bool


def open_handoffs(*, db_session: Session, limit: int = INBOX_LIMIT) -> list[Handoff]:
    statement = select(Handoff).where(Handoff.status.in_(OPEN_STATUSES)).order_by(Handoff.created_at, Handoff.id)
    return list(db_session.scalars(statement.limit(limit)))


def customer_messages(tracker: Engine, handoffs: list[Handoff]) -> dict[str, list[tuple[int, float, str]]]:
    """(event id, time, text) of each handoff conversation's customer messages since it was queued."""
    if not handoffs:
        return {}
    since = min(h.created_at for h in handoffs).timestamp() - 1
    t = events_table
    statement = (
        select(t.c.sender_id, t.c.id, t.c.timestamp, t.c.data)
        .where(
            t.c.sender_id.in_({h.conversation_id for h in handoffs}), t.c.type_name == "user", t.c.timestamp >= since
        )
        .order_by(t.c.id)
    )
    found: dict[str, list[tuple[int, float, str]]] = {}
    with tracker.connect() as connection:
        for sender_id, event_id, timestamp, data in connection.execute(statement):
            found.setdefault(sender_id, []).append((event_id, timestamp or 0.0, _text_of(data)))
    return found


def _text_of(data: str | None) -> str:
    try:
        text = (json.loads(data) or {}).get("text") if data else ""
    except (ValueError, AttributeError):
        return ""
    return str(text or "")[:200]


def snapshot(*, db_session: Session, tracker: Engine, agent: Agent, policy: SlaPolicy) -> list[InboxRow]:
    """The inbox as `agent` sees it now: every open handoff with its unread customer messages."""
    handoffs = open_handoffs(db_session=db_session)
    messages = customer_messages(tracker, handoffs)
    ids = [h.id for h in handoffs]
    read = dict(
        db_session.execute(
            select(HandoffRead.handoff_id, HandoffRead.last_event_id).where(
                HandoffRead.agent_id == agent.id, HandoffRead.handoff_id.in_(ids)
            )
        ).all()
    )
    names = _names(db_session, handoffs)
    now = datetime.now(UTC)
    rows = []
    for handoff in handoffs:
        since = handoff.created_at.timestamp() - 1
        mine = [m for m in messages.get(handoff.conversation_id, []) if m[1] >= since]
        seen = read.get(handoff.id, 0)
        sla = sla_state(handoff, policy, now=now)
        rows.append(
            InboxRow(
                id=handoff.id,
                conversation_id=handoff.conversation_id,
                channel=handoff.channel or "",
                status=handoff.status,
                inbox_status=handoff.inbox_status,
                assignee_id=handoff.agent_id,
                assignee=names["agents"].get(handoff.agent_id, ""),
                customer=names["customers"].get(handoff.customer_id, "Visitor"),
                reason=handoff.reason,
                created_at=handoff.created_at.timestamp(),
                last_text=mine[-1][2] if mine else "",
                last_event_id=mine[-1][0] if mine else 0,
                unread=sum(1 for m in mine if m[0] > seen),
                first_response_breached=sla.first_response_breached,
                resolution_breached=sla.resolution_breached,
            )
        )
    return rows


def _names(db_session: Session, handoffs: list[Handoff]) -> dict[str, dict]:
    agent_ids = {h.agent_id for h in handoffs if h.agent_id}
    customer_ids = {h.customer_id for h in handoffs if h.customer_id}
    agents = dict(db_session.execute(select(Agent.id, Agent.name).where(Agent.id.in_(agent_ids))).all())
    customers = {c.id: c.full_name for c in db_session.scalars(select(Customer).where(Customer.id.in_(customer_ids)))}
    return {"agents": agents, "customers": customers}


def as_json(rows: list[InboxRow]) -> list[dict]:
    return [asdict(row) for row in rows]


def mark_read(*, db_session: Session, handoff: Handoff, agent: Agent, last_event_id: int) -> None:
    """Remember that `agent` has seen the conversation up to `last_event_id` (never backwards)."""
    read = db_session.get(HandoffRead, (handoff.id, agent.id))
    if read is None:
        db_session.add(HandoffRead(handoff_id=handoff.id, agent_id=agent.id, last_event_id=last_event_id))
    elif last_event_id > read.last_event_id:
        read.last_event_id = last_event_id
    db_session.flush()


def latest_event_id(tracker: Engine, conversation_id: str) -> int:
    """The id of the conversation's newest event in Rasa's tracker store (0: none)."""
    statement = select(func.max(events_table.c.id)).where(events_table.c.sender_id == conversation_id)
    with tracker.connect() as connection:
        return connection.execute(statement).scalar() or 0
