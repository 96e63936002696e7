"""/bot/products and /bot/recommendations."""

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query

from crm_backend.bot_api.deps import VerifiedCustomer
from crm_backend.bot_api.schemas import BotProduct, BotRecommendation
from crm_backend.bot_api.views import product_view
from crm_backend.catalogue.service import find_products
from crm_backend.core.deps import SessionDep
from crm_backend.core.types import text
from crm_backend.insights.service import POPULAR_REASON, Wish, popular_products, recommend_for

router = APIRouter()


@router.get("/products", response_model=list[BotProduct])
def search_products(
    db_session: SessionDep,
    q: Annotated[text(100, min_length=2), Query()],
    limit: Annotated[int, Query(ge=1, le=10)] = 3,
) -> list[BotProduct]:
    """Catalogue facts anyone may ask about: price, availability, details."""
    return [product_view(p) for p in find_products(db_session=db_session, query=q, limit=limit)]


@router.get("/recommendations", response_model=list[BotRecommendation])
def read_recommendations(
    customer: VerifiedCustomer,
    db_session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=10)] = 3,
    category: Annotated[text(80) | None, Query()] = None,
    max_price: Annotated[Decimal | None, Query(gt=0, le=100000)] = None,
) -> list[BotRecommendation]:
    """Personal suggestions with the reason to show, in the category and budget asked for;
    popular products when there are none."""
    wish = Wish(category=category, max_price=max_price)
    return [
        BotRecommendation(product=product_view(s.product), reason=s.reason, source=s.source)
        for s in recommend_for(db_session=db_session, customer_id=customer.id, limit=limit, wish=wish)
    ]


@router.get("/popular", response_model=list[BotRecommendation])
def read_popular(
    db_session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=10)] = 3,
    category: Annotated[text(80) | None, Query()] = None,
    max_price: Annotated[Decimal | None, Query(gt=0, le=100000)] = None,
) -> list[BotRecommendation]:
    """Best sellers (in the category and budget asked for), for visitors who have not identified."""
    wish = Wish(category=category, max_price=max_price)
    products = popular_products(db_session=db_session, exclude_customer_id=None, limit=limit, wish=wish)
    return [BotRecommendation(product=product_view(p), reason=POPULAR_REASON, source="popularity") for p in products]
