"""Reading customers: one by id, search, and the pieces of the agents' 360° view."""

import re
from datetime import UTC, datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from crm_backend.catalogue.models import Product
from crm_backend.conversations.models import BotDecision
from crm_backend.core.errors import NotFound
from crm_backend.customers.models import Consent, Customer
from crm_backend.insights.models import CustomerScore, Recommendation
from crm_backend.orders.models import Order
from crm_backend.tickets.models import Ticket

# A phone search needs this many digits, so that "1" does not match every number.
MIN_PHONE_DIGITS = 4


class CustomerNotFound(NotFound):
    code = "customer_not_found"
    message = "No such customer."


def get_customer(*, db_session: Session, customer_id: int) -> Customer | None:
    """The customer with this id, or None."""
    return db_session.get(Customer, customer_id)


def get_customer_or_raise(*, db_session: Session, customer_id: int, erased_too: bool = False) -> Customer:
    """The customer with this id; `CustomerNotFound` if unknown (or erased, unless `erased_too`)."""
    customer = get_customer(db_session=db_session, customer_id=customer_id)
    if customer is None or (customer.erased_at is not None and not erased_too):
        raise CustomerNotFound()
    return customer


def _contains(column, needle: str):
    """Case-insensitive "column contains needle", with LIKE's wildcards taken literally."""
    escaped = needle.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")


def _search_condition(query: str):
    words = query.split()
    # Every word in a first or last name: "ada love" finds Ada Lovelace.
    by_name = [or_(_contains(Customer.first_name, word), _contains(Customer.last_name, word)) for word in words]
    conditions = [_contains(Customer.email, query)]
    if words:
        conditions.append(and_(*by_name))
    digits = re.sub(r"\D", "", query)
    if len(digits) >= MIN_PHONE_DIGITS and re.fullmatch(r"[\d\s+()./-]+", query):
        bare_phone = func.replace(func.replace(func.replace(Customer.phone, " ", ""), "-", ""), "+", "")
        conditions.append(bare_phone.like(f"%{digits}%"))
    conditions.append(Customer.id.in_(select(Order.customer_id).where(Order.number == query)))
    return or_(*conditions)


def search_customers(*, db_session: Session, query: str | None, offset: int, limit: int) -> tuple[list[Customer], int]:
    """A page of customers (never erased ones) whose name, email, phone or order number match."""
    conditions = [Customer.erased_at.is_(None)]
    if query and query.strip():
        conditions.append(_search_condition(query.strip()))
    total = db_session.scalar(select(func.count()).select_from(Customer).where(*conditions)) or 0
    statement = (
        select(Customer)
        .where(*conditions)
        .order_by(Customer.last_name, Customer.first_name, Customer.id)
        .offset(offset)
        .limit(limit)
    )
    return list(db_session.scalars(statement)), total


def load_profile(*, db_session: Session, customer_id: int) -> Customer | None:
    """The customer with identities, consents and loyalty account loaded."""
    statement = (
        select(Customer)
        .where(Customer.id == customer_id)
        .options(selectinload(Customer.identities), selectinload(Customer.consents), selectinload(Customer.loyalty))
    )
    return db_session.scalars(statement).one_or_none()


def count_orders(*, db_session: Session, customer_id: int) -> int:
    statement = select(func.count()).select_from(Order).where(Order.customer_id == customer_id)
    return db_session.scalar(statement) or 0


def list_bot_decisions(*, db_session: Session, customer_id: int, limit: int | None) -> list[BotDecision]:
    statement = (
        select(BotDecision).where(BotDecision.customer_id == customer_id).order_by(BotDecision.id.desc()).limit(limit)
    )
    return list(db_session.scalars(statement))


def list_conversation_ids(*, db_session: Session, customer_id: int) -> list[str]:
    """Every conversation known to concern the customer, from tickets and bot decisions."""
    from_tickets = select(Ticket.conversation_id).where(
        Ticket.customer_id == customer_id, Ticket.conversation_id.is_not(None)
    )
    from_decisions = select(BotDecision.conversation_id).where(BotDecision.customer_id == customer_id)
    return sorted(set(db_session.scalars(from_tickets)) | set(db_session.scalars(from_decisions)))


def get_score(*, db_session: Session, customer_id: int) -> CustomerScore | None:
    return db_session.get(CustomerScore, customer_id)


def list_recommendations(*, db_session: Session, customer_id: int) -> list[tuple[Recommendation, str]]:
    """The customer's recommendations, best first, each with its product's name."""
    statement = (
        select(Recommendation, Product.name)
        .join(Product, Product.id == Recommendation.product_id)
        .where(Recommendation.customer_id == customer_id)
        .order_by(Recommendation.rank, Recommendation.id)
    )
    return [(recommendation, name) for recommendation, name in db_session.execute(statement)]


def set_consent(*, db_session: Session, customer: Customer, purpose: str, granted: bool, source: str) -> Consent:
    """Record that the customer gave or withdrew consent for `purpose` (one row per purpose)."""
    consent = next((c for c in customer.consents if c.purpose == purpose), None)
    if consent is None:
        consent = Consent(customer_id=customer.id, purpose=purpose, granted=granted, source=source)
        customer.consents.append(consent)
    consent.granted = granted
    consent.source = source
    consent.updated_at = datetime.now(UTC)
    db_session.flush()
    return consent
