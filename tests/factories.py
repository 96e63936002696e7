"""Rows made on purpose for one test, so tests never depend on each other's changes."""

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_backend.catalogue.models import Product
from crm_backend.orders.models import Order, OrderItem, OrderStatus, Shipment

_numbers = itertools.count(900001)


def add_order(
    db_session: Session,
    *,
    customer_id: int,
    status: OrderStatus,
    placed_days_ago: int = 10,
    delivered_days_ago: int | None = None,
    skus: tuple[str, ...] = ("KI0000",),
) -> Order:
    """An order of `customer_id` in the given state; delivered orders get a delivered shipment."""
    now = datetime.now(UTC)
    order = Order(
        number=str(next(_numbers)),
        customer_id=customer_id,
        status=status,
        placed_at=now - timedelta(days=placed_days_ago),
        estimated_delivery=(now - timedelta(days=placed_days_ago - 5)).date(),
        shipping_address="1 Test Street, Testville, United Kingdom",
        total=Decimal(0),
        currency="EUR",
    )
    while db_session.scalars(select(Order.id).where(Order.number == order.number)).first() is not None:
        order.number = str(next(_numbers))
    for sku in skus:
        product = db_session.scalars(select(Product).where(Product.sku == sku)).one()
        order.items.append(OrderItem(product=product, quantity=1, unit_price=product.unit_price))
        order.total += product.unit_price
    if status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.RETURNED):
        delivered = now - timedelta(days=delivered_days_ago) if delivered_days_ago is not None else None
        order.shipments.append(
            Shipment(carrier="DHL", tracking_number="DH0000000001", shipped_at=order.placed_at + timedelta(days=1),
                     delivered_at=delivered)
        )  # fmt: skip
    db_session.add(order)
    db_session.commit()
    return order
