"""SQLModel tables of the native store.

Decisions:
- Ids are plain integer primary keys that accept explicit values, so data imported from
  WordPress keeps its WordPress ids (no separate ``wp_id`` column).
- Child rows that belong to one aggregate (product add-ons and price variations,
  membership add-ons, the scheduled change, payment line items, site domains) are child
  tables with a foreign key and ``ON DELETE CASCADE``. References between aggregates
  (membership -> customer/plan, payment -> membership, site -> membership) are indexed
  integers without a foreign key, so a sync can import rows in any order and a row
  pointing at something missing is still stored.
- Limitations, post counts and event payloads are JSON (their shape is the plugin's).
- The tables live in a registry of their own (``NATIVE_METADATA``), not ``SQLModel.metadata``,
  so other adapters' models can never collide with these class or table names.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from planswitch.adapters.native.columns import MoneyType, UTCDateTime
from sqlalchemy import JSON, Column, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


class NativeModel(SQLModel, registry=registry()):
    """Base of every native table (own registry and metadata)."""


NATIVE_METADATA = NativeModel.metadata


def _money(default: str = "0") -> Any:
    return Field(default=Decimal(default), sa_type=MoneyType, nullable=False)


def _when(index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=True, index=index)


def _text(length: int, default: str = "", index: bool = False) -> Any:
    return Field(default=default, sa_type=String(length), nullable=False, index=index)


def _json(nullable: bool = False) -> Any:
    return Field(default=None, sa_type=JSON, nullable=nullable)


def _child_of(table: str) -> Any:
    return Field(
        sa_column=Column(
            Integer,
            ForeignKey(f"{table}.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        )
    )


class ProductRow(NativeModel, table=True):
    __tablename__ = "products"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = _text(255, index=True)
    name: str = _text(255)
    description: str = Field(default="", sa_type=Text, nullable=False)
    type: str = _text(20, index=True)
    pricing_type: str = _text(20, default="paid")
    amount: Decimal = _money()
    setup_fee: Decimal = _money()
    currency: str = _text(10, default="USD")
    recurring: bool = True
    duration: int = 1
    duration_unit: str = _text(10, default="month")
    trial_duration: int = 0  # 0 = no trial
    trial_duration_unit: str = _text(10, default="day")
    billing_cycles: int = 0
    list_order: int = 10
    active: bool = Field(default=True, index=True)
    plan_group: str = _text(20, index=True)
    limitations: dict[str, Any] | None = _json()
    date_created: datetime | None = _when()
    date_modified: datetime | None = _when()


class ProductAddonRow(NativeModel, table=True):
    """A package or service a plan offers as an add-on, in the admin's order."""

    __tablename__ = "product_addons"

    product_id: int = _child_of("products")
    position: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    addon_id: int


class PriceVariationRow(NativeModel, table=True):
    """The product sold at another period (e.g. 1 year for 490.00)."""

    __tablename__ = "product_price_variations"

    product_id: int = _child_of("products")
    position: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    duration: int
    duration_unit: str = _text(10)
    amount: Decimal = _money()


class CustomerRow(NativeModel, table=True):
    __tablename__ = "customers"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(default=0, index=True)
    email: str = _text(255)
    display_name: str = _text(255)
    login: str = _text(255)
    vip: bool = False
    has_trialed: bool = False
    date_registered: datetime | None = _when()
    date_modified: datetime | None = _when()


class MembershipRow(NativeModel, table=True):
    __tablename__ = "memberships"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(index=True)
    plan_id: int = Field(index=True)
    status: str = _text(20, index=True)
    amount: Decimal = _money()
    currency: str = _text(10, default="USD")
    initial_amount: Decimal = _money()
    duration: int = 1
    duration_unit: str = _text(10, default="month")
    recurring: bool = True
    auto_renew: bool = False
    date_created: datetime | None = _when()
    date_activated: datetime | None = _when()
    date_trial_end: datetime | None = _when()
    date_renewed: datetime | None = _when()
    date_cancellation: datetime | None = _when()
    date_expiration: datetime | None = _when()
    date_modified: datetime | None = _when()
    times_billed: int = 0
    billing_cycles: int = 0
    gateway: str = _text(80)
    gateway_customer_id: str = _text(255)
    gateway_subscription_id: str = _text(255)
    limitations_override: dict[str, Any] | None = _json()
    # Optimistic concurrency: every save bumps it (Membership.version renders it as text).
    version: int = 1


class MembershipAddonRow(NativeModel, table=True):
    __tablename__ = "membership_addons"

    membership_id: int = _child_of("memberships")
    product_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    quantity: int = 1


class ScheduledChangeRow(NativeModel, table=True):
    """At most one waiting change per membership (the primary key is the membership)."""

    __tablename__ = "scheduled_changes"

    membership_id: int = _child_of("memberships")
    plan_id: int
    addons: dict[str, int] | None = _json()  # product id (text, JSON keys) -> quantity
    duration: int
    duration_unit: str = _text(10)
    amount: Decimal = _money()
    effective_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    created_at: datetime | None = _when()
    description: str = Field(default="", sa_type=Text, nullable=False)


