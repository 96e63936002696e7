"""The help centre: articles and what happened when the bot served them.

Revision ID: 0014_kb
Revises: 0013_console_inbox
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_kb"
down_revision = "0013_console_inbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_articles",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("slug", sa.String(80), nullable=False, unique=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("url", sa.String(255), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_table(
        "kb_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("article_id", sa.Integer(), sa.ForeignKey("kb_articles.id", ondelete="CASCADE"), index=True),
        sa.Column("conversation_id", sa.String(100), index=True),
        sa.Column("outcome", sa.String(20), nullable=False, index=True),
        sa.Column("query", sa.Text()),
        sa.Column("score", sa.Float()),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("kb_events")
    op.drop_table("kb_articles")
