"""What the CRM records about a conversation: its owner, and the bot's choices in it."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from crm_backend.core.db import Base, UTCDateTime


class ConversationOwner(Base):
    """The customer a conversation belongs to: the first one verified in it, for good.

    A later token for someone else in the same conversation is refused, so it can never
    relabel the conversation (and so never reach the owner's data, or put the owner's messages
    into someone else's export or erasure). The primary key is what makes concurrent first
    claims end with one owner."""

    __tablename__ = "conversation_owners"

    conversation_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    # Rasa's input channel of the first verified message (protocol.metadata.CHANNELS), if known.
    channel: Mapped[str | None] = mapped_column(String(20))
    first_verified_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BotDecision(Base):
    """One personalised choice (tone, offer, recommendation) with its reason."""

    __tablename__ = "bot_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    decision: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), server_default=func.now())
