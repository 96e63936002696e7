"""Reading and changing orders. Services flush at most; the request owns the transaction."""

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from crm_backend.orders.models import Order, OrderItem


def get_customer_order(*, db_session: Session, customer_id: int, number: str) -> Order | None:
    """The order called `number` if, and only if, it belongs to `customer_id`."""
    statement = (
        select(Order)
        .where(Order.number == number, Order.customer_id == customer_id)
        .options(selectinload(Order.items).selectinload(OrderItem.product), selectinload(Order.shipments))
    )
    return db_session.scalars(statement).one_or_none()


def list_customer_orders(*, db_session: Session, customer_id: int, limit: int | None) -> list[Order]:
    """The customer's most recent orders, newest first."""
    statement = (
        select(Order)
        .where(Order.customer_id == customer_id)
        .order_by(Order.placed_at.desc(), Order.id.desc())
        .limit(limit)
        .options(selectinload(Order.items).selectinload(OrderItem.product), selectinload(Order.shipments))
    )
    return list(db_session.scalars(statement))


class OrderNotChangeable(Exception):
    """The order has left the warehouse (or ended), so it can no longer be changed."""

    def __init__(self, status: str) -> None:
        super().__init__(f"order is {status}")
        self.status = status


def change_shipping_address(*, db_session: Session, order: Order, address: str) -> Order:
    """Send an order that has not been dispatched to another address."""
    if not order.is_changeable:
        raise OrderNotChangeable(order.status)
    order.shipping_address = address
    db_session.flush()
    return order
