"""Whether colleagues can take a chat now, and where a waiting customer stands in the queue.

The bot asks before it queues anyone (outside agents' hours it says so and offers a ticket), and
while a customer waits it answers every message with their place in the queue and, once agents
have claimed enough chats to tell, the expected wait.
"""

import statistics
from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_backend.agents.models import Agent, AgentSession
from crm_backend.handoff.models import Handoff, HandoffStatus

RECENT_CLAIMS = 50  # the expected wait is the median of the latest claims' waits


@dataclass(frozen=True)
class Place:
    status: str  # queued | active | none
    position: int | None = None  # 1 = next
    expected_wait_minutes: int | None = None


def within_hours(hours: str, now: datetime) -> bool:
    """`hours` is "always", "never" or "HH:MM-HH:MM" (UTC; a window may cross midnight)."""
    if hours in ("always", "never"):
        return hours == "always"
    start, end = (time.fromisoformat(part) for part in hours.split("-"))
    moment = now.astimezone(UTC).time()
    return start <= moment < end if start <= end else moment >= start or moment < end


def agents_online(*, db_session: Session, hours: str, now: datetime | None = None) -> bool:
    """Inside agents' hours, or while an active agent has a live console session."""
    now = now or datetime.now(UTC)
    if within_hours(hours, now):
        return True
    live = select(func.count()).select_from(AgentSession).join(Agent, Agent.id == AgentSession.agent_id)
    return bool(db_session.scalar(live.where(AgentSession.expires_at > now, Agent.active.is_(True))))


def place_in_queue(*, db_session: Session, conversation_id: str) -> Place:
    """Where the conversation's open handoff stands."""
    handoff = db_session.scalars(
        select(Handoff)
        .where(
            Handoff.conversation_id == conversation_id,
            Handoff.status.in_([HandoffStatus.QUEUED, HandoffStatus.ACTIVE]),
        )
        .order_by(Handoff.id.desc())
    ).first()
    if handoff is None:
        return Place("none")
    if handoff.status == HandoffStatus.ACTIVE:
        return Place("active")
    ahead = db_session.scalar(
        select(func.count()).select_from(Handoff).where(Handoff.status == HandoffStatus.QUEUED, Handoff.id < handoff.id)
    )
    position = (ahead or 0) + 1
    return Place("queued", position, expected_wait_minutes(db_session=db_session, position=position))


def expected_wait_minutes(*, db_session: Session, position: int) -> int | None:
    """The median wait of recent claims times the place in the queue; None before any claim."""
    recent = db_session.execute(
        select(Handoff.created_at, Handoff.claimed_at)
        .where(Handoff.claimed_at.is_not(None))
        .order_by(Handoff.id.desc())
        .limit(RECENT_CLAIMS)
    ).all()
    if not recent:
        return None
    median = statistics.median(max(0.0, (claimed - created).total_seconds()) for created, claimed in recent)
    return max(1, round(median * position / 60))


def cancel_waiting(*, db_session: Session, conversation_id: str) -> bool:
    """The customer no longer wants a colleague: a handoff nobody has claimed is cancelled."""
    handoff = db_session.scalars(
        select(Handoff).where(Handoff.conversation_id == conversation_id, Handoff.status == HandoffStatus.QUEUED)
    ).first()
    if handoff is None:
        return False
    handoff.status = HandoffStatus.CANCELLED
    handoff.closed_at = datetime.now(UTC)
    db_session.flush()
    return True
