"""What the action server receives from /bot/*: only what a reply needs."""

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict


class BotCustomer(BaseModel):
    """The verified customer, as the bot may address them."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    first_name: str
    last_name: str


class BotOrderItem(BaseModel):
    product_name: str
    sku: str
    quantity: int
    unit_price: Decimal


class BotOrder(BaseModel):
    number: str
    status: str
    placed_at: datetime
    shipped_at: datetime | None
    delivered_at: datetime | None
    estimated_delivery: date | None
    carrier: str | None
    tracking_number: str | None
    total: Decimal
    currency: str
    items: list[BotOrderItem]


class BotOrderList(BaseModel):
    customer: BotCustomer
    orders: list[BotOrder]


class BotOrderAnswer(BaseModel):
    customer: BotCustomer
    order: BotOrder
