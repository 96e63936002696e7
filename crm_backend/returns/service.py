"""Starting returns and reading their refunds."""

import secrets
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from crm_backend.orders.models import Order, OrderItem, OrderStatus
from crm_backend.orders.service import OrderNotChangeable
from crm_backend.returns.models import Refund, RefundStatus, Return, ReturnItem, ReturnStatus
from crm_backend.returns.policy import ReturnVerdict, return_eligibility
from redaction import redact


class NotReturnable(Exception):
    """Why an order cannot be returned: `not_delivered`, `window_closed`, `already_requested`,
    or `no_such_item`."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


def create_return(
    *, db_session: Session, order: Order, reason: str, skus: list[str] | None = None, now: datetime | None = None
) -> Return:
    """Open a return for some (or all) items of a delivered order, within the return window.

    The reason is the customer's own words: stored with its personal data masked, as ticket texts are."""
    now = now or datetime.now(UTC)
    eligibility = return_eligibility(db_session=db_session, order=order, now=now)
    if eligibility.verdict is ReturnVerdict.NOT_DELIVERED:
        raise NotReturnable("not_delivered", f"order {order.number} is {order.status}, not delivered")
    if eligibility.verdict is ReturnVerdict.WINDOW_CLOSED:
        raise NotReturnable("window_closed", f"the return window closed on {eligibility.deadline.date().isoformat()}")
    if eligibility.verdict is ReturnVerdict.ALREADY_REQUESTED:
        raise NotReturnable("already_requested", f"a return for order {order.number} already exists")
    items = [item for item in order.items if not skus or item.product.sku in skus]
    if not items:
        raise NotReturnable("no_such_item", "none of those items is in the order")
    record = Return(
        reference=_new_reference(db_session),
        order=order,
        customer_id=order.customer_id,
        status=ReturnStatus.REQUESTED,
        reason=redact(reason),
        created_at=now,
    )
    record.items.extend(ReturnItem(order_item=item, quantity=item.quantity) for item in items)
    db_session.add(record)
    db_session.flush()
    return record


def cancel_order(*, db_session: Session, order: Order) -> Refund:
    """Cancel an order that has not been dispatched; its full amount is refunded (the refund
    belongs to the returns context, which knows orders: orders never import returns)."""
    if not order.is_changeable:
        raise OrderNotChangeable(order.status)
    order.status = OrderStatus.CANCELLED
    refund = Refund(order=order, amount=order.total, status=RefundStatus.PENDING)
    db_session.add(refund)
    db_session.flush()
    return refund


def list_customer_returns(*, db_session: Session, customer_id: int, limit: int | None = 10) -> list[Return]:
    """The customer's returns, newest first, with their items, refunds and order."""
    statement = (
        select(Return)
        .where(Return.customer_id == customer_id)
        .order_by(Return.created_at.desc(), Return.id.desc())
        .limit(limit)
        .options(
            selectinload(Return.items).selectinload(ReturnItem.order_item).selectinload(OrderItem.product),
            selectinload(Return.refunds),
            selectinload(Return.order),
        )
    )
    return list(db_session.scalars(statement))


def _new_reference(db_session: Session) -> str:
    while True:
        reference = f"R{secrets.randbelow(9 * 10**6) + 10**6}"
        if db_session.scalars(select(Return.id).where(Return.reference == reference)).first() is None:
            return reference
