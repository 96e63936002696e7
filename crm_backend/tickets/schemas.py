"""What /api/tickets accepts and returns."""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from crm_backend.core.types import MAX_ID, text
from crm_backend.tickets.models import TicketStatus

MAX_MESSAGE_CHARS = 10_000


class TicketPriority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class TicketCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    subject: text(200)
    category: text(40)
    body: text(MAX_MESSAGE_CHARS)
    priority: TicketPriority = TicketPriority.NORMAL
    channel: text(20) | None = None
    conversation_id: text(255) | None = None


class TicketAssign(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agent_id: int = Field(ge=1, le=MAX_ID)


class CommentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: text(MAX_MESSAGE_CHARS)


class TicketMessageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    author_type: str
    author_agent_id: int | None
    body: str
    created_at: datetime | None


class TicketSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: int | None
    subject: str
    category: str
    status: TicketStatus
    priority: str
    channel: str | None
    conversation_id: str | None
    assignee_id: int | None
    created_at: datetime | None
    updated_at: datetime | None
    closed_at: datetime | None


class TicketRead(TicketSummary):
    messages: list[TicketMessageRead]


class TicketPage(BaseModel):
    items: list[TicketSummary]
    total: int
    page: int
    page_size: int
