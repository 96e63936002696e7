"""What the privacy endpoints return."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


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
    tracker_store: Literal["erased", "not_configured"] = Field(
        description="`erased`: the conversations' events were deleted from Rasa's tracker store "
        "(`rows.tracker_events`); `not_configured`: TRACKER_DB_URL is not set, so the CRM could not "
        "reach the tracker store and the events are still there."
    )
