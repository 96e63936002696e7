"""Help-centre articles, and what happened when the bot served one."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from crm_backend.core.db import Base, UTCDateTime


class Article(Base):
    """One help-centre article, known by its `slug` (its file name and the end of its URL).

    `content_hash` covers everything an import can change, so importing the same folder twice
    writes nothing; `revision` grows on every change so that each process's search index can
    tell that it is stale with one cheap query.
    """

    __tablename__ = "kb_articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    questions: Mapped[list[str]] = mapped_column(JSON, default=list)
    body: Mapped[str] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(8), default="en")
    url: Mapped[str] = mapped_column(String(255))
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    content_hash: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), server_default=func.now(), onupdate=func.now())


class Outcome(StrEnum):
    SERVED = "served"  # a confident answer quoted the article
    SUGGESTED = "suggested"  # offered among "Did you mean…"
    HELPFUL = "helpful"
    NOT_HELPFUL = "not_helpful"
    HANDOFF = "handoff"  # the customer asked for a human after the answer
    UNANSWERED = "unanswered"  # nothing was confident enough; `query` keeps the (redacted) question


class ArticleEvent(Base):
    """One thing that happened to an answer: served, clicked helpful or not, handed off, unanswered."""

    __tablename__ = "kb_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[str | None] = mapped_column(String(100), index=True)
    outcome: Mapped[str] = mapped_column(String(20), index=True)
    query: Mapped[str | None] = mapped_column(Text)  # redacted
    score: Mapped[float | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), server_default=func.now())
