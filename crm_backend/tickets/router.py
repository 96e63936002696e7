"""Agents' view of tickets: create, list, read, assign, comment and close."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from sqlalchemy.orm import Session

from crm_backend.agents.models import Agent, Role
from crm_backend.agents.service import get_agent
from crm_backend.api.deps import CurrentAgent, get_current_agent
from crm_backend.api.errors import error_responses
from crm_backend.audit.service import AuditAction, record_agent_action
from crm_backend.core.deps import SessionDep
from crm_backend.core.errors import APIError
from crm_backend.core.types import MAX_ID, IdPath
from crm_backend.customers.service import get_customer
from crm_backend.tickets.models import Ticket, TicketStatus
from crm_backend.tickets.schemas import (
    CommentCreate,
    TicketAssign,
    TicketCreate,
    TicketMessageRead,
    TicketPage,
    TicketRead,
    TicketSummary,
)
from crm_backend.tickets.service import (
    TicketClosed,
    add_message,
    assign_ticket,
    close_ticket,
    create_ticket,
    get_ticket,
    list_tickets,
)

# Authentication first, so that nothing about tickets is revealed to unauthenticated callers.
router = APIRouter(
    prefix="/tickets",
    tags=["tickets"],
    dependencies=[Depends(get_current_agent)],
    responses=error_responses(401, 403),
)


def get_ticket_or_404(ticket_id: IdPath, db_session: SessionDep) -> Ticket:
    ticket = get_ticket(db_session=db_session, ticket_id=ticket_id)
    if ticket is None:
        raise APIError(404, "ticket_not_found", "No such ticket.")
    return ticket


TicketDep = Annotated[Ticket, Depends(get_ticket_or_404)]


def _audit(db_session: Session, agent: Agent, action: AuditAction, ticket: Ticket, **detail: object) -> None:
    record_agent_action(
        db_session=db_session,
        agent_id=agent.id,
        action=action,
        entity_type="ticket",
        entity_id=ticket.id,
        customer_id=ticket.customer_id,
        detail=detail or None,
    )


def _closed_conflict(error: TicketClosed) -> APIError:
    return APIError(409, "ticket_closed", "The ticket is closed.")


@router.post("", response_model=TicketRead, status_code=status.HTTP_201_CREATED, responses=error_responses(404, 422))
def create(body: TicketCreate, agent: CurrentAgent, db_session: SessionDep) -> Ticket:
    """Open a ticket; `body` becomes its first message, written by the calling agent."""
    if body.customer_id is not None:
        customer = get_customer(db_session=db_session, customer_id=body.customer_id)
        if customer is None or customer.erased_at is not None:
            raise APIError(404, "customer_not_found", "No such customer.")
    ticket = create_ticket(
        db_session=db_session,
        customer_id=body.customer_id,
        subject=body.subject,
        category=body.category,
        body=body.body,
        priority=body.priority,
        channel=body.channel,
        conversation_id=body.conversation_id,
        author_type="agent",
        author_agent_id=agent.id,
    )
    _audit(db_session, agent, AuditAction.CREATE, ticket)
    return ticket


@router.get("", response_model=TicketPage, responses=error_responses(422))
def list_all(
    _agent: CurrentAgent,
    db_session: SessionDep,
    status: TicketStatus | None = None,
    assignee_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    customer_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> TicketPage:
    """Tickets matching every given filter, newest first."""
    tickets, total = list_tickets(
        db_session=db_session,
        status=status,
        assignee_id=assignee_id,
        customer_id=customer_id,
        offset=(page - 1) * page_size,
        limit=page_size,
    )
    return TicketPage(
        items=[TicketSummary.model_validate(t) for t in tickets], total=total, page=page, page_size=page_size
    )


@router.get("/{ticket_id}", response_model=TicketRead, responses=error_responses(404, 422))
def read(ticket: TicketDep, agent: CurrentAgent, db_session: SessionDep) -> Ticket:
    """One ticket with all its messages."""
    if ticket.customer_id is not None:
        _audit(db_session, agent, AuditAction.READ, ticket)
    return ticket


@router.post("/{ticket_id}/assign", response_model=TicketRead, responses=error_responses(404, 409, 422))
def assign(ticket: TicketDep, body: TicketAssign, agent: CurrentAgent, db_session: SessionDep) -> Ticket:
    """Give the ticket to an agent. Administrators may choose anyone; agents only themselves."""
    if agent.role != Role.ADMIN and body.agent_id != agent.id:
        raise APIError(403, "forbidden", "Agents may only assign tickets to themselves.")
    assignee = get_agent(db_session=db_session, agent_id=body.agent_id)
    if assignee is None:
        raise APIError(404, "agent_not_found", "No such agent.")
    if not assignee.active or assignee.role is None:
        raise APIError(409, "agent_unavailable", "That agent is disabled or has no role.")
    try:
        assign_ticket(db_session=db_session, ticket=ticket, agent_id=assignee.id)
    except TicketClosed as error:
        raise _closed_conflict(error) from error
    _audit(db_session, agent, AuditAction.UPDATE, ticket, change="assign", assignee_id=assignee.id)
    return ticket


@router.post(
    "/{ticket_id}/comments",
    response_model=TicketMessageRead,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(404, 409, 422),
)
def comment(ticket: TicketDep, body: CommentCreate, agent: CurrentAgent, db_session: SessionDep):
    """Add the calling agent's comment to an open ticket."""
    try:
        message = add_message(
            db_session=db_session, ticket=ticket, body=body.body, author_type="agent", author_agent_id=agent.id
        )
    except TicketClosed as error:
        raise _closed_conflict(error) from error
    _audit(db_session, agent, AuditAction.UPDATE, ticket, change="comment", message_id=message.id)
    return message


@router.post("/{ticket_id}/close", response_model=TicketRead, responses=error_responses(404, 409, 422))
def close(ticket: TicketDep, agent: CurrentAgent, db_session: SessionDep) -> Ticket:
    """Close the ticket; a closed ticket takes no more changes."""
    try:
        close_ticket(db_session=db_session, ticket=ticket)
    except TicketClosed as error:
        raise _closed_conflict(error) from error
    _audit(db_session, agent, AuditAction.UPDATE, ticket, change="close")
    return ticket
