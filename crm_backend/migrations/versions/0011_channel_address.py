"""Where a channel delivers agents' replies, and the buttons that go with them.

A Telegram conversation id is a keyed hash (protocol.conversations), so the chat to reply
to can no longer be read out of it: the handoff keeps the address the channel gave with the
customer's message (`channel_address`, the chat id), and each outbound message carries it
to the bridge, with the buttons of the message (the satisfaction question's).

Revision ID: 0011_channel_address
Revises: 0009_conversation_owners
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_channel_address"
down_revision = "0009_conversation_owners"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("handoffs") as table:
        table.add_column(sa.Column("channel_address", sa.String(64)))
    with op.batch_alter_table("outbound_messages") as table:
        table.add_column(sa.Column("channel_address", sa.String(64)))
        table.add_column(sa.Column("buttons", sa.JSON()))


def downgrade() -> None:
    with op.batch_alter_table("outbound_messages") as table:
        table.drop_column("buttons")
        table.drop_column("channel_address")
    with op.batch_alter_table("handoffs") as table:
        table.drop_column("channel_address")
