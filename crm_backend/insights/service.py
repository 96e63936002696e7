"""Reading the analytics results, with sensible fallbacks for customers without any."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_backend.catalogue.models import Category, Product
from crm_backend.insights.models import CustomerScore, Recommendation
from crm_backend.orders.models import Order, OrderItem, OrderStatus

POPULAR_REASON = "popular with other customers right now"
MATCH_REASON = "matches what you asked for"


@dataclass(frozen=True)
class Wish:
    """What the customer asked for: a category and a budget (either may be None)."""

    category: str | None = None
    max_price: Decimal | None = None

    def conditions(self) -> list:
        found = []
        if self.category:
            found.append(Product.category.has(func.lower(Category.name) == self.category.lower()))
        if self.max_price is not None:
            found.append(Product.unit_price <= self.max_price)
        return found


@dataclass(frozen=True)
class Suggestion:
    product: Product
    reason: str
    source: str  # the model version, or "popularity-fallback"


def get_score(*, db_session: Session, customer_id: int) -> CustomerScore | None:
    return db_session.get(CustomerScore, customer_id)


def recommend_for(
    *, db_session: Session, customer_id: int, limit: int = 3, wish: Wish | None = None
) -> list[Suggestion]:
    """Precomputed recommendations that are in stock and fit the wish (category, budget); topped
    up with popular products, then with any product that fits."""
    wish = wish or Wish()
    statement = (
        select(Recommendation, Product)
        .join(Product, Product.id == Recommendation.product_id)
        .where(Recommendation.customer_id == customer_id, Product.in_stock.is_(True), *wish.conditions())
        .order_by(Recommendation.rank)
        .limit(limit)
    )
    suggestions = [
        Suggestion(product=product, reason=rec.reason, source=rec.model_version)
        for rec, product in db_session.execute(statement)
    ]
    if len(suggestions) < limit:
        taken = {suggestion.product.id for suggestion in suggestions}
        popular = popular_products(db_session=db_session, exclude_customer_id=customer_id, limit=limit * 2, wish=wish)
        for product in popular:
            if product.id not in taken and len(suggestions) < limit:
                taken.add(product.id)
                suggestions.append(Suggestion(product=product, reason=POPULAR_REASON, source="popularity-fallback"))
    if len(suggestions) < limit and wish.conditions():
        fitting = select(Product).where(Product.in_stock.is_(True), *wish.conditions()).order_by(Product.unit_price)
        for product in db_session.scalars(fitting.limit(limit * 3)):
            if product.id not in taken and len(suggestions) < limit:
                taken.add(product.id)
                suggestions.append(Suggestion(product=product, reason=MATCH_REASON, source="catalogue-match"))
    return suggestions


def popular_products(
    *, db_session: Session, exclude_customer_id: int | None, limit: int, days: int = 90, wish: Wish | None = None
) -> list[Product]:
    """In-stock best sellers of the last `days` days that the customer has not bought yet."""
    since = datetime.now(UTC) - timedelta(days=days)
    sold = func.sum(OrderItem.quantity).label("sold")
    statement = (
        select(Product, sold)
        .join(OrderItem, OrderItem.product_id == Product.id)
        .join(Order, Order.id == OrderItem.order_id)
        .where(Order.placed_at >= since, Order.status != OrderStatus.CANCELLED, Product.in_stock.is_(True))
        .where(*(wish or Wish()).conditions())
        .group_by(Product.id)
        .order_by(sold.desc(), Product.id)
        .limit(limit)
    )
    if exclude_customer_id is not None:
        bought = (
            select(OrderItem.product_id)
            .join(Order, Order.id == OrderItem.order_id)
            .where(Order.customer_id == exclude_customer_id)
        )
        statement = statement.where(Product.id.not_in(bought))
    return [product for product, _sold in db_session.execute(statement)]
