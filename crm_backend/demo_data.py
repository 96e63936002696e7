"""A deterministic demo shop: customers, a catalogue and orders with realistic histories.

The same seed and the same `as_of` date always give the same rows, so tests and the README
can rely on them. Customer 1 always has one order in each live state (processing, shipped,
delivered), which makes the quick-start example meaningful.
"""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from crm_backend.catalogue.models import Category, Product
from crm_backend.customers.loyalty import tier_for
from crm_backend.customers.models import Consent, Customer, LoyaltyAccount
from crm_backend.orders.models import Order, OrderItem, OrderStatus, Shipment
from crm_backend.returns.models import Refund, RefundStatus, Return, ReturnItem, ReturnStatus

FIRST_NAMES = [
    "Ada",
    "Alan",
    "Grace",
    "Linus",
    "Maya",
    "Noah",
    "Olivia",
    "Liam",
    "Emma",
    "Lucas",
    "Sofia",
    "Mateo",
    "Amara",
    "Kenji",
    "Ingrid",
    "Tomas",
    "Leila",
    "Ravi",
    "Chloe",
    "Yusuf",
    "Hana",
    "Pablo",
    "Greta",
    "Omar",
    "Nina",
    "Felix",
    "Zara",
    "Ivan",
    "Elena",
    "Samuel",
]
LAST_NAMES = [
    "Lovelace",
    "Turing",
    "Hopper",
    "Torvalds",
    "Patel",
    "Schmidt",
    "Rossi",
    "Dubois",
    "Novak",
    "Garcia",
    "Okafor",
    "Tanaka",
    "Larsen",
    "Silva",
    "Haddad",
    "Kowalski",
    "Murphy",
    "Nguyen",
    "Fischer",
    "Moreau",
    "Costa",
    "Yilmaz",
    "Berg",
    "Ivanova",
    "Cohen",
]
COUNTRIES = ["United Kingdom", "Germany", "France", "Spain", "Netherlands", "Italy", "Ireland", "Portugal"]
CATALOGUE: dict[str, list[tuple[str, float]]] = {
    "kitchen": [
        ("Ceramic teapot", 24.90),
        ("Enamel mug set", 18.50),
        ("Bamboo cutting board", 21.00),
        ("Cast iron skillet", 39.90),
        ("Glass storage jars", 15.75),
        ("Linen tea towels", 12.40),
        ("Espresso cups", 16.20),
        ("Olive wood spoons", 11.90),
        ("Stoneware bowls", 27.30),
        ("Copper measuring cups", 19.95),
    ],
    "home decor": [
        ("Wool throw blanket", 59.00),
        ("Scented soy candle", 14.50),
        ("Rattan wall mirror", 74.00),
        ("Linen cushion cover", 22.00),
        ("Ceramic vase", 29.90),
        ("Brass photo frame", 17.80),
        ("Jute rug", 89.00),
        ("Botanical print", 24.00),
        ("Table lamp", 64.50),
        ("Woven basket", 26.40),
    ],
    "garden": [
        ("Terracotta planter", 19.90),
        ("Watering can", 23.50),
        ("Garden gloves", 9.95),
        ("Herb seed kit", 12.00),
        ("Solar lanterns", 34.00),
        ("Pruning shears", 21.70),
        ("Bird feeder", 18.20),
        ("Outdoor cushion", 32.00),
        ("Hanging planter", 15.40),
        ("Compost bin", 45.00),
    ],
    "stationery": [
        ("Leather notebook", 21.00),
        ("Fountain pen", 36.00),
        ("Washi tape set", 8.50),
        ("Desk organiser", 27.90),
        ("Wall calendar", 13.00),
        ("Greeting card pack", 9.90),
        ("Sketchbook", 14.20),
        ("Brass bookmark", 7.50),
        ("Pencil set", 11.00),
        ("Weekly planner", 16.80),
    ],
    "toys": [
        ("Wooden train set", 42.00),
        ("Plush rabbit", 19.50),
        ("Puzzle 1000 pieces", 17.90),
        ("Building blocks", 29.00),
        ("Kite", 22.40),
        ("Spinning top", 6.90),
        ("Doll house", 89.00),
        ("Card game", 12.50),
        ("Marble run", 34.90),
        ("Rocking horse", 119.00),
    ],
    "bags": [
        ("Canvas tote bag", 18.00),
        ("Leather backpack", 95.00),
        ("Travel pouch", 14.90),
        ("Picnic bag", 38.00),
        ("Jute shopping bag", 9.50),
        ("Weekender bag", 79.00),
        ("Lunch bag", 16.40),
        ("Crossbody bag", 49.00),
        ("Laptop sleeve", 29.50),
        ("Coin purse", 11.20),
    ],
}
CARRIERS = ["DHL", "UPS", "Royal Mail", "DPD"]
STREETS = ["High Street", "Station Road", "Church Lane", "Mill Road", "Park Avenue", "Kingsway", "Elm Grove"]
CITIES = ["London", "Manchester", "Berlin", "Paris", "Madrid", "Amsterdam", "Milan", "Dublin", "Lisbon"]


