"""Agents' view of tickets: create, list, read, assign, comment and close."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from crm_backend.api.deps import CurrentAgent, get_current_agent
from crm_backend.api.errors import error_responses
from crm_backend.audit.service import AuditAction, audit
from crm_backend.core.deps import SessionDep, from_state
from crm_backend.core.types import MAX_ID, IdPath
from crm_backend.customers.service import get_customer_or_raise
from crm_backend.desk import linking
from crm_backend.handoff.rasa import RasaClient
from crm_backend.tickets import service
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

# Authentication first, so that nothing about tickets is revealed to unauthenticated callers.
RasaDep = Annotated[RasaClient, Depends(from_state("rasa"))]
router = APIRouter(
    prefix="/tickets",
    tags=["tickets"],
    dependencies=[Depends(get_current_agent)],
    responses=error_responses(401, 403),
)


def get_ticket_or_404(ticket_id: IdPath, db_session: SessionDep) -> Ticket:
    return service.get_ticket_or_raise(db_session=db_session, ticket_id=ticket_id)


TicketDep = Annotated[Ticket, Depends(get_ticket_or_404)]


@router.post("", response_model=TicketRead, status_code=status.HTTP_201_CREATED, responses=error_responses(404, 422))
def create(body: TicketCreate, agent: CurrentAgent, db_session: SessionDep) -> Ticket:
    """Open a ticket; `body` becomes its first message, written by the calling agent."""
    if body.customer_id is not None:
        get_customer_or_raise(db_session=db_session, customer_id=body.customer_id)
    ticket = service.create_ticket(
        db_session=db_session, author_type="agent", author_agent_id=agent.id, **body.model_dump()
    )
    audit(db_session, agent, AuditAction.CREATE, "ticket", ticket.id, customer_id=ticket.customer_id)
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
    tickets, total = service.list_tickets(
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
        audit(db_session, agent, AuditAction.READ, "ticket", ticket.id, customer_id=ticket.customer_id)
    return ticket


@router.post("/{ticket_id}/assign", response_model=TicketRead, responses=error_responses(404, 409, 422))
def assign(ticket: TicketDep, body: TicketAssign, agent: CurrentAgent, db_session: SessionDep) -> Ticket:
    """Give the ticket to an agent. Administrators may choose anyone; agents only themselves."""
    assignee = service.assign(db_session=db_session, ticket=ticket, by=agent, assignee_id=body.agent_id)
    detail = {"change": "assign", "assignee_id": assignee.id}
    audit(db_session, agent, AuditAction.UPDATE, "ticket", ticket.id, customer_id=ticket.customer_id, detail=detail)
    return ticket


@router.post(
    "/{ticket_id}/comments",
    response_model=TicketMessageRead,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(404, 409, 422),
)
def comment(ticket: TicketDep, body: CommentCreate, agent: CurrentAgent, db_session: SessionDep):
    """Add the calling agent's comment to an open ticket."""
    message = service.add_message(
        db_session=db_session, ticket=ticket, body=body.body, author_type="agent", author_agent_id=agent.id
    )
    detail = {"change": "comment", "message_id": message.id}
    audit(db_session, agent, AuditAction.UPDATE, "ticket", ticket.id, customer_id=ticket.customer_id, detail=detail)
    return message


@router.post("/{ticket_id}/close", response_model=TicketRead, responses=error_responses(404, 409, 422, 503))
def close(ticket: TicketDep, agent: CurrentAgent, db_session: SessionDep, rasa: RasaDep) -> Ticket:
    """Close the ticket; a closed ticket takes no more changes. A handoff's ticket closes its
    handoff too (the bot resumes)."""
    handoff = linking.close_ticket(db_session=db_session, rasa=rasa, ticket=ticket)
    detail = {"change": "close", **({"handoff_closed": handoff.id} if handoff else {})}
    audit(db_session, agent, AuditAction.UPDATE, "ticket", ticket.id, customer_id=ticket.customer_id, detail=detail)
    return ticket
