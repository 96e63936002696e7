"""Transaction imports: the non-product lines of an order (postage, fees, discounts, adjustments).

Revision ID: 0003_imports
Revises: 0002_crm_model
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_imports"
down_revision = "0002_crm_model"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "order_charges",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "order_id",
            sa.Integer(),
            sa.ForeignKey("orders.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False, index=True),
        sa.Column("description", sa.String(255)),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_amount", sa.Numeric(12, 3), nullable=False),
        sa.UniqueConstraint("order_id", "code", "quantity", "unit_amount", name="uq_order_charges_line"),
    )


def downgrade() -> None:
    op.drop_table("order_charges")
