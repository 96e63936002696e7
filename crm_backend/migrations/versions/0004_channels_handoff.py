"""Channel linking codes, live handoff queue, agents' outbound messages and CSAT ratings.

Revision ID: 0004_channels_handoff
Revises: 0003_imports
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_channels_handoff"
down_revision = "0003_imports"
branch_labels = None
depends_on = None


def _now(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable, server_default=sa.func.now())


def upgrade() -> None:
    op.create_table(
        "link_codes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        _now("created_at"),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_link_codes_customer_id", "link_codes", ["customer_id"])
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("channel", sa.String(20)),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id", ondelete="SET NULL")),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("summary", sa.Text()),
        _now("created_at"),
        sa.Column("claimed_at", sa.DateTime(timezone=True)),
        sa.Column("agent_id", sa.Integer(), sa.ForeignKey("agents.id", ondelete="SET NULL")),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
    )
    for column in ("conversation_id", "customer_id", "status", "agent_id"):
        op.create_index(f"ix_handoffs_{column}", "handoffs", [column])
    op.create_table(
        "outbound_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("agent_id", sa.Integer(), sa.ForeignKey("agents.id", ondelete="SET NULL")),
        _now("created_at"),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
    )
    for column in ("conversation_id", "channel", "delivered_at"):
        op.create_index(f"ix_outbound_messages_{column}", "outbound_messages", [column])
    op.create_table(
        "csat_ratings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id", ondelete="SET NULL")),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(10), nullable=False),
        sa.Column("handoff_id", sa.Integer(), sa.ForeignKey("handoffs.id", ondelete="SET NULL")),
        _now("created_at"),
    )
    op.create_index("ix_csat_ratings_conversation_id", "csat_ratings", ["conversation_id"])
    op.create_index("ix_csat_ratings_customer_id", "csat_ratings", ["customer_id"])


def downgrade() -> None:
    for table in ("csat_ratings", "outbound_messages", "handoffs", "link_codes"):
        op.drop_table(table)
