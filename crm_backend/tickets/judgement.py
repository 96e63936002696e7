"""When a customer's message deserves a ticket, and which one: the facts first, one ticket per issue.

The bot used to open a ticket on the first hint: "my parcel is late" for an order not due for a
week, a change ticket for an order delivered months ago, three tickets for three messages about
one damaged parcel. The rules live here, once; the action asks and phrases the verdict.

- A *late* parcel is late only once its expected delivery date has passed and it has not been
  delivered: before that the verdict is `not_due` (with the date) and nothing is opened.
- A *change* to an order is possible only before dispatch (`Order.is_changeable`): otherwise
  `not_changeable`, nothing opened.
- One open ticket per issue: a later message about the same category (and the same order, if
  one is named) in the same conversation, or from the same customer about the same order, is
  added to the open ticket (`updated`) instead of opening another.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from crm_backend.orders.models import Order, OrderStatus
from crm_backend.orders.service import get_customer_order
from crm_backend.tickets.models import Ticket, TicketStatus
from crm_backend.tickets.service import add_message, create_ticket

LATE_ISSUE = "late"
CHANGE_CATEGORY = "order_change"
# The order is named in the subject, so agents see it in every list: "Delivery problem (order 702733)".
ORDER_IN_SUBJECT = "{subject} (order {number})"


@dataclass(frozen=True)
class TicketVerdict:
    """`opened` / `updated` (with the ticket), or `not_due` / `not_changeable` (nothing opened)."""

    outcome: str
    ticket: Ticket | None
    order: Order | None


def order_subject(subject: str, order: Order | None) -> str:
    return ORDER_IN_SUBJECT.format(subject=subject, number=order.number) if order is not None else subject


def fact_check(order: Order | None, *, category: str, issue: str | None, today: date) -> str | None:
    """Why no ticket is needed for this order (a verdict), or None when one is."""
    if order is None:
        return None
    on_its_way = order.status in (OrderStatus.PENDING, OrderStatus.PROCESSING, OrderStatus.SHIPPED)
    due = order.estimated_delivery
    if issue == LATE_ISSUE and on_its_way and due is not None and due >= today:
        return "not_due"
    if category == CHANGE_CATEGORY and not order.is_changeable:
        return "not_changeable"
    return None


def open_ticket_for_issue(
    *,
    db_session: Session,
    customer_id: int | None,
    category: str,
    subject: str,
    conversation_id: str | None,
    order: Order | None,
) -> Ticket | None:
    """The open ticket already kept for this issue, if any."""
    same_place = []
    if conversation_id:
        same_place.append(Ticket.conversation_id == conversation_id)
    if customer_id is not None and order is not None:
        same_place.append(Ticket.customer_id == customer_id)
    if not same_place:
        return None
    statement = (
        select(Ticket)
        .where(
            Ticket.category == category,
            Ticket.status != TicketStatus.CLOSED,
            Ticket.subject == order_subject(subject, order),
            or_(*same_place),
        )
        .order_by(Ticket.id.desc())
    )
    return db_session.scalars(statement).first()


def report_issue(
    *,
    db_session: Session,
    customer_id: int | None,
    category: str,
    subject: str,
    body: str,
    channel: str | None = None,
    conversation_id: str | None = None,
    priority: str = "normal",
    order_number: str | None = None,
    issue: str | None = None,
    today: date | None = None,
) -> TicketVerdict:
    """Check the facts, then open a ticket or add the message to the one already open.

    An order is only looked at for a verified customer (`customer_id`), and only their own."""
    order = None
    if customer_id is not None and order_number:
        order = get_customer_order(db_session=db_session, customer_id=customer_id, number=order_number)
    verdict = fact_check(order, category=category, issue=issue, today=today or datetime.now(UTC).date())
    if verdict is not None:
        return TicketVerdict(verdict, None, order)
    existing = open_ticket_for_issue(
        db_session=db_session,
        customer_id=customer_id,
        category=category,
        subject=subject,
        conversation_id=conversation_id,
        order=order,
    )
    if existing is not None:
        add_message(db_session=db_session, ticket=existing, body=body, author_type="customer")
        return TicketVerdict("updated", existing, order)
    ticket = create_ticket(
        db_session=db_session,
        author_type="customer",
        customer_id=customer_id,
        category=category,
        subject=order_subject(subject, order),
        body=body,
        channel=channel,
        conversation_id=conversation_id,
        priority=priority,
    )
    return TicketVerdict("opened", ticket, order)
