"""Opening a ticket from a conversation (complaints, delivery problems, handoff requests)."""

from sqlalchemy.orm import Session

from crm_backend.tickets.models import Ticket, TicketMessage, TicketStatus


def open_ticket(
    *,
    db_session: Session,
    customer_id: int | None,
    category: str,
    subject: str,
    body: str,
    channel: str | None = None,
    conversation_id: str | None = None,
    priority: str = "normal",
    author_type: str = "customer",
) -> Ticket:
    """A new open ticket whose first message is `body`."""
    ticket = Ticket(
        customer_id=customer_id,
        category=category,
        subject=subject,
        status=TicketStatus.OPEN,
        priority=priority,
        channel=channel,
        conversation_id=conversation_id,
    )
    ticket.messages.append(TicketMessage(author_type=author_type, body=body))
    db_session.add(ticket)
    db_session.flush()
    return ticket