class PaymentRow(NativeModel, table=True):
    __tablename__ = "payments"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(index=True)
    membership_id: int = Field(index=True)
    status: str = _text(30, index=True)
    currency: str = _text(10, default="USD")
    subtotal: Decimal = _money()
    discount_total: Decimal = _money()
    tax_total: Decimal = _money()
    refund_total: Decimal = _money()
    total: Decimal = _money()
    discount_code: str = _text(255)
    gateway: str = _text(80)
    gateway_payment_id: str = _text(255)
    date_created: datetime | None = _when()
    date_modified: datetime | None = _when()


class LineItemRow(NativeModel, table=True):
    __tablename__ = "payment_line_items"

    payment_id: int = _child_of("payments")
    position: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    type: str = _text(20)
    title: str = _text(255)
    description: str = Field(default="", sa_type=Text, nullable=False)
    product_id: int | None = None
    quantity: int = 1
    unit_price: Decimal = _money()
    subtotal: Decimal = _money()
    discount_total: Decimal = _money()
    tax_total: Decimal = _money()
    total: Decimal = _money()
    recurring: bool = False
    duration: int | None = None  # None: no period
    duration_unit: str | None = Field(default=None, sa_type=String(10), nullable=True)
    discount_label: str = _text(255)


class DiscountCodeRow(NativeModel, table=True):
    __tablename__ = "discount_codes"

    id: int | None = Field(default=None, primary_key=True)
    code: str = _text(255, index=True)
    value: Decimal = _money()
    type: str = _text(20, default="percentage")
    setup_fee_value: Decimal = _money()
    setup_fee_type: str = _text(20, default="percentage")
    apply_to_renewals: bool = False
    active: bool = True
    uses: int = 0
    max_uses: int | None = None
    date_start: datetime | None = _when()
    date_expiration: datetime | None = _when()
    allowed_products: list[int] | None = _json()
    limit_products: bool = False


class EventRow(NativeModel, table=True):
    __tablename__ = "events"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = _text(64, index=True)
    object_type: str = _text(32)
    object_id: int = Field(index=True)
    actor: str = _text(64, default="system")
    payload: dict[str, Any] | None = _json()
    date_created: datetime = Field(sa_type=UTCDateTime, nullable=False)


class SiteRow(NativeModel, table=True):
    __tablename__ = "sites"

    id: int | None = Field(default=None, primary_key=True)
    membership_id: int | None = Field(default=None, index=True)
    customer_id: int | None = Field(default=None, index=True)
    domain: str = _text(255)
    path: str = _text(255, default="/")
    type: str = _text(32, default="customer_owned")
    published: bool = True
    post_counts: dict[str, int] | None = _json()  # post type -> published + private


class DomainRow(NativeModel, table=True):
    """A custom domain mapped to a site (the plugin's ``wu_domain_mappings``)."""

    __tablename__ = "domains"

    id: int | None = Field(default=None, primary_key=True)
    site_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("sites.id", ondelete="CASCADE"), index=True, nullable=False
        )
    )
    domain: str = _text(255)
    active: bool = True
    primary_domain: bool = False


class IdempotencyKeyRow(NativeModel, table=True):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("key", name="uq_idempotency_keys_key"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = _text(255)
    request_hash: str = _text(128)
    membership_id: int = Field(index=True)
    result: dict[str, Any] | None = _json()
    created_at: datetime | None = _when()


class PendingChangeRow(NativeModel, table=True):
    """A committed change waiting for its payment (domain/pending_change.py).

    One row per payment (unique), kept after it is resolved so a late payment still finds
    its change. At most one row per membership is ``pending``: every writer holds the
    membership's row lock.
    """

    __tablename__ = "pending_changes"
    __table_args__ = (UniqueConstraint("payment_id", name="uq_pending_changes_payment_id"),)

    id: int | None = Field(default=None, primary_key=True)
    membership_id: int = Field(index=True)
    payment_id: int
    status: str = _text(20, index=True)
    quote: dict[str, Any] | None = _json()  # domain/quote_codec.py
    membership_version: str = _text(64)
    action: dict[str, Any] | None = _json(nullable=True)  # provider, clientSecret, payUrl
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    resolved_at: datetime | None = _when()
    reason: str = Field(default="", sa_type=Text, nullable=False)


class CatalogVersionRow(NativeModel, table=True):
    """One row (id 1) whose ``version`` moves in the transaction of every product write.

    Each process caches the catalog with the version it read and reloads it when the row
    says otherwise, so a change made through any process sharing the database is seen by
    the others at their next read (docs/api.md §10).
    """

    __tablename__ = "catalog_version"

    id: int | None = Field(default=None, primary_key=True)
    version: int = 0


class MembershipCountRow(NativeModel, table=True):
    """One row (id 1) holding how many ``memberships`` rows exist, kept by the database's
    own insert/delete triggers (migration 0004), for the unfiltered ``totalCount``.

    Only inserts and deletes move it, and planswitch inserts memberships only when it syncs
    or seeds (a plan change updates), so writers do not queue on it (docs/api.md §3).
    """

    __tablename__ = "membership_count"

    id: int | None = Field(default=None, primary_key=True)
    count: int = 0
