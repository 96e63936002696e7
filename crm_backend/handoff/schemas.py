"""What /bot/handoffs and /bot/csat accept and return."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from crm_backend.core.types import text


class HandoffCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_id: text(255)
    channel: text(20) | None = None
    channel_address: text(64) | None = None
    reason: Literal["customer_asked", "bot_failed"] = "customer_asked"
    summary: text(5000) | None = None


class HandoffRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    conversation_id: str
    channel: str | None
    status: str
    reason: str
    created_at: datetime | None
    position: int | None = None
    expected_wait_minutes: int | None = None


class HandoffPlace(BaseModel):
    """Where a conversation's request for a colleague stands (queued: its place and the wait)."""

    status: Literal["queued", "active", "none"]
    position: int | None = None
    expected_wait_minutes: int | None = None


class HandoffCancel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_id: text(255)


class HandoffCancelled(BaseModel):
    cancelled: bool


class CsatCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_id: text(255)
    score: int = Field(ge=1, le=5)


class CsatRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    conversation_id: str
    score: int
    target: str
    handoff_id: int | None
