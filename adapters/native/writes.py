"""Writes over one open Session: the port's change writes and the keyed upserts used by
seeding and the WordPress sync.

Upserts are keyed by id (ids are the WordPress ids on imported data). Each reads the stored
aggregate back into its domain object and compares: equal -> ``"unchanged"`` (nothing
written); otherwise the row is inserted or updated and its child rows replaced.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Literal, cast

from planswitch.adapters.native import catalog, mappers, reads
from planswitch.adapters.native.tables import (
    CustomerRow,
    DiscountCodeRow,
    DomainRow,
    EventRow,
    IdempotencyKeyRow,
    LineItemRow,
    MembershipAddonRow,
    MembershipRow,
    NativeModel,
    PaymentRow,
    PriceVariationRow,
    ProductAddonRow,
    ProductRow,
    ScheduledChangeRow,
    SiteRow,
)
from planswitch.domain.customers import Customer
from planswitch.domain.discounts import DiscountCode
from planswitch.domain.errors import VersionConflict
from planswitch.domain.events import Event
from planswitch.domain.memberships import Membership
from planswitch.domain.payments import Payment
from planswitch.domain.ports import IdempotencyRecord
from planswitch.domain.products import Product
from planswitch.domain.sync import SiteDomain
from planswitch.domain.usage import Site
from sqlalchemy import CursorResult, delete, func, insert, inspect, select, text, update
from sqlalchemy.orm import Session
from sqlmodel import col

UpsertResult = Literal["created", "updated", "unchanged"]

# Tables whose ids may be written explicitly (PostgreSQL sequences must then catch up).
ID_TABLES: tuple[type[NativeModel], ...] = (
    ProductRow,
    CustomerRow,
    MembershipRow,
    PaymentRow,
    DiscountCodeRow,
    EventRow,
    SiteRow,
    DomainRow,
    IdempotencyKeyRow,
)


def _insert(session: Session, table: type[NativeModel], values: Mapping[str, Any]) -> int | None:
    result = cast(CursorResult[Any], session.execute(insert(table).values(**values)))
    key = result.inserted_primary_key
    return key[0] if key else None


def _insert_many(session: Session, table: type[NativeModel], rows: Sequence[Mapping]) -> None:
    if rows:
        session.execute(insert(table), list(rows))


# --- products ----------------------------------------------------------------------------


def write_product(session: Session, product: Product, exists: bool) -> None:
    columns = mappers.product_columns(product)
    if exists:
        session.execute(
            update(ProductRow).where(col(ProductRow.id) == product.id).values(**columns)
        )
        session.execute(
            delete(ProductAddonRow).where(col(ProductAddonRow.product_id) == product.id)
        )
        session.execute(
            delete(PriceVariationRow).where(col(PriceVariationRow.product_id) == product.id)
        )
    else:
        _insert(session, ProductRow, columns)
    addons, variations = mappers.product_children(product)
    _insert_many(session, ProductAddonRow, addons)
    _insert_many(session, PriceVariationRow, variations)
    catalog.bump(session)  # other processes' cached catalogs reload (catalog.py)
    session.expire_all()


def upsert_product(session: Session, product: Product) -> UpsertResult:
    stored = reads.products_by_id(session, [product.id]).get(product.id)
    if stored is not None and _same(stored, product, mappers.product_columns):
        return "unchanged"
    write_product(session, product, exists=stored is not None)
    return "updated" if stored is not None else "created"


def _same(stored: Any, new: Any, columns: Any) -> bool:
    """Equal as domain objects and as stored column values (limitations compare by shape)."""
    return stored == new or (columns(stored) == columns(new) and _children_equal(stored, new))


def _children_equal(stored: Any, new: Any) -> bool:
    for name in ("available_addons", "price_variations", "line_items", "addons"):
        if getattr(stored, name, None) != getattr(new, name, None):
            return False
    return getattr(stored, "scheduled_change", None) == getattr(new, "scheduled_change", None)


# --- customers ---------------------------------------------------------------------------


def upsert_customer(session: Session, customer: Customer) -> UpsertResult:
    stored = reads.customers_by_id(session, [customer.id]).get(customer.id)
    if stored == customer:
        return "unchanged"
    columns = mappers.customer_columns(customer)
    if stored is None:
        _insert(session, CustomerRow, columns)
        return "created"
    session.execute(update(CustomerRow).where(col(CustomerRow.id) == customer.id).values(**columns))
    session.expire_all()
    return "updated"


# --- memberships -------------------------------------------------------------------------


def _write_membership_children(session: Session, m: Membership) -> None:
    session.execute(delete(MembershipAddonRow).where(col(MembershipAddonRow.membership_id) == m.id))
    session.execute(delete(ScheduledChangeRow).where(col(ScheduledChangeRow.membership_id) == m.id))
    _insert_many(session, MembershipAddonRow, mappers.membership_addon_rows(m))
    if m.scheduled_change is not None:
        _insert(
            session, ScheduledChangeRow, mappers.scheduled_change_columns(m.id, m.scheduled_change)
        )


def save_membership(session: Session, before: Membership, after: Membership) -> Membership:
    """Compare-and-set on ``version``: writes ``after`` only if the row is still ``before``."""
    try:
        expected = int(before.version)
    except ValueError:
        raise VersionConflict(after.id) from None
    result = cast(
        CursorResult[Any],
        session.execute(
            update(MembershipRow)
            .where(col(MembershipRow.id) == after.id, col(MembershipRow.version) == expected)
            .values(**mappers.membership_columns(after), version=expected + 1)
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount != 1:
        raise VersionConflict(after.id)
    _write_membership_children(session, after)
    session.expire_all()
    return reads.memberships_by_id(session, [after.id])[after.id]


def upsert_membership(session: Session, membership: Membership) -> UpsertResult:
    """Insert or update by id; an update bumps ``version`` (stale readers then conflict)."""
    stored = reads.memberships_by_id(session, [membership.id]).get(membership.id)
    if stored is not None and _same(
        replace(stored, version=""), replace(membership, version=""), mappers.membership_columns
    ):
        return "unchanged"
    columns = mappers.membership_columns(membership)
    if stored is None:
        _insert(session, MembershipRow, {"id": membership.id, **columns, "version": 1})
    else:
        session.execute(
            update(MembershipRow)
            .where(col(MembershipRow.id) == membership.id)
            .values(**columns, version=MembershipRow.version + 1)
            .execution_options(synchronize_session=False)
        )
    _write_membership_children(session, membership)
    session.expire_all()
    return "updated" if stored is not None else "created"


# --- payments ----------------------------------------------------------------------------


def add_payment(session: Session, payment: Payment) -> Payment:
    """Insert the payment (new id unless it has one) and its line items."""
    new_id = _insert(session, PaymentRow, mappers.payment_columns(payment))
    payment_id = payment.id or int(new_id or 0)
    _insert_many(session, LineItemRow, mappers.line_item_rows(payment_id, payment.line_items))
    return replace(payment, id=payment_id)


def upsert_payment(session: Session, payment: Payment) -> UpsertResult:
    stored = reads.payments_by_id(session, [payment.id]).get(payment.id)
    if stored == payment:
        return "unchanged"
    if stored is None:
        add_payment(session, payment)
        return "created"
    session.execute(
        update(PaymentRow)
        .where(col(PaymentRow.id) == payment.id)
        .values(**mappers.payment_columns(payment))
    )
    session.execute(delete(LineItemRow).where(col(LineItemRow.payment_id) == payment.id))
    _insert_many(session, LineItemRow, mappers.line_item_rows(payment.id, payment.line_items))
    session.expire_all()
    return "updated"


# --- sites, discount codes, events, idempotency ------------------------------------------


def _stored_site(session: Session, site_id: int) -> tuple[Site, dict, list[SiteDomain]] | None:
    row = session.get(SiteRow, site_id)
    if row is None:
        return None
    domains = session.scalars(
        select(DomainRow).where(col(DomainRow.site_id) == site_id).order_by(col(DomainRow.id))
    )
    return (
        mappers.to_site(row),
        dict(row.post_counts or {}),
        [SiteDomain(d.domain, d.active, d.primary_domain) for d in domains],
    )


def upsert_site(
    session: Session,
    site: Site,
    post_counts: Mapping[str, int],
    domains: Sequence[SiteDomain | str] = (),
) -> UpsertResult:
    """Insert or update a site with its post counts (type -> count) and custom domains."""
    wanted = [SiteDomain(d) if isinstance(d, str) else d for d in domains]
    columns = mappers.site_columns(site, post_counts)
    stored = _stored_site(session, site.id)
    if stored == (site, columns["post_counts"], wanted):
        return "unchanged"
    if stored is None:
        _insert(session, SiteRow, columns)
    else:
        session.execute(update(SiteRow).where(col(SiteRow.id) == site.id).values(**columns))
        session.execute(delete(DomainRow).where(col(DomainRow.site_id) == site.id))
    _insert_many(
        session,
        DomainRow,
        [
            {
                "site_id": site.id,
                "domain": d.domain,
                "active": d.active,
                "primary_domain": d.primary,
            }
            for d in wanted
        ],
    )
    session.expire_all()
    return "updated" if stored is not None else "created"


def upsert_discount_code(session: Session, code: DiscountCode) -> UpsertResult:
    row = session.get(DiscountCodeRow, code.id)
    stored = mappers.to_discount_code(row) if row else None
    if stored == code:
        return "unchanged"
    columns = mappers.discount_code_columns(code)
    if stored is None:
        _insert(session, DiscountCodeRow, columns)
        return "created"
    session.execute(
        update(DiscountCodeRow).where(col(DiscountCodeRow.id) == code.id).values(**columns)
    )
    session.expire_all()
    return "updated"


def add_event(session: Session, event: Event) -> Event:
    new_id = _insert(session, EventRow, mappers.event_columns(event))
    return replace(event, id=event.id or int(new_id or 0))


def put_idempotency(session: Session, record: IdempotencyRecord) -> None:
    """Insert now (not at commit), so a duplicate key raises IntegrityError right here."""
    _insert(
        session,
        IdempotencyKeyRow,
        {
            "key": record.key,
            "request_hash": record.request_hash,
            "membership_id": record.membership_id,
            "result": dict(record.result),
            "created_at": record.created_at,
        },
    )


def advance_sequences(session: Session) -> None:
    """PostgreSQL: move each id sequence past the largest id, after explicit-id inserts.

    MySQL/MariaDB and SQLite do this by themselves.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in ID_TABLES:
        name = table.__tablename__
        top = session.scalar(select(func.max(inspect(table).primary_key[0])))
        if top:
            session.execute(
                text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :top)"),
                {"table": name, "top": top},
            )
