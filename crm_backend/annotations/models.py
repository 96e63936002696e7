"""Corrections of the bot's understanding, and agents' notes and tags on conversations."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm_backend.core.db import Base, UTCDateTime


class NluAnnotation(Base):
    """The right intent (and entities) of one user message the bot misunderstood."""

    __tablename__ = "nlu_annotations"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    # The id of the user event in Rasa's tracker store; one annotation per message.
    event_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    text: Mapped[str] = mapped_column(Text)  # redacted; entity offsets refer to this text
    predicted_intent: Mapped[str | None] = mapped_column(String(100))
    predicted_confidence: Mapped[float | None] = mapped_column(Float)
    intent: Mapped[str] = mapped_column(String(100), index=True)
    entities: Mapped[list] = mapped_column(JSON, default=list)  # [{start, end, entity, value}]
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    exported_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


class ConversationNote(Base):
    """An agent's internal note on a conversation (never shown to the customer)."""

    __tablename__ = "conversation_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ConversationTag(Base):
    """A label on a conversation ("refund", "bug", "training"), for finding it again."""

    __tablename__ = "conversation_tags"
    __table_args__ = (UniqueConstraint("conversation_id", "tag", name="uq_conversation_tags"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    tag: Mapped[str] = mapped_column(String(40), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TrainingJob(Base):
    """A request to retrain the bot, queued by an administrator and run by the job worker
    (`python -m crm_backend jobs work`), never by the web process."""

    __tablename__ = "training_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(20), index=True)  # queued | running | succeeded | failed
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    exit_code: Mapped[int | None] = mapped_column()
    log_tail: Mapped[str] = mapped_column(Text, default="")
