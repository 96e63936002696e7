"""Everything we hold on one customer: export it, or erase it.

The export is keyed by table name and carries every column of every row that belongs to
the customer, so nothing is forgotten when a column is added. Erasure deletes what exists
only because of the person (identities, consents, loyalty, scores, recommendations, bot
decisions, link codes) and anonymises what the shop must keep for its accounts (orders,
returns, refunds, tickets): the rows stay, the personal values go. The customer's
conversations lose every link to them (`crm_backend.privacy.conversations`), and their events
go from Rasa's tracker store when it is given (`crm_backend.privacy.tracker`).
"""

import logging
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import delete, inspect, or_, select, update
from sqlalchemy.orm import Session

from crm_backend.audit.models import AuditEntry
from crm_backend.audit.service import ActorType, AuditAction, list_customer_entries, record
from crm_backend.conversations.models import BotDecision
from crm_backend.core.db import Base
from crm_backend.core.errors import Conflict
from crm_backend.customers.models import ChannelIdentity, Consent, Customer, LoyaltyAccount
from crm_backend.insights.models import CustomerScore, Recommendation
from crm_backend.links.models import LinkCode
from crm_backend.offers.models import RetentionVoucher
from crm_backend.orders.models import Order, OrderItem, Shipment
from crm_backend.privacy.conversations import (
    customer_conversation_ids,
    erase_conversations,
    foreign_conversation_ids,
    unlink_from_foreign_conversations,
)
from crm_backend.privacy.tracker import TrackerStore, delete_conversation_events, index_conversations
from crm_backend.returns.models import Refund, Return, ReturnItem
from crm_backend.tickets.models import Ticket, TicketMessage

logger = logging.getLogger(__name__)

ERASED_NAME = "Erased"
ERASED_TEXT = "[erased]"


class CustomerAlreadyErased(Conflict):
    """The customer's personal data is already gone."""

    code = "customer_already_erased"
    message = "This customer's data has already been erased."


