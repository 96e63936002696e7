"""A handoff and the ticket the bot opened with it (category `handoff`, same conversation) are
one case: closing either closes the other, so neither is left open behind the other's back."""

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_backend.agents.models import Agent
from crm_backend.core.errors import Unavailable
from crm_backend.handoff import service as handoffs
from crm_backend.handoff.models import Handoff
from crm_backend.handoff.rasa import RasaClient, RasaUnavailable
from crm_backend.tickets import service as tickets
from crm_backend.tickets.models import Ticket, TicketStatus

logger = logging.getLogger(__name__)
HANDOFF_CATEGORY = "handoff"


def linked_tickets(*, db_session: Session, conversation_id: str) -> list[Ticket]:
    """The open handoff tickets of a conversation."""
    statement = select(Ticket).where(
        Ticket.conversation_id == conversation_id,
        Ticket.category == HANDOFF_CATEGORY,
        Ticket.status != TicketStatus.CLOSED,
    )
    return list(db_session.scalars(statement.order_by(Ticket.id)))


def hand_back(*, db_session: Session, rasa: RasaClient, handoff: Handoff, agent: Agent) -> list[Ticket]:
    """Hand the conversation back to the bot and close its handoff tickets; the closed tickets."""
    handoffs.hand_back(db_session=db_session, rasa=rasa, handoff=handoff, agent=agent)
    closed = linked_tickets(db_session=db_session, conversation_id=handoff.conversation_id)
    for ticket in closed:
        tickets.close_ticket(db_session=db_session, ticket=ticket)
    return closed


def close_ticket(*, db_session: Session, rasa: RasaClient | None, ticket: Ticket) -> Handoff | None:
    """Close the ticket and, if it is a handoff's, the handoff too: the bot resumes (no rating is
    asked: nobody handed back in the conversation). The closed handoff, if any. If Rasa does
    not resume the conversation, `Unavailable`: the caller's transaction rolls back."""
    tickets.close_ticket(db_session=db_session, ticket=ticket)
    if ticket.category != HANDOFF_CATEGORY or not ticket.conversation_id:
        return None
    handoff = handoffs.open_handoff_of(db_session=db_session, conversation_id=ticket.conversation_id)
    if handoff is None:
        return None
    if rasa is not None:
        try:
            rasa.resume(handoff.conversation_id)
        except RasaUnavailable as error:  # nothing changes: the customer must not stay paused unseen
            logger.exception("Could not resume a conversation whose ticket was being closed")
            raise Unavailable("Rasa did not resume the conversation; the ticket stays open. Try again.") from error
    handoffs.close(db_session=db_session, handoff=handoff)
    return handoff
