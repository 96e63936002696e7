"""What the privacy endpoints return."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class CustomerExport(BaseModel):
    """Every row that concerns the customer, keyed by table; orders, returns and tickets
    carry their items, shipments and messages. Rows hold every column of their table."""

    model_config = ConfigDict(extra="allow")

    exported_at: datetime
    customer_id: int
    customers: dict
    channel_identities: list[dict]
    consents: list[dict]
    loyalty_accounts: list[dict]
    orders: list[dict]
    returns: list[dict]
    refunds: list[dict]
    tickets: list[dict]
    bot_decisions: list[dict]
    customer_scores: dict | None
    recommendations: list[dict]
    audit_log: list[dict]


class ErasureResult(BaseModel):
    customer_id: int
    erased_at: datetime
    rows: dict[str, int]
