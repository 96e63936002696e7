"""Reading the analytics results, with sensible fallbacks for customers without any."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_backend.catalogue.models import Product
from crm_backend.insights.models import CustomerScore, Recommendation
from crm_backend.orders.models import Order, OrderItem, OrderStatus

POPULAR_REASON = "popular with other customers right now"


@dataclass(frozen=True)
class Suggestion:
    product: Product
    reason: str
    source: str  # the model version, or "popularity-fallback"


def get_score(*, db_session: Session, customer_id: int) -> CustomerScore | None:
    return db_session.get(CustomerScore, customer_id)


def recommend_for(*, db_session: Session, customer_id: int, limit: int = 3) -> list[Suggestion]:
    """Precomputed recommendations that are in stock; topped up with popular products."""
    statement = (
        select(Recommendation, Product)
        .join(Product, Product.id == Recommendation.product_id)
        .where(Recommendation.customer_id == customer_id, Product.in_stock.is_(True))
        .order_by(Recommendation.rank)
        .limit(limit)
    )
    suggestions = [
        Suggestion(product=product, reason=rec.reason, source=rec.model_version)
        for rec, product in db_session.execute(statement)
    ]
    if len(suggestions) < limit:
        taken = {suggestion.product.id for suggestion in suggestions}
        for product in popular_products(db_session=db_session, exclude_customer_id=customer_id, limit=limit * 2):
            if product.id not in taken and len(suggestions) < limit:
                suggestions.append(Suggestion(product=product, reason=POPULAR_REASON, source="popularity-fallback"))
    return suggestions


def popular_products(
    *, db_session: Session, exclude_customer_id: int | None, limit: int, days: int = 90
) -> list[Product]:
    """In-stock best sellers of the last `days` days that the customer has not bought yet."""
    since = datetime.now(UTC) - timedelta(days=days)
    sold = func.sum(OrderItem.quantity).label("sold")
    statement = (
        select(Product, sold)
        .join(OrderItem, OrderItem.product_id == Product.id)
        .join(Order, Order.id == OrderItem.order_id)
        .where(Order.placed_at >= since, Order.status != OrderStatus.CANCELLED, Product.in_stock.is_(True))
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
