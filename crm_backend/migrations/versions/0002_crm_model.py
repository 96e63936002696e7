"""The full CRM model: identities, consents, loyalty, categories, shipments, returns,
refunds, tickets, agents, audit log, analytics results and bot decisions.

Existing rows are carried over: product categories become rows of `categories`, and the
shipping facts of each order become its first shipment.

Revision ID: 0002_crm_model
Revises: 0001_foundation
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_crm_model"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def _timestamp(name: str, nullable: bool = True, default_now: bool = False) -> sa.Column:
    return sa.Column(
        name,
        sa.DateTime(timezone=True),
        nullable=nullable,
        server_default=sa.func.now() if default_now else None,
    )


def _customer_fk(nullable: bool = False, **column_options) -> sa.Column:
    return sa.Column(
        "customer_id",
        sa.Integer(),
        sa.ForeignKey("customers.id", ondelete="CASCADE"),
        nullable=nullable,
        **column_options,
    )


def upgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("external_ref", sa.String(64)))
        batch.add_column(_timestamp("erased_at"))
        batch.create_unique_constraint("uq_customers_external_ref", ["external_ref"])
        batch.create_index("ix_customers_phone", ["phone"])

    op.create_table(
        "categories",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(80), nullable=False, unique=True),
    )
    op.execute("INSERT INTO categories (name) SELECT DISTINCT category FROM products ORDER BY category")
    op.drop_index("ix_products_category", table_name="products")
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("category_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("image_url", sa.String(500)))
        batch.add_column(sa.Column("description", sa.String(1000)))
    op.execute(
        "UPDATE products SET category_id = "
        "(SELECT categories.id FROM categories WHERE categories.name = products.category)"
    )
    with op.batch_alter_table("products") as batch:
        batch.drop_column("category")
        batch.create_foreign_key("fk_products_category_id", "categories", ["category_id"], ["id"])
        batch.create_index("ix_products_category_id", ["category_id"])
        batch.create_index("ix_products_name", ["name"])

    op.create_table(
        "shipments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "order_id",
            sa.Integer(),
            sa.ForeignKey("orders.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("carrier", sa.String(60)),
        sa.Column("tracking_number", sa.String(60)),
        _timestamp("shipped_at", nullable=False),
        _timestamp("delivered_at"),
    )
    op.execute(
        "INSERT INTO shipments (order_id, carrier, tracking_number, shipped_at, delivered_at) "
        "SELECT id, carrier, tracking_number, shipped_at, delivered_at FROM orders "
        "WHERE shipped_at IS NOT NULL ORDER BY id"
    )
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("shipped_at")
        batch.drop_column("delivered_at")
        batch.drop_column("carrier")
        batch.drop_column("tracking_number")
        batch.add_column(sa.Column("shipping_address", sa.Text()))
        batch.add_column(sa.Column("country", sa.String(80)))
        batch.alter_column("customer_id", existing_type=sa.Integer(), nullable=True)

    op.create_table(
        "channel_identities",
        sa.Column("id", sa.Integer(), primary_key=True),
        _customer_fk(index=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("external_id", sa.String(128), nullable=False),
        _timestamp("linked_at", nullable=False, default_now=True),
        sa.UniqueConstraint("channel", "external_id"),
    )
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), primary_key=True),
        _customer_fk(index=True),
        sa.Column("purpose", sa.String(40), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(40), nullable=False),
        _timestamp("updated_at", nullable=False, default_now=True),
        sa.UniqueConstraint("customer_id", "purpose"),
    )
    op.create_table(
        "loyalty_accounts",
        sa.Column("id", sa.Integer(), primary_key=True),
        _customer_fk(unique=True),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(20), nullable=False),
        _timestamp("updated_at", nullable=False, default_now=True),
    )
    op.create_table(
        "agents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(255), nullable=False, unique=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(20)),
        sa.Column("active", sa.Boolean(), nullable=False),
        _timestamp("created_at", nullable=False, default_now=True),
    )
    op.create_table(
        "agent_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column(
            "agent_id",
            sa.Integer(),
            sa.ForeignKey("agents.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        _timestamp("created_at", nullable=False),
        _timestamp("expires_at", nullable=False),
    )
    op.create_index("ix_agent_sessions_expires_at", "agent_sessions", ["expires_at"])
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), primary_key=True),
        _customer_fk(nullable=True, index=True),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("category", sa.String(40), nullable=False, index=True),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("priority", sa.String(10), nullable=False),
        sa.Column("channel", sa.String(20)),
        sa.Column("conversation_id", sa.String(255), index=True),
        sa.Column("assignee_id", sa.Integer(), sa.ForeignKey("agents.id", ondelete="SET NULL"), index=True),
        _timestamp("created_at", nullable=False, default_now=True),
        _timestamp("updated_at", nullable=False, default_now=True),
        _timestamp("closed_at"),
    )
    op.create_table(
        "ticket_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "ticket_id",
            sa.Integer(),
            sa.ForeignKey("tickets.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("author_type", sa.String(20), nullable=False),
        sa.Column("author_agent_id", sa.Integer(), sa.ForeignKey("agents.id", ondelete="SET NULL")),
        sa.Column("body", sa.Text(), nullable=False),
        _timestamp("created_at", nullable=False, default_now=True),
    )
    op.create_table(
        "returns",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reference", sa.String(20), nullable=False, unique=True),
        sa.Column(
            "order_id",
            sa.Integer(),
            sa.ForeignKey("orders.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        _customer_fk(nullable=True, index=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text()),
        _timestamp("created_at", nullable=False, default_now=True),
    )
    op.create_table(
        "return_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "return_id",
            sa.Integer(),
            sa.ForeignKey("returns.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("order_item_id", sa.Integer(), sa.ForeignKey("order_items.id", ondelete="CASCADE"), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
    )
    op.create_table(
        "refunds",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "order_id",
            sa.Integer(),
            sa.ForeignKey("orders.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("return_id", sa.Integer(), sa.ForeignKey("returns.id", ondelete="CASCADE"), index=True),
        sa.Column("amount", sa.Numeric(12, 2), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        _timestamp("created_at", nullable=False, default_now=True),
        _timestamp("completed_at"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        _timestamp("at", nullable=False, default_now=True),
        sa.Column("actor_type", sa.String(20), nullable=False),
        sa.Column("actor_id", sa.Integer()),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("entity_type", sa.String(40), nullable=False),
        sa.Column("entity_id", sa.String(64)),
        sa.Column("customer_id", sa.Integer()),
        sa.Column("detail", sa.JSON()),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_customer_id", "audit_log", ["customer_id"])
    op.create_table(
        "customer_scores",
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("model_version", sa.String(40), nullable=False),
        _timestamp("scored_at", nullable=False),
        sa.Column("segment", sa.String(40), index=True),
        sa.Column("churn_probability", sa.Float()),
        sa.Column("expected_value", sa.Float()),
        sa.Column("next_purchase_days", sa.Float()),
        sa.Column("top_factors", sa.JSON()),
        sa.Column("category_needs", sa.JSON()),
    )
    op.create_table(
        "recommendations",
        sa.Column("id", sa.Integer(), primary_key=True),
        _customer_fk(index=True),
        sa.Column("product_id", sa.Integer(), sa.ForeignKey("products.id", ondelete="CASCADE"), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("model_version", sa.String(40), nullable=False),
    )
    op.create_table(
        "bot_decisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        _customer_fk(nullable=True, index=True),
        sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
        sa.Column("decision", sa.String(60), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        _timestamp("created_at", nullable=False, default_now=True),
    )


def downgrade() -> None:
    for table in (
        "bot_decisions", "recommendations", "customer_scores", "audit_log", "refunds", "return_items",
        "returns", "ticket_messages", "tickets", "agent_sessions", "agents", "loyalty_accounts",
        "consents", "channel_identities",
    ):  # fmt: skip
        op.drop_table(table)
    op.execute("DELETE FROM orders WHERE customer_id IS NULL")
    with op.batch_alter_table("orders") as batch:
        batch.alter_column("customer_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_column("country")
        batch.drop_column("shipping_address")
        batch.add_column(sa.Column("tracking_number", sa.String(60)))
        batch.add_column(sa.Column("carrier", sa.String(60)))
        batch.add_column(_timestamp("delivered_at"))
        batch.add_column(_timestamp("shipped_at"))
    for column in ("carrier", "tracking_number", "shipped_at", "delivered_at"):
        op.execute(
            f"UPDATE orders SET {column} = (SELECT s.{column} FROM shipments s WHERE s.order_id = orders.id "
            "ORDER BY s.id DESC LIMIT 1)"
        )
    op.drop_table("shipments")
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("category", sa.String(80), nullable=True))
    op.execute(
        "UPDATE products SET category = COALESCE("
        "(SELECT name FROM categories WHERE categories.id = products.category_id), 'uncategorised')"
    )
    with op.batch_alter_table("products") as batch:
        batch.drop_index("ix_products_name")
        batch.drop_index("ix_products_category_id")
        batch.drop_constraint("fk_products_category_id", type_="foreignkey")
        batch.drop_column("category_id")
        batch.drop_column("description")
        batch.drop_column("image_url")
        batch.alter_column("category", existing_type=sa.String(80), nullable=False)
        batch.create_index("ix_products_category", ["category"])
    op.drop_table("categories")
    with op.batch_alter_table("customers") as batch:
        batch.drop_index("ix_customers_phone")
        batch.drop_constraint("uq_customers_external_ref", type_="unique")
        batch.drop_column("erased_at")
        batch.drop_column("external_ref")
