"""Results of the analytics jobs that the bot and the agents read."""

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm_backend.core.db import Base, UTCDateTime


class CustomerScore(Base):
    """The latest segment and predictions for a customer, with their reasons."""

    __tablename__ = "customer_scores"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    model_version: Mapped[str] = mapped_column(String(40))
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime())
    segment: Mapped[str | None] = mapped_column(String(40), index=True)
    churn_probability: Mapped[float | None] = mapped_column(Float)
    expected_value: Mapped[float | None] = mapped_column(Float)
    next_purchase_days: Mapped[float | None] = mapped_column(Float)
    top_factors: Mapped[dict | None] = mapped_column(JSON)
    category_needs: Mapped[dict | None] = mapped_column(JSON)


class Recommendation(Base):
    """A product suggested to a customer, with the reason to show them."""

    __tablename__ = "recommendations"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    model_version: Mapped[str] = mapped_column(String(40))


class ConversationInsight(Base):
    """What the conversation analytics found in one conversation: mood and main topic."""

    __tablename__ = "conversation_insights"

    conversation_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    model_version: Mapped[str] = mapped_column(String(40))
    analysed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    messages: Mapped[int] = mapped_column(Integer)
    sentiment: Mapped[float] = mapped_column(Float)  # mean over the customer's messages, in [-1, 1]
    sentiment_label: Mapped[str] = mapped_column(String(20), index=True)
    topic: Mapped[int | None] = mapped_column(Integer, index=True)
    topic_terms: Mapped[str | None] = mapped_column(Text)
