"""Writing and reading the audit trail. Entries never hold the personal values themselves."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_backend.audit.models import AuditEntry

MAX_ENTITY_ID = 64


class ActorType(StrEnum):
    AGENT = "agent"
    BOT = "bot"
    SYSTEM = "system"


class AuditAction(StrEnum):
    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    EXPORT = "export"
    ERASE = "erase"
    LOGIN_FAILED = "login_failed"
    LOGIN_THROTTLED = "login_throttled"


def record(
    *,
    db_session: Session,
    actor_type: ActorType,
    actor_id: int | None,
    action: AuditAction,
    entity_type: str,
    entity_id: int | str | None = None,
    customer_id: int | None = None,
    detail: dict | None = None,
) -> AuditEntry:
    """Add one entry to the trail. `detail` must hold ids and counts, never personal data."""
    entry = AuditEntry(
        at=datetime.now(UTC),
        actor_type=actor_type,
        actor_id=actor_id,
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        customer_id=customer_id,
        detail=detail,
    )
    db_session.add(entry)
    db_session.flush()
    return entry


class Actor(Protocol):
    """Whoever acts: an agent (anything with an `id`)."""

    id: int


def audit(
    db_session: Session,
    agent: Actor,
    action: AuditAction,
    entity_type: str,
    entity_id: int | str | None = None,
    **entry: Any,
) -> AuditEntry:
    """The one audit helper of the interfaces: what `agent` read or did to which entity
    (`customer_id=`, `detail=` as in `record`)."""
    entity = None if entity_id is None else str(entity_id)[:MAX_ENTITY_ID]
    return record(
        db_session=db_session,
        actor_type=ActorType.AGENT,
        actor_id=agent.id,
        action=action,
        entity_type=entity_type,
        entity_id=entity,
        **entry,
    )


def record_agent_action(*, db_session: Session, agent_id: int, **entry: Any) -> AuditEntry:
    """`record` for an agent known by id (the same entry as `audit`)."""
    return record(db_session=db_session, actor_type=ActorType.AGENT, actor_id=agent_id, **entry)


def record_customer_reads(*, db_session: Session, agent_id: int, customer_ids: list[int], view: str) -> None:
    """One `read` entry per customer whose data an agent was shown."""
    now = datetime.now(UTC)
    db_session.add_all(
        AuditEntry(
            at=now,
            actor_type=ActorType.AGENT,
            actor_id=agent_id,
            action=AuditAction.READ,
            entity_type="customer",
            entity_id=str(customer_id),
            customer_id=customer_id,
            detail={"view": view},
        )
        for customer_id in customer_ids
    )
    db_session.flush()


def list_customer_entries(*, db_session: Session, customer_id: int) -> list[AuditEntry]:
    """Every entry about one customer, oldest first."""
    statement = select(AuditEntry).where(AuditEntry.customer_id == customer_id).order_by(AuditEntry.id)
    return list(db_session.scalars(statement))