@dataclass(frozen=True)
class DemoSize:
    customers: int = 300
    mean_orders_per_customer: float = 10.0


def seed_demo_data(
    db_session: Session, *, seed: int = 42, as_of: date | None = None, size: DemoSize = DemoSize()
) -> dict[str, int]:
    """Insert the demo shop into an empty database; returns how many rows of each kind."""
    if db_session.scalar(select(func.count()).select_from(Customer)):
        raise ValueError("The database already holds customers; demo data goes only into an empty one.")
    rng = random.Random(seed)
    today = as_of or date.today()
    products = _add_catalogue(db_session, rng)
    customers = _add_customers(db_session, rng, size.customers)
    db_session.flush()
    order_plans = _plan_orders(rng, customers, today, size.mean_orders_per_customer)
    order_plans.sort(key=lambda plan: plan[1])
    addresses = {customer.id: _address(rng, customer) for customer in customers}
    spent: dict[int, Decimal] = {}
    item_count = returns = 0
    for sequence, (customer, placed_at) in enumerate(order_plans, start=1):
        order = _make_order(rng, customer, placed_at, today, number=str(700000 + sequence))
        order.shipping_address, order.country = addresses[customer.id], customer.country
        for product in rng.sample(products, k=rng.choice([1, 1, 2, 2, 3, 4])):
            quantity = rng.choice([1, 1, 1, 2, 3])
            order.items.append(OrderItem(product=product, quantity=quantity, unit_price=product.unit_price))
        order.total = sum((item.unit_price * item.quantity for item in order.items), Decimal("0.00"))
        item_count += len(order.items)
        db_session.add(order)
        if order.status == OrderStatus.RETURNED:
            _add_return(db_session, order, reference=f"R{100000 + returns:06d}")
            returns += 1
        elif order.status != OrderStatus.CANCELLED:
            spent[customer.id] = spent.get(customer.id, Decimal(0)) + order.total
    for customer in customers:
        points = int(spent.get(customer.id, 0))
        db_session.add(LoyaltyAccount(customer=customer, points=points, tier=tier_for(points)))
        db_session.add(Consent(customer=customer, purpose="newsletter", granted=rng.random() < 0.4))
    db_session.flush()
    if db_session.get_bind().dialect.name == "postgresql":
        # Customers got explicit ids (customer 1 is the quick-start one): move the id
        # sequence past them, or the next customer created without an id would collide.
        db_session.execute(
            text("SELECT setval(pg_get_serial_sequence('customers', 'id'), (SELECT MAX(id) FROM customers))")
        )
    return {
        "customers": len(customers),
        "products": len(products),
        "orders": len(order_plans),
        "order_items": item_count,
        "returns": returns,
    }


def _add_catalogue(db_session: Session, rng: random.Random) -> list[Product]:
    products = []
    for category_index, (category_name, items) in enumerate(CATALOGUE.items()):
        category = Category(name=category_name)
        for item_index, (name, price) in enumerate(items):
            sku = f"{category_name[:2].upper()}{category_index}{item_index:03d}"
            product = Product(
                sku=sku,
                name=name,
                category=category,
                unit_price=Decimal(f"{price:.2f}"),
                in_stock=rng.random() > 0.1,
                image_url=f"/static/products/{sku}.png",
                description=f"{name}, from our {category_name} range.",
            )
            db_session.add(product)
            products.append(product)
    return products


