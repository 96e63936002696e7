"""The agents' live inbox: a status and first-response time per handoff, what each agent has
read, and canned replies.

`inbox_status` (open | pending | resolved) is the agents' view of a conversation, apart from
the handoff's life cycle (queued | active | closed) that the bot drives. `first_response_at`
starts and stops the first-response SLA timer. `handoff_reads` keeps the last tracker event id
an agent has seen of a handoff's conversation, for unread counts.

Revision ID: 0013_console_inbox
Revises: 0012_retention_vouchers
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_console_inbox"
down_revision = "0012_retention_vouchers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("handoffs") as table:
        table.add_column(sa.Column("inbox_status", sa.String(20), nullable=False, server_default="open"))
        table.add_column(sa.Column("first_response_at", sa.DateTime(timezone=True)))
    op.create_table(
        "handoff_reads",
        sa.Column("handoff_id", sa.Integer, sa.ForeignKey("handoffs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("agent_id", sa.Integer, sa.ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("last_event_id", sa.BigInteger, nullable=False, server_default="0"),
    )
    op.create_table(
        "canned_replies",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(80), nullable=False, unique=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("agents.id", ondelete="SET NULL")),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("canned_replies")
    op.drop_table("handoff_reads")
    with op.batch_alter_table("handoffs") as table:
        table.drop_column("first_response_at")
        table.drop_column("inbox_status")
