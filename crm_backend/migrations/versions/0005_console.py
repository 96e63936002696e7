"""Agent console: conversation index, NLU annotations, notes and tags.

Revision ID: 0005_console
Revises: 0004_channels_handoff
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_console"
down_revision = "0004_channels_handoff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_summaries",
        sa.Column("conversation_id", sa.String(255), primary_key=True),
        sa.Column("channel", sa.String(20)),
        sa.Column("customer_id", sa.Integer()),
        sa.Column("segment", sa.String(40)),
        sa.Column("started_ts", sa.Float(), nullable=False),
        sa.Column("last_ts", sa.Float(), nullable=False),
        sa.Column("turns", sa.Integer(), nullable=False),
        sa.Column("min_confidence", sa.Float()),
        sa.Column("had_fallback", sa.Boolean(), nullable=False),
        sa.Column("had_handoff", sa.Boolean(), nullable=False),
        sa.Column("csat", sa.Integer()),
        sa.Column("intents", sa.Text(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("first_message", sa.String(200)),
        sa.Column("last_event_id", sa.BigInteger(), nullable=False),
    )
    for name, columns in {
        "recent": ["last_ts", "conversation_id"],
        "channel": ["channel", "last_ts"],
        "customer": ["customer_id", "last_ts"],
        "segment": ["segment", "last_ts"],
        "fallback": ["had_fallback", "last_ts"],
        "handoff": ["had_handoff", "last_ts"],
        "csat": ["csat", "last_ts"],
        "confidence": ["min_confidence"],
    }.items():
        op.create_index(f"ix_conversation_summaries_{name}", "conversation_summaries", columns)
    op.create_table(
        "conversation_orders",
        sa.Column(
            "conversation_id",
            sa.String(255),
            sa.ForeignKey("conversation_summaries.conversation_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("order_number", sa.String(40), primary_key=True),
    )
    op.create_index("ix_conversation_orders_order_number", "conversation_orders", ["order_number"])
    op.create_table(
        "transcript_index_state",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("last_event_id", sa.BigInteger(), nullable=False),
        sa.Column("updated_ts", sa.Float()),
    )
    op.create_table(
        "nlu_annotations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False, unique=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("predicted_intent", sa.String(100)),
        sa.Column("predicted_confidence", sa.Float()),
        sa.Column("intent", sa.String(100), nullable=False),
        sa.Column("entities", sa.JSON(), nullable=False),
        sa.Column("agent_id", sa.Integer(), sa.ForeignKey("agents.id", ondelete="SET NULL")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("exported_at", sa.DateTime(timezone=True)),
    )
    for column in ("conversation_id", "intent", "exported_at"):
        op.create_index(f"ix_nlu_annotations_{column}", "nlu_annotations", [column])
    op.create_table(
        "conversation_notes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("agent_id", sa.Integer(), sa.ForeignKey("agents.id", ondelete="SET NULL")),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_conversation_notes_conversation_id", "conversation_notes", ["conversation_id"])
    op.create_table(
        "conversation_tags",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("tag", sa.String(40), nullable=False),
        sa.Column("agent_id", sa.Integer(), sa.ForeignKey("agents.id", ondelete="SET NULL")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("conversation_id", "tag", name="uq_conversation_tags"),
    )
    op.create_index("ix_conversation_tags_conversation_id", "conversation_tags", ["conversation_id"])
    op.create_index("ix_conversation_tags_tag", "conversation_tags", ["tag"])


def downgrade() -> None:
    for table in (
        "conversation_tags",
        "conversation_notes",
        "nlu_annotations",
        "transcript_index_state",
        "conversation_orders",
        "conversation_summaries",
    ):
        op.drop_table(table)
