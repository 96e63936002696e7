"""What /api/customers returns: search results and the 360° view of one customer."""

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from crm_backend.tickets.schemas import TicketSummary


class _FromORM(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class CustomerSummary(_FromORM):
    id: int
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    country: str | None
    created_at: datetime | None


class CustomerPage(BaseModel):
    items: list[CustomerSummary]
    total: int
    page: int
    page_size: int


class CustomerProfile(CustomerSummary):
    external_ref: str | None


class IdentityRead(_FromORM):
    channel: str
    external_id: str
    linked_at: datetime | None


class ConsentRead(_FromORM):
    purpose: str
    granted: bool
    source: str
    updated_at: datetime | None


class LoyaltyRead(_FromORM):
    points: int
    tier: str
    updated_at: datetime | None


class OrderItemRead(BaseModel):
    id: int
    product_id: int
    sku: str
    product_name: str
    quantity: int
    unit_price: Decimal


class ShipmentRead(_FromORM):
    carrier: str | None
    tracking_number: str | None
    shipped_at: datetime
    delivered_at: datetime | None


class OrderRead(BaseModel):
    id: int
    number: str
    status: str
    placed_at: datetime
    estimated_delivery: date | None
    shipping_address: str | None
    total: Decimal
    currency: str
    country: str | None
    items: list[OrderItemRead]
    shipments: list[ShipmentRead]


class RefundRead(_FromORM):
    id: int
    amount: Decimal
    status: str
    created_at: datetime | None
    completed_at: datetime | None


class ReturnItemRead(BaseModel):
    order_item_id: int
    product_name: str
    quantity: int


class ReturnRead(BaseModel):
    id: int
    reference: str
    order_number: str
    status: str
    reason: str | None
    created_at: datetime | None
    items: list[ReturnItemRead]
    refunds: list[RefundRead]


class BotDecisionRead(_FromORM):
    id: int
    conversation_id: str
    decision: str
    reason: str
    created_at: datetime | None


class ScoreRead(_FromORM):
    model_version: str
    scored_at: datetime
    segment: str | None
    churn_probability: float | None
    expected_value: float | None
    next_purchase_days: float | None
    top_factors: dict | list | None
    category_needs: dict | list | None


class RecommendationRead(BaseModel):
    product_id: int
    product_name: str
    rank: int
    score: float
    reason: str
    model_version: str


class Customer360(BaseModel):
    """Everything an agent needs about one customer, on one page."""

    customer: CustomerProfile
    identities: list[IdentityRead]
    consents: list[ConsentRead]
    loyalty: LoyaltyRead | None
    order_count: int
    recent_orders: list[OrderRead]
    returns: list[ReturnRead]
    tickets: list[TicketSummary]
    bot_decisions: list[BotDecisionRead]
    conversation_ids: list[str]
    score: ScoreRead | None
    recommendations: list[RecommendationRead]
