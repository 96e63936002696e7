"""What the action server receives from /bot/*: only what a reply needs."""

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from crm_backend.core.types import text


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
    shipping_address: str | None = None
    changeable: bool = False
    items: list[BotOrderItem]


class BotOrderList(BaseModel):
    customer: BotCustomer
    orders: list[BotOrder]


class BotOrderAnswer(BaseModel):
    customer: BotCustomer
    order: BotOrder


class BotLoyalty(BaseModel):
    """The customer's tier as the CRM decides it, and how far the next tier is."""

    model_config = ConfigDict(from_attributes=True)

    points: int
    tier: str
    next_tier: str | None = None
    points_to_next_tier: int | None = None


class BotGreeting(BaseModel):
    """How to welcome the customer: `vip` or `personal`, and why."""

    model_config = ConfigDict(from_attributes=True)

    style: str
    reason: str
    tier: str | None


class BotInsights(BaseModel):
    """What the analytics know about the customer, and why."""

    model_config = ConfigDict(from_attributes=True)

    segment: str | None
    churn_probability: float | None
    expected_value: float | None
    top_factors: dict | list | None
    model_version: str


class BotProfile(BaseModel):
    customer: BotCustomer
    email: str | None = None  # the customer's own, so the bot can tell it from someone else's
    loyalty: BotLoyalty | None
    insights: BotInsights | None
    newsletter: bool
    greeting: BotGreeting


class BotVoucher(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    percent_off: int


class BotRetentionOffer(BaseModel):
    """Whether to offer the customer something to stay, which voucher, and why."""

    applies: bool
    voucher: BotVoucher | None
    reason: str


class BotReturnEligibility(BaseModel):
    """Whether an order may be returned; `verdict` is eligible, not_delivered, window_closed
    or already_requested; `deadline` is the end of the return window once delivered."""

    order_number: str
    order_status: str
    eligible: bool
    verdict: str
    window_days: int
    deadline: datetime | None


class BotPaymentMethod(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    key: str
    label: str


class BotPaymentMethods(BaseModel):
    """The accepted methods; with `method`, whether the named one is accepted, not accepted
    or unknown (`verdict`)."""

    verdict: str
    method: BotPaymentMethod | None
    accepted: list[BotPaymentMethod]


class BotRefund(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    amount: Decimal
    status: str
    created_at: datetime
    completed_at: datetime | None


class BotReturn(BaseModel):
    reference: str
    order_number: str
    status: str
    created_at: datetime
    refunds: list[BotRefund]


class BotReturnList(BaseModel):
    customer: BotCustomer
    returns: list[BotReturn]


class BotCancellation(BaseModel):
    order: BotOrder
    refund: BotRefund


class BotProduct(BaseModel):
    sku: str
    name: str
    category: str | None
    unit_price: Decimal
    in_stock: bool
    image_url: str | None
    description: str | None


class BotRecommendation(BaseModel):
    product: BotProduct
    reason: str
    source: str


class BotTicket(BaseModel):
    """The ticket kept for the issue (`opened` or `updated`), or why none was needed
    (`not_due`: the parcel is not late yet, `not_changeable`: the order has left): then no id."""

    model_config = ConfigDict(from_attributes=True)

    id: int | None = None
    category: str | None = None
    status: str | None = None
    outcome: str = "opened"
    order_number: str | None = None
    order_status: str | None = None
    expected_on: date | None = None


class AddressChange(BaseModel):
    address: text(300, min_length=10)


class ReturnRequest(BaseModel):
    order_number: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9-]+$")
    reason: text(1000, min_length=2)
    skus: list[text(40)] | None = Field(default=None, max_length=50)


class ConsentChange(BaseModel):
    granted: bool


class TicketRequest(BaseModel):
    category: str = Field(pattern=r"^[a-z_]{2,40}$")
    subject: text(200, min_length=2)
    body: text(5000)
    channel: text(20) | None = None
    conversation_id: text(255) | None = None
    priority: str = Field(default="normal", pattern=r"^(low|normal|high)$")
    # The order the issue is about (only a verified customer's own counts) and its kind, so
    # the CRM can check the facts first (tickets/judgement.py): "late" is checked against the date.
    order_number: str | None = Field(default=None, max_length=40, pattern=r"^[A-Za-z0-9-]+$")
    issue: str | None = Field(default=None, pattern=r"^[a-z_]{2,40}$")


class DecisionRequest(BaseModel):
    conversation_id: text(255)
    decision: text(60)
    reason: text(2000)


class BotArticleHit(BaseModel):
    """One help-centre article for a question: what the bot needs to answer or ask "did you mean"."""

    slug: str
    title: str
    url: str
    score: float
    field: str  # title, question or passage: what matched best
    passage: str  # the body passage closest to the question, in Markdown
