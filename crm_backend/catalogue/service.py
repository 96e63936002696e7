"""Reading the catalogue."""

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from crm_backend.catalogue.models import Category, Product
from crm_backend.core.errors import NotFound


def find_products(*, db_session: Session, query: str, limit: int = 5) -> list[Product]:
    """Products whose name or category contains `query` (case-insensitive), best matches first."""
    pattern = f"%{query.strip().lower()}%"
    statement = (
        select(Product)
        .outerjoin(Category)
        .where(or_(func.lower(Product.name).like(pattern), func.lower(Category.name).like(pattern)))
        .order_by(func.length(Product.name), Product.name)
        .limit(limit)
    )
    return list(db_session.scalars(statement))


def list_product_names(*, db_session: Session) -> list[str]:
    """Every product name, for the bot's lookup table."""
    return list(db_session.scalars(select(Product.name).order_by(Product.name)))


def list_products(*, db_session: Session, limit: int) -> list[Product]:
    """The first products of the catalogue (by id), e.g. for the demo shop's page."""
    return list(db_session.scalars(select(Product).order_by(Product.id).limit(limit)))


def get_product_by_sku(*, db_session: Session, sku: str) -> Product:
    """The product with this stock code; `NotFound` otherwise."""
    product = db_session.scalars(select(Product).where(Product.sku == sku)).first()
    if product is None:
        raise NotFound("No such product", code="product_not_found")
    return product