def _add_customers(db_session: Session, rng: random.Random, count: int) -> list[Customer]:
    customers = []
    for index in range(1, count + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        if index == 1:
            first, last = "Ada", "Lovelace"
        customer = Customer(
            id=index,
            first_name=first,
            last_name=last,
            email=f"{first.lower()}.{last.lower()}.{index}@example.com",
            phone=f"+44 7700 9{index:05d}",
            country=rng.choice(COUNTRIES),
        )
        db_session.add(customer)
        customers.append(customer)
    return customers


def _plan_orders(
    rng: random.Random, customers: list[Customer], today: date, mean_orders: float
) -> list[tuple[Customer, datetime]]:
    plans = []
    for customer in customers:
        if customer.id == 1:
            ages = [1, 4, 30, 95, 200]  # one processing, one shipped, older delivered ones
        else:
            count = max(0, int(rng.expovariate(1 / mean_orders)))
            ages = [rng.randint(0, 540) for _ in range(count)]
        for age in ages:
            moment = datetime.combine(today - timedelta(days=age), time(rng.randint(7, 22), rng.randint(0, 59)))
            plans.append((customer, moment.replace(tzinfo=UTC)))
    return plans


def _make_order(rng: random.Random, customer: Customer, placed_at: datetime, today: date, *, number: str) -> Order:
    age = (today - placed_at.date()).days
    order = Order(number=number, customer_id=customer.id, placed_at=placed_at, currency="EUR", total=Decimal(0))
    order.estimated_delivery = placed_at.date() + timedelta(days=5)
    # Age 0-1: still in the warehouse; 2-5: on its way; older: delivered.
    if age <= 1:
        order.status = OrderStatus.PROCESSING if age == 1 else rng.choice([OrderStatus.PENDING, OrderStatus.PROCESSING])
        return order
    unhappy_allowed = customer.id != 1  # keeps the quick-start customer's states fixed
    if unhappy_allowed and rng.random() < 0.04:
        order.status = OrderStatus.CANCELLED
        return order
    carrier = rng.choice(CARRIERS)
    shipment = Shipment(
        carrier=carrier,
        tracking_number=f"{carrier[:2].upper()}{rng.randint(10**9, 10**10 - 1)}",
        shipped_at=placed_at + timedelta(days=1, hours=rng.randint(1, 20)),
    )
    order.shipments.append(shipment)
    if age <= 5:
        order.status = OrderStatus.SHIPPED
        return order
    shipment.delivered_at = placed_at + timedelta(days=rng.randint(2, 5), hours=rng.randint(1, 10))
    order.status = OrderStatus.RETURNED if unhappy_allowed and rng.random() < 0.05 else OrderStatus.DELIVERED
    return order


def _address(rng: random.Random, customer: Customer) -> str:
    return f"{rng.randint(1, 180)} {rng.choice(STREETS)}, {rng.choice(CITIES)}, {customer.country}"


def _add_return(db_session: Session, order: Order, *, reference: str) -> None:
    """A returned order's paperwork: the return of its first item and a completed refund."""
    item = order.items[0]
    returned_at = (order.shipment.delivered_at if order.shipment else order.placed_at) + timedelta(days=3)
    record = Return(
        reference=reference,
        order=order,
        customer_id=order.customer_id,
        status=ReturnStatus.REFUNDED,
        reason="Did not match the description",
        created_at=returned_at,
    )
    record.items.append(ReturnItem(order_item=item, quantity=item.quantity))
    record.refunds.append(
        Refund(
            order=order,
            amount=item.unit_price * item.quantity,
            status=RefundStatus.COMPLETED,
            created_at=returned_at + timedelta(days=2),
            completed_at=returned_at + timedelta(days=4),
        )
    )
    db_session.add(record)
