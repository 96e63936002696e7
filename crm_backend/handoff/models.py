"""Live handoff: the queue of conversations waiting for a person, agents' replies, and CSAT."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from crm_backend.core.db import Base, UTCDateTime


class InboxStatus(StrEnum):
    """The agents' view of a handed-over conversation (the bot's is `HandoffStatus`)."""

    OPEN = "open"  # needs an agent
    PENDING = "pending"  # waiting for the customer
    RESOLVED = "resolved"  # done; closing the handoff resolves it


class HandoffStatus(StrEnum):
    QUEUED = "queued"  # paused, waiting for an agent
    ACTIVE = "active"  # an agent has claimed it and is talking
    CLOSED = "closed"  # handed back to the bot
    CANCELLED = "cancelled"  # the customer went back to the bot before anyone claimed it


class Handoff(Base):
    """A conversation that the bot handed to a person."""

    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    channel: Mapped[str | None] = mapped_column(String(20))
    # Where the channel delivers agents' replies (Telegram: the chat id), from the bot's last message.
    channel_address: Mapped[str | None] = mapped_column(String(64))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=HandoffStatus.QUEUED, index=True)
    reason: Mapped[str] = mapped_column(String(40))  # customer_asked | bot_failed
    summary: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), server_default=func.now())
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"), index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    inbox_status: Mapped[str] = mapped_column(String(20), default=InboxStatus.OPEN, server_default=InboxStatus.OPEN)
    # The first agent reply: stops the first-response SLA timer.
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class HandoffRead(Base):
    """How far an agent has read a handoff's conversation (a tracker event id): unread counts."""

    __tablename__ = "handoff_reads"

    handoff_id: Mapped[int] = mapped_column(ForeignKey("handoffs.id", ondelete="CASCADE"), primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class CannedReply(Base):
    """A reply agents insert with one click; administrators manage them. `{first_name}` and
    the other `canned.VARIABLES` are filled in for the conversation's customer."""

    __tablename__ = "canned_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(80), unique=True)
    body: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OutboundMessage(Base):
    """An agent's reply waiting to be delivered by a channel bridge (e.g. Telegram)."""

    __tablename__ = "outbound_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    channel: Mapped[str] = mapped_column(String(20), index=True)
    channel_address: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[list | None] = mapped_column(JSON)  # [{"title", "payload"}], e.g. the CSAT question's
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), server_default=func.now())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


class CsatRating(Base):
    """A customer's 1-5 rating at the end of a conversation, for the bot or for a person."""

    __tablename__ = "csat_ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"), index=True)
    score: Mapped[int] = mapped_column(Integer)
    target: Mapped[str] = mapped_column(String(10))  # bot | human
    handoff_id: Mapped[int | None] = mapped_column(ForeignKey("handoffs.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), server_default=func.now())
