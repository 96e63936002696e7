"""The index of conversations built from Rasa's events, for fast listing and filtering."""

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm_backend.core.db import Base


class ConversationSummary(Base):
    """One conversation (a Rasa sender id), summarised from its events; texts are redacted."""

    __tablename__ = "conversation_summaries"
    __table_args__ = (
        Index("ix_conversation_summaries_recent", "last_ts", "conversation_id"),
        Index("ix_conversation_summaries_channel", "channel", "last_ts"),
        Index("ix_conversation_summaries_customer", "customer_id", "last_ts"),
        Index("ix_conversation_summaries_segment", "segment", "last_ts"),
        Index("ix_conversation_summaries_fallback", "had_fallback", "last_ts"),
        Index("ix_conversation_summaries_handoff", "had_handoff", "last_ts"),
        Index("ix_conversation_summaries_csat", "csat", "last_ts"),
        Index("ix_conversation_summaries_confidence", "min_confidence"),
        # Text search (`search_text LIKE '%word%'`) on PostgreSQL: trigrams (migration 0007).
        Index(
            "ix_conversation_summaries_search_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
    )

    conversation_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    channel: Mapped[str | None] = mapped_column(String(20))
    # Not a foreign key: a token may name a customer this CRM no longer (or never) had.
    customer_id: Mapped[int | None] = mapped_column(Integer)
    segment: Mapped[str | None] = mapped_column(String(40))
    started_ts: Mapped[float] = mapped_column(Float)  # epoch seconds, as Rasa stores them
    last_ts: Mapped[float] = mapped_column(Float)
    turns: Mapped[int] = mapped_column(Integer, default=0)
    min_confidence: Mapped[float | None] = mapped_column(Float)
    had_fallback: Mapped[bool] = mapped_column(Boolean, default=False)
    had_handoff: Mapped[bool] = mapped_column(Boolean, default=False)
    csat: Mapped[int | None] = mapped_column(Integer)
    # Space-separated intents of the user messages, and their redacted, lower-cased text.
    intents: Mapped[str] = mapped_column(Text, default="")
    search_text: Mapped[str] = mapped_column(Text, default="")
    first_message: Mapped[str | None] = mapped_column(String(200))
    last_event_id: Mapped[int] = mapped_column(BigInteger, default=0)


class ConversationOrder(Base):
    """An order number mentioned in a conversation (entity `order_id` or six digits)."""

    __tablename__ = "conversation_orders"

    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversation_summaries.conversation_id", ondelete="CASCADE"), primary_key=True
    )
    order_number: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class TranscriptIndexState(Base):
    """How far the indexer has read Rasa's events table (its highest event id)."""

    __tablename__ = "transcript_index_state"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_ts: Mapped[float | None] = mapped_column(Float)
