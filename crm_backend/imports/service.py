"""Storing a batch of checked lines: customers, products, orders, items and charges, set by set.

Natural keys make every step idempotent: Customer.external_ref = CustomerID, Product.sku =
StockCode, Order.number = InvoiceNo, and a line is identified within its order by
(product or charge code, quantity, unit price). A line whose identity is already stored is
merged (nothing is written). The caller owns the transaction; this module only executes.
"""

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, TypeVar

from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.orm import Session

from crm_backend.catalogue.models import Product
from crm_backend.customers.models import Customer
from crm_backend.imports.models import OrderCharge
from crm_backend.imports.rows import Line, Reason, Rejection
from crm_backend.orders.models import Order, OrderItem, OrderStatus

logger = logging.getLogger(__name__)

customers = Customer.__table__
products = Product.__table__
orders = Order.__table__
order_items = OrderItem.__table__
order_charges = OrderCharge.__table__

# Concurrent imports into PostgreSQL take turns batch by batch (pg_advisory_xact_lock).
IMPORT_LOCK_KEY = 0x636F6E63  # "conc"
IN_CHUNK = 500
CENT = Decimal("0.01")
ZERO = Decimal(0)  # ids per IN (...) list; SQLite allows a few thousand bound parameters at most

LineKey = tuple[str, int, int | str, int, int]
T = TypeVar("T")


@dataclass
class KnownIds:
    """Ids of the customers and products met so far (bounded by the catalogue, not the file)."""

    customers: dict[str, int] = field(default_factory=dict)
    products: dict[str, int] = field(default_factory=dict)


@dataclass
class BatchOutcome:
    """What one batch did, line by line."""

    imported: int = 0
    merged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    customers_created: int = 0
    products_created: int = 0
    orders_created: int = 0
    items_created: int = 0
    charges_created: int = 0


def import_lines(*, db_session: Session, lines: list[Line], known: KnownIds, currency: str) -> BatchOutcome:
    """Store `lines` (from one file, in file order); returns how each line was accounted for."""
    outcome = BatchOutcome()
    if not lines:
        return outcome
    postgres = db_session.get_bind().dialect.name == "postgresql"
    if postgres:
        db_session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK_KEY})
    order_ids, accepted = _check_owners(db_session, lines, outcome)
    seen = _stored_line_keys(db_session, list(order_ids.values()))
    outcome.customers_created = _ensure_customers(db_session, accepted, known)
    outcome.products_created = _ensure_products(db_session, accepted, known)
    outcome.orders_created = _create_orders(db_session, accepted, order_ids, known, currency)
    new_items: list[dict[str, Any]] = []
    new_charges: list[dict[str, Any]] = []
    deltas: dict[int, Decimal] = {}
    for line in accepted:
        order_id = order_ids[line.invoice]
        if line.charge_kind is None:
            product_id = known.products[line.code]
            key: LineKey = ("p", order_id, product_id, line.quantity, _scaled(line.unit_price, 2))
        else:
            key = ("c", order_id, line.code, line.quantity, _scaled(line.unit_price, 3))
        if key in seen:
            outcome.merged += 1
            continue
        seen.add(key)
        outcome.imported += 1
        deltas[order_id] = deltas.get(order_id, ZERO) + line.quantity * line.unit_price
        if line.charge_kind is None:
            new_items.append(
                {
                    "order_id": order_id,
                    "product_id": product_id,
                    "quantity": line.quantity,
                    "unit_price": line.unit_price,
                }
            )
        else:
            new_charges.append(
                {
                    "order_id": order_id,
                    "code": line.code,
                    "kind": line.charge_kind,
                    "description": line.description,
                    "quantity": line.quantity,
                    "unit_amount": line.unit_price,
                }
            )
    if new_items:
        if postgres:
            _copy_items(db_session, new_items)
        else:
            db_session.execute(insert(order_items), new_items)
    if new_charges:
        db_session.execute(insert(order_charges), new_charges)
    outcome.items_created, outcome.charges_created = len(new_items), len(new_charges)
    if deltas:
        _add_to_totals(db_session, deltas)
    db_session.flush()
    return outcome


def _ensure_customers(db_session: Session, lines: list[Line], known: KnownIds) -> int:
    wanted: dict[str, str | None] = {}
    for line in lines:
        ref = line.customer_ref
        if ref is not None and ref not in known.customers and ref not in wanted:
            wanted[ref] = line.country
    if not wanted:
        return 0
    for chunk in _chunks(wanted):
        statement = select(customers.c.external_ref, customers.c.id).where(customers.c.external_ref.in_(chunk))
        known.customers.update(db_session.execute(statement).all())
    missing = [ref for ref in wanted if ref not in known.customers]
    if missing:
        # The file has no names: a placeholder that staff can recognise and correct.
        rows = [
            {"external_ref": ref, "first_name": "Customer", "last_name": ref, "country": wanted[ref]} for ref in missing
        ]
        statement = insert(customers).returning(customers.c.external_ref, customers.c.id)
        known.customers.update(db_session.execute(statement, rows).all())
    return len(missing)


