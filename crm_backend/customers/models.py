"""Customers, how they reach us, what they agreed to, and their loyalty account."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_backend.core.db import Base, UTCDateTime


class Customer(Base):
    """A person who buys from the shop."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The id the shop's own systems use (e.g. CustomerID of an imported transaction file).
    external_ref: Mapped[str | None] = mapped_column(String(64), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(255), unique=True)
    phone: Mapped[str | None] = mapped_column(String(40), index=True)
    country: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), server_default=func.now())
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    identities: Mapped[list["ChannelIdentity"]] = relationship(back_populates="customer", cascade="all, delete-orphan")
    consents: Mapped[list["Consent"]] = relationship(back_populates="customer", cascade="all, delete-orphan")
    loyalty: Mapped["LoyaltyAccount | None"] = relationship(
        back_populates="customer", cascade="all, delete-orphan", uselist=False
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class ChannelIdentity(Base):
    """A chat identity linked to a customer, e.g. a Telegram user id or a web visitor id."""

    __tablename__ = "channel_identities"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(128))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime(), server_default=func.now())

    customer: Mapped[Customer] = relationship(back_populates="identities")


class Consent(Base):
    """What a customer agreed to (newsletter, analytics...) and when it last changed."""

    __tablename__ = "consents"
    __table_args__ = (UniqueConstraint("customer_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(40))
    granted: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(40), default="web")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), server_default=func.now())

    customer: Mapped[Customer] = relationship(back_populates="consents")


class LoyaltyAccount(Base):
    """Points and tier of a customer's loyalty membership."""

    __tablename__ = "loyalty_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), unique=True)
    points: Mapped[int] = mapped_column(Integer, default=0)
    tier: Mapped[str] = mapped_column(String(20), default="bronze")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), server_default=func.now())

    customer: Mapped[Customer] = relationship(back_populates="loyalty")
