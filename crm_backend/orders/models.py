"""Orders, their items and their shipments."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_backend.catalogue.models import Product
from crm_backend.core.db import Base, UTCDateTime


class OrderStatus(StrEnum):
    """Where an order is in its life."""

    PENDING = "pending"
    PROCESSING = "processing"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    RETURNED = "returned"


# Before dispatch an order can still be cancelled or sent elsewhere.
CHANGEABLE_STATUSES = frozenset({OrderStatus.PENDING, OrderStatus.PROCESSING})


class Order(Base):
    """One purchase, known to the customer by its `number`. Guest orders have no customer."""

    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    estimated_delivery: Mapped[date | None] = mapped_column(Date)
    shipping_address: Mapped[str | None] = mapped_column(Text)
    total: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    country: Mapped[str | None] = mapped_column(String(80))

    items: Mapped[list["OrderItem"]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderItem.id"
    )
    shipments: Mapped[list["Shipment"]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="Shipment.id"
    )

    @property
    def shipment(self) -> "Shipment | None":
        """The latest shipment, if the order has left the warehouse."""
        return self.shipments[-1] if self.shipments else None

    @property
    def is_changeable(self) -> bool:
        return self.status in CHANGEABLE_STATUSES


class OrderItem(Base):
    """A line of an order."""

    __tablename__ = "order_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(Numeric(10, 2))

    order: Mapped[Order] = relationship(back_populates="items")
    product: Mapped[Product] = relationship()


class Shipment(Base):
    """A parcel on its way to the customer."""

    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    carrier: Mapped[str | None] = mapped_column(String(60))
    tracking_number: Mapped[str | None] = mapped_column(String(60))
    shipped_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    order: Mapped[Order] = relationship(back_populates="shipments")
