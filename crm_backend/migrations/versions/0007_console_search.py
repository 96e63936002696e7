"""Console search on PostgreSQL: a trigram index for text search, statistics for the intent filter.

- Text search is `search_text LIKE '%words%'` (the column and the typed words are
  lower-cased), which no B-tree can serve: at 100,000 conversations a rare word scanned
  every row. A GIN index with `gin_trgm_ops` (extension pg_trgm) answers LIKE and ILIKE
  with a leading wildcard from the pattern's trigrams (3 characters or more). Common words
  still walk `ix_conversation_summaries_recent` and stop after one page.
- The intent filter is `(' ' || intents || ' ') LIKE '% name %'`. Without statistics on that
  expression the planner guessed a handful of matches and sorted the whole table instead of
  walking the recent index; statistics on the expression (PostgreSQL 14+) fix the estimate.

SQLite has neither: there the migration does nothing. pg_trgm is a trusted extension
(PostgreSQL 13+), so a database owner without superuser rights may create it. The downgrade
drops the index and the statistics but keeps the extension, which other objects may use.

Revision ID: 0007_console_search
Revises: 0006_conversation_insights
Create Date: 2026-11-23
"""

from alembic import op

revision = "0007_console_search"
down_revision = "0006_conversation_insights"
branch_labels = None
depends_on = None

TRIGRAM_INDEX = "ix_conversation_summaries_search_trgm"
INTENT_STATISTICS = "st_conversation_summaries_intent_words"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index(
        TRIGRAM_INDEX,
        "conversation_summaries",
        ["search_text"],
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )
    # The same expression as ConversationFilters.conditions() builds for the intent filter.
    op.execute(f"CREATE STATISTICS {INTENT_STATISTICS} ON ((' ' || intents || ' ')) FROM conversation_summaries")
    op.execute("ANALYZE conversation_summaries")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP STATISTICS IF EXISTS {INTENT_STATISTICS}")
    op.drop_index(TRIGRAM_INDEX, table_name="conversation_summaries")
