"""Service levels of a handoff: the first agent reply and the resolution, each due a set time
after the customer was queued (`SLA_FIRST_RESPONSE_SECONDS`, `SLA_RESOLUTION_SECONDS`)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_backend.core.config import Settings
from crm_backend.handoff.models import Handoff


@dataclass(frozen=True)
class SlaPolicy:
    first_response_seconds: int
    resolution_seconds: int

    @classmethod
    def from_settings(cls, settings: Settings) -> "SlaPolicy":
        return cls(settings.sla_first_response_seconds, settings.sla_resolution_seconds)


@dataclass
class SlaState:
    first_response_due: datetime
    resolution_due: datetime
    first_response_breached: bool
    resolution_breached: bool

    @property
    def breached(self) -> bool:
        return self.first_response_breached or self.resolution_breached


def sla_state(handoff: Handoff, policy: SlaPolicy, *, now: datetime | None = None) -> SlaState:
    """A timer that has stopped (answered, closed) is judged at its stop; a running one now."""
    now = now or datetime.now(UTC)
    first_due = handoff.created_at + timedelta(seconds=policy.first_response_seconds)
    resolution_due = handoff.created_at + timedelta(seconds=policy.resolution_seconds)
    return SlaState(
        first_response_due=first_due,
        resolution_due=resolution_due,
        first_response_breached=(handoff.first_response_at or now) > first_due,
        resolution_breached=(handoff.closed_at or now) > resolution_due,
    )


def breaches(*, db_session: Session, policy: SlaPolicy, since: datetime, limit: int = 500) -> list[tuple]:
    """(handoff, its SLA state) of every handoff queued since `since` that missed a target, newest first."""
    statement = select(Handoff).where(Handoff.created_at >= since).order_by(Handoff.created_at.desc()).limit(limit)
    now = datetime.now(UTC)
    found = []
    for handoff in db_session.scalars(statement):
        state = sla_state(handoff, policy, now=now)
        if state.breached:
            found.append((handoff, state))
    return found
