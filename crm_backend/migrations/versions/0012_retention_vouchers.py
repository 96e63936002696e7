"""Retention vouchers: a unique, expiring, single-use code per offer (was one shared code).

Revision ID: 0012_retention_vouchers
Revises: 0011_channel_address
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_retention_vouchers"
down_revision = "0011_channel_address"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "retention_vouchers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(20), nullable=False, unique=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("percent_off", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("redeemed_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_retention_vouchers_customer_id", "retention_vouchers", ["customer_id"])


def downgrade() -> None:
    op.drop_table("retention_vouchers")
