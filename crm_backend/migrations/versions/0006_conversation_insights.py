"""Conversation analytics per conversation: sentiment and main topic.

Revision ID: 0006_conversation_insights
Revises: 0005_console
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_conversation_insights"
down_revision = "0005_console"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_insights",
        sa.Column("conversation_id", sa.String(255), primary_key=True),
        sa.Column("model_version", sa.String(40), nullable=False),
        sa.Column("analysed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("sentiment", sa.Float(), nullable=False),
        sa.Column("sentiment_label", sa.String(20), nullable=False),
        sa.Column("topic", sa.Integer()),
        sa.Column("topic_terms", sa.Text()),
    )
    op.create_index("ix_conversation_insights_sentiment_label", "conversation_insights", ["sentiment_label"])
    op.create_index("ix_conversation_insights_topic", "conversation_insights", ["topic"])


def downgrade() -> None:
    op.drop_table("conversation_insights")
