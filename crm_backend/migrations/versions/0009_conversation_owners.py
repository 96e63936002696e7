"""Conversation owners: the first customer verified in a conversation owns it.

No rows are derived here. The conversation summaries' `customer_id` came from the latest
valid token, which an intruder could choose, so it must not become an owner. Owners of older
conversations are recorded from the first valid token stored in Rasa's events, by the
transcript indexer (`crm_backend.transcripts.owners`).

Revision ID: 0009_conversation_owners
Revises: 0008_training_jobs
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_conversation_owners"
# Merged after 0008 (H1's restructure), this points at 0008's revision id instead.
down_revision = "0008_training_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_owners",
        sa.Column("conversation_id", sa.String(255), primary_key=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("channel", sa.String(20)),
        sa.Column("first_verified_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_conversation_owners_customer_id", "conversation_owners", ["customer_id"])


def downgrade() -> None:
    op.drop_table("conversation_owners")