def _row(obj: object) -> dict:
    """Every column of an ORM object, as JSON-friendly values."""
    values = {}
    for attribute in inspect(obj).mapper.column_attrs:
        value = getattr(obj, attribute.key)
        if isinstance(value, datetime):
            value = (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        values[attribute.key] = value
    return values


def _rows(db_session: Session, model: type, *conditions) -> list[dict]:
    statement = select(model).where(*conditions).order_by(*inspect(model).primary_key)
    return [_row(obj) for obj in db_session.scalars(statement)]


def _not_in(model: type, conversation_ids: set[str]) -> list:
    """A condition leaving out rows of these conversations (none for a model without the column)."""
    if not conversation_ids or "conversation_id" not in inspect(model).columns:
        return []
    return [or_(model.conversation_id.is_(None), model.conversation_id.not_in(sorted(conversation_ids)))]


_NESTED = {ChannelIdentity, Consent, LoyaltyAccount, Order, OrderItem, Shipment, Return, ReturnItem, Refund}
_NESTED |= {Ticket, TicketMessage, BotDecision, CustomerScore, Recommendation, AuditEntry, Customer}


def _other_models(column: str) -> list[type]:
    """Mapped classes with a `column` that the export does not already lay out by hand
    (tables added later by other contexts still end up in the export)."""
    return sorted(
        (m.class_ for m in Base.registry.mappers if column in m.columns and m.class_ not in _NESTED),
        key=lambda model: model.__tablename__,
    )


def _conversation_models() -> list[type]:
    """Mapped classes about a conversation but not directly about a customer (notes, tags...)."""
    return sorted(
        (m.class_ for m in Base.registry.mappers if "conversation_id" in m.columns and "customer_id" not in m.columns),
        key=lambda model: model.__tablename__,
    )


def export_customer(*, db_session: Session, customer_id: int) -> dict | None:
    """One document with every row that concerns the customer, or None if there is none."""
    customer = db_session.get(Customer, customer_id)
    if customer is None:
        return None
    order_ids = list(db_session.scalars(select(Order.id).where(Order.customer_id == customer_id)))
    return_ids = list(db_session.scalars(select(Return.id).where(Return.customer_id == customer_id)))
    ticket_ids = list(db_session.scalars(select(Ticket.id).where(Ticket.customer_id == customer_id)))
    orders = _rows(db_session, Order, Order.id.in_(order_ids))
    items = _rows(db_session, OrderItem, OrderItem.order_id.in_(order_ids))
    shipments = _rows(db_session, Shipment, Shipment.order_id.in_(order_ids))
    extra = {m.__tablename__: _rows(db_session, m, m.order_id.in_(order_ids)) for m in _other_models("order_id")}
    for order in orders:
        order["order_items"] = [item for item in items if item["order_id"] == order["id"]]
        order["shipments"] = [shipment for shipment in shipments if shipment["order_id"] == order["id"]]
        for table, rows in extra.items():
            order[table] = [row for row in rows if row["order_id"] == order["id"]]
    returns = _rows(db_session, Return, Return.id.in_(return_ids))
    return_items = _rows(db_session, ReturnItem, ReturnItem.return_id.in_(return_ids))
    for record_ in returns:
        record_["return_items"] = [item for item in return_items if item["return_id"] == record_["id"]]
    tickets = _rows(db_session, Ticket, Ticket.id.in_(ticket_ids))
    messages = _rows(db_session, TicketMessage, TicketMessage.ticket_id.in_(ticket_ids))
    for ticket in tickets:
        ticket["ticket_messages"] = [message for message in messages if message["ticket_id"] == ticket["id"]]
    score = db_session.get(CustomerScore, customer_id)
    # Rows naming the customer in someone else's conversation stay out: they would carry the
    # owner's words (a summary's text, a handoff's summary).
    foreign = foreign_conversation_ids(db_session=db_session, customer_id=customer_id)
    others = {
        m.__tablename__: _rows(db_session, m, m.customer_id == customer_id, *_not_in(m, foreign))
        for m in _other_models("customer_id")
    }
    conversation_ids = customer_conversation_ids(db_session=db_session, customer_id=customer_id)
    for model in _conversation_models():
        others[model.__tablename__] = _rows(db_session, model, model.conversation_id.in_(conversation_ids))
    return others | {
        "exported_at": datetime.now(UTC).isoformat(),
        "customer_id": customer_id,
        "customers": _row(customer),
        "channel_identities": _rows(db_session, ChannelIdentity, ChannelIdentity.customer_id == customer_id),
        "consents": _rows(db_session, Consent, Consent.customer_id == customer_id),
        "loyalty_accounts": _rows(db_session, LoyaltyAccount, LoyaltyAccount.customer_id == customer_id),
        "orders": orders,
        "returns": returns,
        # Refunds of the customer's orders, for returns or for cancellations.
        "refunds": _rows(db_session, Refund, Refund.order_id.in_(order_ids)),
        "tickets": tickets,
        "bot_decisions": _rows(
            db_session, BotDecision, BotDecision.customer_id == customer_id, *_not_in(BotDecision, foreign)
        ),
        "customer_scores": _row(score) if score else None,
        "recommendations": _rows(db_session, Recommendation, Recommendation.customer_id == customer_id),
        "audit_log": [_row(entry) for entry in list_customer_entries(db_session=db_session, customer_id=customer_id)],
    }


def erase_customer(
    *,
    db_session: Session,
    customer: Customer,
    actor_type: ActorType,
    actor_id: int | None,
    tracker: TrackerStore | None = None,
) -> dict[str, int]:
    """Remove the customer's personal data everywhere; returns how many rows of each kind
    were deleted or anonymised (`tracker_events`: in Rasa's tracker store). The audit entry
    records only those counts, and whether the tracker store was erased.

    Without `tracker` (no TRACKER_DB_URL) the conversations' events stay in Rasa's tracker
    store; the caller must say so. With it, they are deleted first, in the tracker store's own
    transaction: if that fails nothing is erased and the erasure can be run again."""
    if customer.erased_at is not None:
        raise CustomerAlreadyErased(customer.id)
    customer_id = customer.id
    if tracker is not None:
        index_conversations(db_session=db_session, tracker=tracker)
    # Found first: bot decisions and tickets are among the rows that name the conversations.
    # Conversations that someone else owns are not the customer's, whatever a row says.
    conversation_ids = customer_conversation_ids(db_session=db_session, customer_id=customer_id)
    foreign = foreign_conversation_ids(db_session=db_session, customer_id=customer_id)
    counts: dict[str, int] = {}
    if tracker is not None:
        counts["tracker_events"] = delete_conversation_events(tracker=tracker, conversation_ids=conversation_ids)
    else:
        logger.warning("No tracker store given: the conversations of customer %s stay in it", customer_id)
    erased = (ChannelIdentity, Consent, LoyaltyAccount, CustomerScore, Recommendation, BotDecision, LinkCode)
    for model in (*erased, RetentionVoucher):
        result = db_session.execute(delete(model).where(model.customer_id == customer_id))
        counts[model.__tablename__] = result.rowcount or 0

    # The customer's tickets, and tickets opened in their conversations before they signed in.
    customer_tickets = or_(Ticket.customer_id == customer_id, Ticket.conversation_id.in_(conversation_ids))
    ticket_ids = select(Ticket.id).where(customer_tickets).scalar_subquery()
    # Agents' notes on the customer's tickets describe the customer too: all bodies go.
    counts["ticket_messages"] = (
        db_session.execute(
            update(TicketMessage).where(TicketMessage.ticket_id.in_(ticket_ids)).values(body=ERASED_TEXT)
        ).rowcount
        or 0
    )
    counts["tickets"] = (
        db_session.execute(
            update(Ticket).where(customer_tickets).values(subject=ERASED_TEXT, conversation_id=None)
        ).rowcount
        or 0
    )
    order_ids = select(Order.id).where(Order.customer_id == customer_id).scalar_subquery()
    counts["orders"] = (
        db_session.execute(update(Order).where(Order.customer_id == customer_id).values(shipping_address=None)).rowcount
        or 0
    )
    # A tracking number leads to the delivery address at the carrier.
    counts["shipments"] = (
        db_session.execute(
            update(Shipment).where(Shipment.order_id.in_(order_ids)).values(tracking_number=None)
        ).rowcount
        or 0
    )
    counts["returns"] = (
        db_session.execute(update(Return).where(Return.customer_id == customer_id).values(reason=None)).rowcount or 0
    )

    for table, count in erase_conversations(db_session=db_session, conversation_ids=conversation_ids).items():
        counts[table] = counts.get(table, 0) + count
    counts["foreign_conversation_rows"] = unlink_from_foreign_conversations(
        db_session=db_session, customer_id=customer_id, conversation_ids=foreign
    )

    customer.first_name = ERASED_NAME
    customer.last_name = ""
    customer.email = None
    customer.phone = None
    customer.external_ref = None
    customer.country = None
    customer.erased_at = datetime.now(UTC)
    counts["customers"] = 1
    # Drop relationship collections loaded before the bulk deletes.
    db_session.expire(customer, ["identities", "consents", "loyalty"])
    db_session.flush()
    record(
        db_session=db_session,
        actor_type=actor_type,
        actor_id=actor_id,
        action=AuditAction.ERASE,
        entity_type="customer",
        entity_id=customer_id,
        customer_id=customer_id,
        detail={"rows": counts, "tracker_store": tracker_store_status(tracker)},
    )
    logger.info("Erased the personal data of customer %s", customer_id)
    return counts


def tracker_store_status(tracker: TrackerStore | None) -> str:
    """What an erasure did in Rasa's tracker store: `erased`, or `not_configured` (untouched)."""
    return "erased" if tracker is not None else "not_configured"


def record_export(*, db_session: Session, customer_id: int, actor_type: ActorType, actor_id: int | None) -> AuditEntry:
    return record(
        db_session=db_session,
        actor_type=actor_type,
        actor_id=actor_id,
        action=AuditAction.EXPORT,
        entity_type="customer",
        entity_id=customer_id,
        customer_id=customer_id,
    )
