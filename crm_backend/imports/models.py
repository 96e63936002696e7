"""What the transaction importer adds to the CRM model: non-product lines of an order."""

from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_backend.core.db import Base
from crm_backend.orders.models import Order


class OrderCharge(Base):
    """A line of an order that is not a product: postage, a fee, a discount, a manual adjustment.

    Identified within its order by (code, quantity, unit_amount), like an order item is by
    (product, quantity, unit price): the importer merges a line it has already stored.
    """

    __tablename__ = "order_charges"
    __table_args__ = (UniqueConstraint("order_id", "code", "quantity", "unit_amount", name="uq_order_charges_line"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    # The shop's own code (POST, M, BANK CHARGES...) and what kind of charge it is.
    code: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    description: Mapped[str | None] = mapped_column(String(255))
    quantity: Mapped[int] = mapped_column(Integer)
    # Three decimals: some fees are fractions of a penny. Negative for credits such as bad debt.
    unit_amount: Mapped[Decimal] = mapped_column(Numeric(12, 3))

    order: Mapped[Order] = relationship()

    @property
    def amount(self) -> Decimal:
        return self.quantity * self.unit_amount
