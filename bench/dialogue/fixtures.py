"""A fresh customer per scripted conversation, with the orders its placeholders name.

Made directly in the CRM database by the benchmark's setup (the conversation itself then goes
through the real channel): {name}, the ten order placeholders, and the products {item_a},
{item_b} (in {delivered_order}), {item_not_in_order} and {open_item} (in {open_order}).
"""

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_backend.catalogue.models import Product
from crm_backend.customers.models import Consent, Customer, LoyaltyAccount
from crm_backend.insights.models import CustomerScore
from crm_backend.orders.models import Order, OrderItem, OrderStatus, Shipment

FIRST_NAMES = ("Maya", "Tomas", "Ines", "Kofi", "Lena", "Ravi", "Zoe", "Emil", "Nora", "Hugo")
TIER_POINTS = {"bronze": 150, "silver": 950, "gold": 2400}
CHURN = {"low": 0.08, "high": 0.86}
UNKNOWN_ORDERS_FROM = 990_000
_serial = itertools.count(1)


def _products(db_session: Session, count: int) -> list[Product]:
    """In-stock products with short, distinct names (the scripts type them)."""
    products = db_session.scalars(select(Product).where(Product.in_stock.is_(True)).order_by(Product.id)).all()
    chosen, names = [], set()
    for product in products:
        if len(product.name) <= 24 and product.name.lower() not in names:
            chosen.append(product)
            names.add(product.name.lower())
    return chosen[:count]


class Numbers:
    """Six-digit order numbers unused in the CRM (the demo shop's are 7xxxxx)."""

    def __init__(self, db_session: Session, start: int = 800_000) -> None:
        taken = set(db_session.scalars(select(Order.number)))
        self._free = (str(n) for n in itertools.count(start) if str(n) not in taken)

    def __next__(self) -> str:
        return next(self._free)


def _order(
    customer: Customer,
    number: str,
    status: str,
    *,
    placed: datetime,
    expected: datetime | None,
    items: list[Product],
    shipped: datetime | None = None,
    delivered: datetime | None = None,
) -> Order:
    order = Order(
        number=number,
        customer_id=customer.id,
        status=status,
        placed_at=placed,
        estimated_delivery=expected.date() if expected else None,
        shipping_address="12 Harbour Road, 1011 AB Amsterdam, Netherlands",
        total=Decimal(0),
        currency="EUR",
    )
    for product in items:
        order.items.append(OrderItem(product=product, quantity=1, unit_price=product.unit_price))
        order.total += product.unit_price
    if shipped is not None:
        order.shipments.append(
            Shipment(carrier="DHL", tracking_number=f"JD0146{number}", shipped_at=shipped, delivered_at=delivered)
        )
    return order


def make_customer(db_session: Session, numbers: Numbers, profile: dict[str, Any]) -> dict[str, Any]:
    """A new customer as `profile` says (tier, newsletter, churn risk) with every placeholder's
    order; returns {"customer_id", "other_customer_id", "values": {placeholder: text}}."""
    serial = next(_serial)
    now = datetime.now(UTC)
    first = FIRST_NAMES[serial % len(FIRST_NAMES)]
    customer = Customer(first_name=first, last_name="Bench", email=f"bench-{serial}-{now.timestamp():.0f}@example.com")
    other = Customer(first_name="Olga", last_name="Other", email=f"other-{serial}-{now.timestamp():.0f}@example.com")
    db_session.add_all([customer, other])
    db_session.flush()
    tier = profile.get("tier", "bronze")
    customer.loyalty = LoyaltyAccount(points=TIER_POINTS[tier], tier=tier)
    customer.consents.append(Consent(purpose="newsletter", granted=bool(profile.get("newsletter", False))))
    churn = CHURN[profile.get("churn_risk", "low")]
    db_session.add(
        CustomerScore(
            customer_id=customer.id,
            model_version="bench",
            scored_at=now,
            segment="At risk" if churn > 0.5 else "Loyal",
            churn_probability=churn,
            top_factors={"churn": ["days since last order", "late deliveries"]} if churn > 0.5 else {"churn": []},
        )
    )
    item_a, item_b, item_other, open_item, other_item = _products(db_session, 5)
    day = timedelta(days=1)
    orders = {
        "open_order": _order(customer, next(numbers), OrderStatus.PROCESSING, placed=now - timedelta(hours=2),
                             expected=now + 4 * day, items=[open_item]),
        "open_order_2": _order(customer, next(numbers), OrderStatus.PROCESSING, placed=now - 2 * day,
                               expected=now + 3 * day, items=[other_item]),
        "shipped_order": _order(customer, next(numbers), OrderStatus.SHIPPED, placed=now - 3 * day,
                                expected=now + 3 * day, items=[item_b], shipped=now - 1 * day),
        "late_order": _order(customer, next(numbers), OrderStatus.SHIPPED, placed=now - 12 * day,
                             expected=now - 5 * day, items=[item_a], shipped=now - 10 * day),
        "delivered_order": _order(customer, next(numbers), OrderStatus.DELIVERED, placed=now - 10 * day,
                                  expected=now - 6 * day, items=[item_a, item_b], shipped=now - 9 * day,
                                  delivered=now - 6 * day),
        "old_order": _order(customer, next(numbers), OrderStatus.DELIVERED, placed=now - 75 * day,
                            expected=now - 70 * day, items=[other_item], shipped=now - 74 * day,
                            delivered=now - 70 * day),
        "cancelled_order": _order(customer, next(numbers), OrderStatus.CANCELLED, placed=now - 20 * day,
                                  expected=None, items=[item_b]),
        "other_customer_order": _order(other, next(numbers), OrderStatus.PROCESSING, placed=now - day,
                                       expected=now + 3 * day, items=[item_a]),
    }  # fmt: skip
    db_session.add_all(orders.values())
    db_session.commit()
    values = {key: order.number for key, order in orders.items()}
    values |= {
        "name": first,
        "last_order": values["open_order"],
        "unknown_order": str(UNKNOWN_ORDERS_FROM + serial),  # never made: Numbers stays far below
        "item_a": item_a.name,
        "item_b": item_b.name,
        "item_not_in_order": item_other.name,
        "open_item": open_item.name,
    }
    return {"customer_id": customer.id, "other_customer_id": other.id, "values": values}
