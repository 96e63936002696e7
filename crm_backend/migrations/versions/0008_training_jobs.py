"""Retraining runs as a queued job (training_jobs), run by `python -m crm_backend jobs work`
outside the web process.

Revision ID: 0008_training_jobs
Revises: 0007_console_search
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_training_jobs"
down_revision = "0007_console_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "training_jobs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("requested_by", sa.Integer(), sa.ForeignKey("agents.id", ondelete="SET NULL")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("exit_code", sa.Integer()),
        sa.Column("log_tail", sa.Text(), nullable=False),
    )
    op.create_index("ix_training_jobs_state", "training_jobs", ["state"])


def downgrade() -> None:
    op.drop_index("ix_training_jobs_state", table_name="training_jobs")
    op.drop_table("training_jobs")
