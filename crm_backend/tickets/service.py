"""Tickets and their messages. Services flush at most; the caller owns the transaction."""

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from crm_backend.agents.models import Agent, Role
from crm_backend.agents.service import get_agent
from crm_backend.core.errors import Conflict, Forbidden, NotFound
from crm_backend.tickets.models import Ticket, TicketMessage, TicketStatus
from redaction import redact


class TicketClosed(Conflict):
    """The ticket is closed and takes no more changes."""

    code = "ticket_closed"
    message = "The ticket is closed."


class TicketNotFound(NotFound):
    code = "ticket_not_found"
    message = "No such ticket."


class AgentUnavailable(Conflict):
    code = "agent_unavailable"
    message = "That agent is disabled or has no role."


def get_ticket(*, db_session: Session, ticket_id: int) -> Ticket | None:
    statement = select(Ticket).where(Ticket.id == ticket_id).options(selectinload(Ticket.messages))
    return db_session.scalars(statement).one_or_none()


def get_ticket_or_raise(*, db_session: Session, ticket_id: int) -> Ticket:
    ticket = get_ticket(db_session=db_session, ticket_id=ticket_id)
    if ticket is None:
        raise TicketNotFound()
    return ticket


def list_tickets(
    *,
    db_session: Session,
    status: str | None = None,
    assignee_id: int | None = None,
    customer_id: int | None = None,
    offset: int = 0,
    limit: int = 20,
) -> tuple[list[Ticket], int]:
    """A page of tickets matching every given filter, newest first, and how many match in all."""
    conditions = []
    if status is not None:
        conditions.append(Ticket.status == status)
    if assignee_id is not None:
        conditions.append(Ticket.assignee_id == assignee_id)
    if customer_id is not None:
        conditions.append(Ticket.customer_id == customer_id)
    total = db_session.scalar(select(func.count()).select_from(Ticket).where(*conditions)) or 0
    statement = select(Ticket).where(*conditions).order_by(Ticket.id.desc()).offset(offset).limit(limit)
    return list(db_session.scalars(statement)), total


def list_customer_tickets(*, db_session: Session, customer_id: int, limit: int | None = None) -> list[Ticket]:
    """The customer's tickets, newest first, with their messages."""
    statement = (
        select(Ticket)
        .where(Ticket.customer_id == customer_id)
        .order_by(Ticket.id.desc())
        .options(selectinload(Ticket.messages))
        .limit(limit)
    )
    return list(db_session.scalars(statement))


def create_ticket(
    *,
    db_session: Session,
    subject: str,
    category: str,
    body: str,
    author_type: str,
    author_agent_id: int | None = None,
    customer_id: int | None = None,
    priority: str = "normal",
    channel: str | None = None,
    conversation_id: str | None = None,
) -> Ticket:
    """A new open ticket whose first message is `body`, with its personal data masked."""
    now = datetime.now(UTC)
    ticket = Ticket(
        customer_id=customer_id,
        subject=subject,
        category=category,
        status=TicketStatus.OPEN,
        priority=priority,
        channel=channel,
        conversation_id=conversation_id,
        created_at=now,
        updated_at=now,
    )
    ticket.messages.append(  # contact data belongs in the customer record, not in free text
        TicketMessage(author_type=author_type, author_agent_id=author_agent_id, body=redact(body), created_at=now)
    )
    db_session.add(ticket)
    db_session.flush()
    return ticket


def _touch_open(ticket: Ticket) -> datetime:
    if ticket.status == TicketStatus.CLOSED:
        raise TicketClosed()
    now = datetime.now(UTC)
    ticket.updated_at = now
    return now


def assign(*, db_session: Session, ticket: Ticket, by: Agent, assignee_id: int) -> Agent:
    """Give the ticket to an agent: administrators may choose anyone, agents only themselves;
    the assignee must be active and have a role. Returns the assignee."""
    if by.role != Role.ADMIN and assignee_id != by.id:
        raise Forbidden("Agents may only assign tickets to themselves.")
    assignee = get_agent(db_session=db_session, agent_id=assignee_id)
    if assignee is None:
        raise NotFound("No such agent.", code="agent_not_found")
    if not assignee.active or assignee.role is None:
        raise AgentUnavailable()
    assign_ticket(db_session=db_session, ticket=ticket, agent_id=assignee.id)
    return assignee


def assign_ticket(*, db_session: Session, ticket: Ticket, agent_id: int) -> Ticket:
    _touch_open(ticket)
    ticket.assignee_id = agent_id
    db_session.flush()
    return ticket


def add_message(
    *, db_session: Session, ticket: Ticket, body: str, author_type: str, author_agent_id: int | None = None
) -> TicketMessage:
    now = _touch_open(ticket)
    message = TicketMessage(author_type=author_type, author_agent_id=author_agent_id, body=redact(body), created_at=now)
    ticket.messages.append(message)
    db_session.flush()
    return message


def close_ticket(*, db_session: Session, ticket: Ticket) -> Ticket:
    now = _touch_open(ticket)
    ticket.status = TicketStatus.CLOSED
    ticket.closed_at = now
    db_session.flush()
    return ticket
