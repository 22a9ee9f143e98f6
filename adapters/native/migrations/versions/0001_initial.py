"""initial schema

Revision ID: 0001_initial
Revises:
Written out once from the tables (then reviewed); later changes get new revisions.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from planswitch.adapters.native.columns import MoneyType, UTCDateTime

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=False),
        sa.Column("login", sa.String(length=255), nullable=False),
        sa.Column("vip", sa.Boolean(), nullable=False),
        sa.Column("has_trialed", sa.Boolean(), nullable=False),
        sa.Column("date_registered", UTCDateTime(), nullable=True),
        sa.Column("date_modified", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_customers_user_id"), "customers", ["user_id"], unique=False)

    op.create_table(
        "discount_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=255), nullable=False),
        sa.Column("value", MoneyType(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("setup_fee_value", MoneyType(), nullable=False),
        sa.Column("setup_fee_type", sa.String(length=20), nullable=False),
        sa.Column("apply_to_renewals", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column("date_start", UTCDateTime(), nullable=True),
        sa.Column("date_expiration", UTCDateTime(), nullable=True),
        sa.Column("allowed_products", sa.JSON(), nullable=False),
        sa.Column("limit_products", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_discount_codes_code"), "discount_codes", ["code"], unique=False)

    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("date_created", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_events_kind"), "events", ["kind"], unique=False)
    op.create_index(op.f("ix_events_object_id"), "events", ["object_id"], unique=False)

    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=128), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key", name="uq_idempotency_keys_key"),
    )
    op.create_index(
        op.f("ix_idempotency_keys_membership_id"),
        "idempotency_keys",
        ["membership_id"],
        unique=False,
    )

    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("amount", MoneyType(), nullable=False),
        sa.Column("currency", sa.String(length=10), nullable=False),
        sa.Column("initial_amount", MoneyType(), nullable=False),
        sa.Column("duration", sa.Integer(), nullable=False),
        sa.Column("duration_unit", sa.String(length=10), nullable=False),
        sa.Column("recurring", sa.Boolean(), nullable=False),
        sa.Column("auto_renew", sa.Boolean(), nullable=False),
        sa.Column("date_created", UTCDateTime(), nullable=True),
        sa.Column("date_activated", UTCDateTime(), nullable=True),
        sa.Column("date_trial_end", UTCDateTime(), nullable=True),
        sa.Column("date_renewed", UTCDateTime(), nullable=True),
        sa.Column("date_cancellation", UTCDateTime(), nullable=True),
        sa.Column("date_expiration", UTCDateTime(), nullable=True),
        sa.Column("date_modified", UTCDateTime(), nullable=True),
        sa.Column("times_billed", sa.Integer(), nullable=False),
        sa.Column("billing_cycles", sa.Integer(), nullable=False),
        sa.Column("gateway", sa.String(length=80), nullable=False),
        sa.Column("gateway_customer_id", sa.String(length=255), nullable=False),
        sa.Column("gateway_subscription_id", sa.String(length=255), nullable=False),
        sa.Column("limitations_override", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_memberships_customer_id"), "memberships", ["customer_id"], unique=False
    )
    op.create_index(op.f("ix_memberships_plan_id"), "memberships", ["plan_id"], unique=False)
    op.create_index(op.f("ix_memberships_status"), "memberships", ["status"], unique=False)

    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("currency", sa.String(length=10), nullable=False),
        sa.Column("subtotal", MoneyType(), nullable=False),
        sa.Column("discount_total", MoneyType(), nullable=False),
        sa.Column("tax_total", MoneyType(), nullable=False),
        sa.Column("refund_total", MoneyType(), nullable=False),
        sa.Column("total", MoneyType(), nullable=False),
        sa.Column("discount_code", sa.String(length=255), nullable=False),
        sa.Column("gateway", sa.String(length=80), nullable=False),
        sa.Column("gateway_payment_id", sa.String(length=255), nullable=False),
        sa.Column("date_created", UTCDateTime(), nullable=True),
        sa.Column("date_modified", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_payments_customer_id"), "payments", ["customer_id"], unique=False)
    op.create_index(op.f("ix_payments_membership_id"), "payments", ["membership_id"], unique=False)
    op.create_index(op.f("ix_payments_status"), "payments", ["status"], unique=False)

    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("pricing_type", sa.String(length=20), nullable=False),
        sa.Column("amount", MoneyType(), nullable=False),
        sa.Column("setup_fee", MoneyType(), nullable=False),
        sa.Column("currency", sa.String(length=10), nullable=False),
        sa.Column("recurring", sa.Boolean(), nullable=False),
        sa.Column("duration", sa.Integer(), nullable=False),
        sa.Column("duration_unit", sa.String(length=10), nullable=False),
        sa.Column("trial_duration", sa.Integer(), nullable=False),
        sa.Column("trial_duration_unit", sa.String(length=10), nullable=False),
        sa.Column("billing_cycles", sa.Integer(), nullable=False),
        sa.Column("list_order", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("plan_group", sa.String(length=20), nullable=False),
        sa.Column("limitations", sa.JSON(), nullable=False),
        sa.Column("date_created", UTCDateTime(), nullable=True),
        sa.Column("date_modified", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_products_active"), "products", ["active"], unique=False)
    op.create_index(op.f("ix_products_plan_group"), "products", ["plan_group"], unique=False)
    op.create_index(op.f("ix_products_slug"), "products", ["slug"], unique=False)
    op.create_index(op.f("ix_products_type"), "products", ["type"], unique=False)

    op.create_table(
        "sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("path", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("post_counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_sites_customer_id"), "sites", ["customer_id"], unique=False)
    op.create_index(op.f("ix_sites_membership_id"), "sites", ["membership_id"], unique=False)

    op.create_table(
        "domains",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("primary_domain", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_domains_site_id"), "domains", ["site_id"], unique=False)

    op.create_table(
        "membership_addons",
        sa.Column("membership_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("product_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["membership_id"], ["memberships.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("membership_id", "product_id"),
    )
    op.create_table(
        "payment_line_items",
        sa.Column("payment_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", MoneyType(), nullable=False),
        sa.Column("subtotal", MoneyType(), nullable=False),
        sa.Column("discount_total", MoneyType(), nullable=False),
        sa.Column("tax_total", MoneyType(), nullable=False),
        sa.Column("total", MoneyType(), nullable=False),
        sa.Column("recurring", sa.Boolean(), nullable=False),
        sa.Column("duration", sa.Integer(), nullable=True),
        sa.Column("duration_unit", sa.String(length=10), nullable=True),
        sa.Column("discount_label", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(["payment_id"], ["payments.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("payment_id", "position"),
    )
    op.create_table(
        "product_addons",
        sa.Column("product_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("addon_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("product_id", "position"),
    )
    op.create_table(
        "product_price_variations",
        sa.Column("product_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("duration", sa.Integer(), nullable=False),
        sa.Column("duration_unit", sa.String(length=10), nullable=False),
        sa.Column("amount", MoneyType(), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("product_id", "position"),
    )
    op.create_table(
        "scheduled_changes",
        sa.Column("membership_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("addons", sa.JSON(), nullable=False),
        sa.Column("duration", sa.Integer(), nullable=False),
        sa.Column("duration_unit", sa.String(length=10), nullable=False),
        sa.Column("amount", MoneyType(), nullable=False),
        sa.Column("effective_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["membership_id"], ["memberships.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("membership_id"),
    )
    op.create_index(
        op.f("ix_scheduled_changes_effective_at"),
        "scheduled_changes",
        ["effective_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_scheduled_changes_effective_at"), table_name="scheduled_changes")

    op.drop_table("scheduled_changes")
    op.drop_table("product_price_variations")
    op.drop_table("product_addons")
    op.drop_table("payment_line_items")
    op.drop_table("membership_addons")
    op.drop_index(op.f("ix_domains_site_id"), table_name="domains")

    op.drop_table("domains")
    op.drop_index(op.f("ix_sites_membership_id"), table_name="sites")
    op.drop_index(op.f("ix_sites_customer_id"), table_name="sites")

    op.drop_table("sites")
    op.drop_index(op.f("ix_products_type"), table_name="products")
    op.drop_index(op.f("ix_products_slug"), table_name="products")
    op.drop_index(op.f("ix_products_plan_group"), table_name="products")
    op.drop_index(op.f("ix_products_active"), table_name="products")

    op.drop_table("products")
    op.drop_index(op.f("ix_payments_status"), table_name="payments")
    op.drop_index(op.f("ix_payments_membership_id"), table_name="payments")
    op.drop_index(op.f("ix_payments_customer_id"), table_name="payments")

    op.drop_table("payments")
    op.drop_index(op.f("ix_memberships_status"), table_name="memberships")
    op.drop_index(op.f("ix_memberships_plan_id"), table_name="memberships")
    op.drop_index(op.f("ix_memberships_customer_id"), table_name="memberships")

    op.drop_table("memberships")
    op.drop_index(op.f("ix_idempotency_keys_membership_id"), table_name="idempotency_keys")

    op.drop_table("idempotency_keys")
    op.drop_index(op.f("ix_events_object_id"), table_name="events")
    op.drop_index(op.f("ix_events_kind"), table_name="events")

    op.drop_table("events")
    op.drop_index(op.f("ix_discount_codes_code"), table_name="discount_codes")

    op.drop_table("discount_codes")
    op.drop_index(op.f("ix_customers_user_id"), table_name="customers")

    op.drop_table("customers")