def _ensure_products(db_session: Session, lines: list[Line], known: KnownIds) -> int:
    # Name and list price come from the first line that has them.
    names: dict[str, str | None] = {}
    prices: dict[str, Decimal] = {}
    for line in lines:
        sku = line.code
        if line.charge_kind is not None or sku in known.products:
            continue
        if sku not in names:
            names[sku], prices[sku] = line.description, line.unit_price
            continue
        if names[sku] is None:
            names[sku] = line.description
        if prices[sku] <= 0 < line.unit_price:
            prices[sku] = line.unit_price
    if not names:
        return 0
    for chunk in _chunks(names):
        statement = select(products.c.sku, products.c.id).where(products.c.sku.in_(chunk))
        known.products.update(db_session.execute(statement).all())
    missing = [sku for sku in names if sku not in known.products]
    if missing:
        rows = [
            {"sku": sku, "name": names[sku] or sku, "unit_price": max(prices[sku], Decimal(0)), "in_stock": True}
            for sku in missing
        ]
        statement = insert(products).returning(products.c.sku, products.c.id)
        known.products.update(db_session.execute(statement, rows).all())
    return len(missing)


def _check_owners(db_session: Session, lines: list[Line], outcome: BatchOutcome) -> tuple[dict[str, int], list[Line]]:
    """Ids of the orders stored before this batch, and the lines whose customer matches their order's.

    An order belongs to the customer of its first line (or to nobody, for a guest); a line of
    the same invoice number with another customer is rejected, whether the order was stored
    by an earlier import, by other means (e.g. the demo shop) or earlier in this batch.
    """
    numbers = list(dict.fromkeys(line.invoice for line in lines))
    owners: dict[str, str | None] = {}
    order_ids: dict[str, int] = {}
    for chunk in _chunks(numbers):
        statement = (
            select(orders.c.number, orders.c.id, orders.c.customer_id, customers.c.external_ref)
            .outerjoin(customers, customers.c.id == orders.c.customer_id)
            .where(orders.c.number.in_(chunk))
        )
        for number, order_id, customer_id, external_ref in db_session.execute(statement):
            order_ids[number] = order_id
            # "#" never occurs in a CustomerID, so a customer without external_ref matches no line.
            owners[number] = None if customer_id is None else external_ref or f"#{customer_id}"
    accepted: list[Line] = []
    for line in lines:
        owner = owners.setdefault(line.invoice, line.customer_ref)
        if owner != line.customer_ref:
            who = "a guest" if owner is None else "another customer"
            detail = f"order {line.invoice} belongs to {who}, this line to {line.customer_ref or 'a guest'}"
            outcome.rejected.append(Rejection(line.row, line.raw, Reason.ORDER_CUSTOMER_MISMATCH, detail))
            continue
        accepted.append(line)
    return order_ids, accepted


def _create_orders(
    db_session: Session, lines: list[Line], order_ids: dict[str, int], known: KnownIds, currency: str
) -> int:
    """Create the orders of `lines` that are not stored yet, from their first line; adds their ids."""
    new_orders: dict[str, dict[str, Any]] = {}
    for line in lines:
        if line.invoice in order_ids or line.invoice in new_orders:
            continue
        new_orders[line.invoice] = {
            "number": line.invoice,
            "customer_id": known.customers[line.customer_ref] if line.customer_ref is not None else None,
            "status": (OrderStatus.CANCELLED if line.cancelled else OrderStatus.DELIVERED).value,
            "placed_at": line.placed_at,
            "total": ZERO,
            "currency": currency,
            "country": line.country,
        }
    if new_orders:
        statement = insert(orders).returning(orders.c.number, orders.c.id)
        order_ids.update(db_session.execute(statement, list(new_orders.values())).all())
    return len(new_orders)


def _stored_line_keys(db_session: Session, order_ids: list[int]) -> set[LineKey]:
    keys: set[LineKey] = set()
    for chunk in _chunks(order_ids):
        items = select(
            order_items.c.order_id, order_items.c.product_id, order_items.c.quantity, order_items.c.unit_price
        )
        for order_id, product_id, quantity, price in db_session.execute(items.where(order_items.c.order_id.in_(chunk))):
            keys.add(("p", order_id, product_id, quantity, _scaled(price, 2)))
        charges = select(
            order_charges.c.order_id, order_charges.c.code, order_charges.c.quantity, order_charges.c.unit_amount
        )
        for order_id, code, quantity, amount in db_session.execute(charges.where(order_charges.c.order_id.in_(chunk))):
            keys.add(("c", order_id, code, quantity, _scaled(amount, 3)))
    return keys


def _copy_items(db_session: Session, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL: COPY the new items in, inside the session's transaction."""
    connection = db_session.connection().connection.driver_connection
    with (
        connection.cursor() as cursor,
        cursor.copy("COPY order_items (order_id, product_id, quantity, unit_price) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row((row["order_id"], row["product_id"], row["quantity"], row["unit_price"]))


def _add_to_totals(db_session: Session, deltas: dict[int, Decimal]) -> None:
    """Add the value of the new lines to their orders' totals (items plus charges)."""
    rows = [{"order_id": key, "delta": delta.quantize(CENT, ROUND_HALF_EVEN)} for key, delta in deltas.items()]
    statement = (
        update(orders)
        .where(orders.c.id == bindparam("order_id"))
        .values(total=orders.c.total + bindparam("delta", type_=orders.c.total.type))
    )
    db_session.execute(statement, rows, execution_options={"synchronize_session": False})


def _scaled(value: Decimal | float, places: int) -> int:
    """A price as an integer number of cents (2) or thousandths (3), whatever the driver returned."""
    return int(
        (Decimal(str(value)) if isinstance(value, float) else value).scaleb(places).to_integral_value(ROUND_HALF_EVEN)
    )


def _chunks(values: Iterable[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    chunk: list[T] = []
    for value in values:
        chunk.append(value)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
