"""Queries over one open Session, shared by ``NativeStore`` and its transactions.

Every batch read runs a fixed number of statements whatever the number of ids: one for
the parent rows, one ``IN`` query per child table (no per-row loading).

Reads select Core rows of the tables (``Row`` objects with the same attribute names as the
ORM classes, so the mappers take either) rather than ORM instances: building and
identity-mapping instances that are thrown away at once was about half of a read's cost.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from planswitch.adapters.native import mappers, prepared
from planswitch.adapters.native.prepared import Prepared
from planswitch.adapters.native.tables import (
    CustomerRow,
    DiscountCodeRow,
    DomainRow,
    EventRow,
    IdempotencyKeyRow,
    LineItemRow,
    MembershipAddonRow,
    MembershipCountRow,
    MembershipRow,
    PaymentRow,
    PendingChangeRow,
    PriceVariationRow,
    ProductAddonRow,
    ProductRow,
    ScheduledChangeRow,
    SiteRow,
)
from planswitch.domain.customers import Customer
from planswitch.domain.discounts import DiscountCode
from planswitch.domain.events import Event
from planswitch.domain.memberships import Membership, MembershipStatus
from planswitch.domain.payments import Payment, PaymentStatus
from planswitch.domain.pending_change import PendingStatus
from planswitch.domain.ports import IdempotencyRecord, MembershipFilter, Page, ProductFilter
from planswitch.domain.products import Product
from planswitch.domain.usage import Site, Usage
from sqlalchemy import Row, Select, String, Text, bindparam, cast, exists, func, or_, select
from sqlalchemy.orm import Session
from sqlmodel import col

R = TypeVar("R")


def _table(row_class: Any) -> Any:
    """The Core table of a SQLModel row class (SQLModel does not type ``__table__``)."""
    return row_class.__table__


PRODUCTS = _table(ProductRow).c
PRODUCT_ADDONS = _table(ProductAddonRow).c
VARIATIONS = _table(PriceVariationRow).c
CUSTOMERS = _table(CustomerRow).c
MEMBERSHIPS = _table(MembershipRow).c
MEMBERSHIP_COUNT = _table(MembershipCountRow).c
MEMBERSHIP_ADDONS = _table(MembershipAddonRow).c
SCHEDULED = _table(ScheduledChangeRow).c
PAYMENTS = _table(PaymentRow).c
LINE_ITEMS = _table(LineItemRow).c
SITES = _table(SiteRow).c
PENDING_CHANGES = _table(PendingChangeRow).c
DOMAINS = _table(DomainRow).c


def _rows(session: Session, query: Select[Any]) -> Sequence[Row[*tuple[Any, ...]]]:
    """All rows of a Core ``query`` in the session's transaction.

    Core statements skip the ORM's autoflush, so pending changes of a write transaction
    are flushed first, as an ORM query would (writes read back what they just wrote).
    ``session`` may also be a plain ``Connection`` (reads only: nothing to flush), which
    costs about half as much per read as a Session (``NativeStore._connection``).
    """
    _flush(session)
    return session.execute(query).all()


def _flush(session: Session) -> None:
    if getattr(session, "autoflush", False):
        session.flush()


# Multi-part public suffixes the plugin knows (Domain_Manager::is_main_domain,
# docs/wordpress.md §6.2).
MULTI_PART_TLDS = frozenset({"co.uk", "com.au", "co.nz", "com.br", "co.in"})


def _group(rows: Iterable[R], key: str) -> dict[int, list[R]]:
    grouped: dict[int, list[R]] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, key)].append(row)
    return grouped


def _unique(ids: Sequence[int]) -> list[int]:
    return sorted({int(i) for i in ids})


# --- products ----------------------------------------------------------------------------


def _products(session: Session, rows: Sequence[Any]) -> list[Product]:
    ids = [r.id for r in rows]
    if not ids:
        return []
    addons = _group(
        _rows(session, select(_table(ProductAddonRow)).where(PRODUCT_ADDONS.product_id.in_(ids))),
        "product_id",
    )
    variations = _group(
        _rows(session, select(_table(PriceVariationRow)).where(VARIATIONS.product_id.in_(ids))),
        "product_id",
    )
    return [mappers.to_product(r, addons.get(r.id, []), variations.get(r.id, [])) for r in rows]


def list_products(session: Session, where: ProductFilter) -> list[Product]:
    query = select(_table(ProductRow))
    if where.type is not None:
        query = query.where(PRODUCTS.type == where.type.value)
    if where.plan_group is not None:
        query = query.where(PRODUCTS.plan_group == where.plan_group)
    if where.active is not None:
        query = query.where(PRODUCTS.active == where.active)
    rows = _rows(session, query.order_by(PRODUCTS.list_order, PRODUCTS.id))
    return _products(session, rows)


def products_by_id(session: Session, ids: Sequence[int]) -> dict[int, Product]:
    wanted = _unique(ids)
    if not wanted:
        return {}
    rows = _rows(session, select(_table(ProductRow)).where(PRODUCTS.id.in_(wanted)))
    return {p.id: p for p in _products(session, rows)}


def product_by_slug(session: Session, slug: str) -> Product | None:
    query = select(_table(ProductRow)).where(PRODUCTS.slug == slug).order_by(PRODUCTS.id).limit(1)
    found = _products(session, _rows(session, query))
    return found[0] if found else None


def discount_code(session: Session, code: str) -> DiscountCode | None:
    query = (
        select(DiscountCodeRow)
        .where(func.upper(DiscountCodeRow.code) == code.strip().upper())
        .order_by(col(DiscountCodeRow.id))
        .limit(1)
    )
    row = session.scalars(query).first()
    return mappers.to_discount_code(row) if row else None


# --- customers and memberships -----------------------------------------------------------


def list_customers(session: Session, offset: int, limit: int) -> Page[Customer]:
    total = session.scalar(select(func.count()).select_from(_table(CustomerRow))) or 0
    query = select(_table(CustomerRow)).order_by(CUSTOMERS.id).offset(offset).limit(limit)
    return Page([mappers.to_customer(r) for r in _rows(session, query)], total)


def customers_by_id(session: Session, ids: Sequence[int]) -> dict[int, Customer]:
    wanted = _unique(ids)
    if not wanted:
        return {}
    rows = _by_ids(session, _CUSTOMERS, wanted)
    return {r.id: mappers.to_customer(r) for r in rows}


def memberships_from_rows(session: Session, rows: Sequence[Any]) -> list[Membership]:
    """Domain memberships for ``rows`` (ORM or Core), loading add-ons and scheduled changes
    in 2 queries."""
    ids = [r.id for r in rows]
    if not ids:
        return []
    addons = membership_addons(session, ids)
    scheduled = {s.membership_id: s for s in _by_ids(session, _SCHEDULED, ids)}
    return [mappers.to_membership(r, addons.get(r.id, []), scheduled.get(r.id)) for r in rows]


# Statements on the hot paths are built once: building and hashing one cost about as much
# as running it on SQLite (issue 12's profiles).
_IDS: Any = bindparam("ids", expanding=True)
_MEMBERSHIP_ADDONS = select(_table(MembershipAddonRow)).where(
    MEMBERSHIP_ADDONS.membership_id.in_(_IDS)
)
_SCHEDULED = select(_table(ScheduledChangeRow)).where(SCHEDULED.membership_id.in_(_IDS))
_MEMBERSHIPS = select(_table(MembershipRow)).where(MEMBERSHIPS.id.in_(_IDS))
_CUSTOMERS = select(_table(CustomerRow)).where(CUSTOMERS.id.in_(_IDS))


def _by_ids(session: Session, query: Select[Any], ids: Sequence[int]) -> Sequence[Any]:
    """``_rows`` of a prebuilt ``query`` over the ``ids`` bind parameter."""
    _flush(session)
    return session.execute(query, {"ids": list(ids)}).all()


def membership_addons(session: Session, ids: Sequence[int]) -> dict[int, list[Any]]:
    """The add-on rows of each membership (one statement)."""
    return _group(_by_ids(session, _MEMBERSHIP_ADDONS, ids), "membership_id")


def membership_addons_column(membership_id: Any) -> Any:
    """A membership's add-ons as one text column, ``"6:1,7:2"`` (NULL: none), to ride
    along the statement that reads the membership instead of a statement of their own
    (``mappers.addons_from_text`` reads it back). ``membership_id``: the column to
    correlate with. MySQL/MariaDB cut ``GROUP_CONCAT`` at ``group_concat_max_len``; the
    engine raises it (``engine.py``)."""
    pair = (
        cast(MEMBERSHIP_ADDONS.product_id, String) + ":" + cast(MEMBERSHIP_ADDONS.quantity, String)
    )
    return (
        select(func.aggregate_strings(pair, ","))
        .where(MEMBERSHIP_ADDONS.membership_id == membership_id)
        .scalar_subquery()
    )


def membership_filter_values(where: MembershipFilter) -> dict[str, Any]:
    """The column values ``where`` asks for, by column name (the filters it leaves out
    absent)."""
    values = {
        "customer_id": where.customer_id,
        "status": where.status.value if where.status is not None else None,
        "plan_id": where.plan_id,
    }
    return {name: value for name, value in values.items() if value is not None}


def membership_filter(
    query: Any, where: MembershipFilter, columns: Any = MEMBERSHIPS, bound: bool = False
) -> Any:
    """``query`` filtered by ``where``; ``bound``: compared with bind parameters named as
    the columns (``membership_filter_values`` gives their values) instead of the values,
    for a statement built once per shape of filter."""
    for name, value in membership_filter_values(where).items():
        query = query.where(columns[name] == (bindparam(name) if bound else value))
    return query


def list_memberships(
    session: Session, where: MembershipFilter, offset: int, limit: int
) -> Page[Membership]:
    total = count_memberships(session, where)
    query = membership_filter(select(_table(MembershipRow)), where)
    rows = _rows(session, query.order_by(MEMBERSHIPS.id).offset(offset).limit(limit))
    return Page(memberships_from_rows(session, rows), total)


def count_memberships(session: Session, where: MembershipFilter) -> int:
    """How many memberships match ``where``: one statement (``membership_count_column``)."""
    return int(session.scalar(select(membership_count_column(where))) or 0)


def membership_count_column(where: MembershipFilter, *, bound: bool = False) -> Any:
    """How many memberships match ``where``, as a scalar subquery that may also ride along
    a statement reading memberships (it reads its own alias of the table, so it is never
    correlated with theirs).

    Unfiltered, the ``membership_count`` row (kept by triggers, migration 0004) instead of
    ``COUNT(*)``, which reads the whole table; if that row is missing, the COUNT
    (``COALESCE`` evaluates it only then). Filtered counts are ``COUNT(*)``. ``bound``: as
    for ``membership_filter``.
    """
    if where == MembershipFilter():
        return _UNFILTERED_COUNT
    query = select(func.count()).select_from(_COUNTED)
    return membership_filter(query, where, _COUNTED.c, bound).scalar_subquery()


_COUNTED = _table(MembershipRow).alias("counted")
_UNFILTERED_COUNT = func.coalesce(
    select(MEMBERSHIP_COUNT.count).where(MEMBERSHIP_COUNT.id == 1).scalar_subquery(),
    select(func.count()).select_from(_COUNTED).scalar_subquery(),
)


def membership_page(
    session: Session, where: MembershipFilter, after_id: int | None, limit: int
) -> list[Membership]:
    """Keyset page: ``id > after_id`` on the primary key index, whatever the depth."""
    query = membership_filter(select(_table(MembershipRow)), where)
    if after_id is not None:
        query = query.where(MEMBERSHIPS.id > after_id)
    return memberships_from_rows(
        session, _rows(session, query.order_by(MEMBERSHIPS.id).limit(limit))
    )


def count_customers(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(_table(CustomerRow))) or 0)


def customer_page(session: Session, after_id: int | None, limit: int) -> list[Customer]:
    query = select(_table(CustomerRow))
    if after_id is not None:
        query = query.where(CUSTOMERS.id > after_id)
    rows = _rows(session, query.order_by(CUSTOMERS.id).limit(limit))
    return [mappers.to_customer(r) for r in rows]


def memberships_by_id(session: Session, ids: Sequence[int]) -> dict[int, Membership]:
    wanted = _unique(ids)
    if not wanted:
        return {}
    rows = _by_ids(session, _MEMBERSHIPS, wanted)
    return {m.id: m for m in memberships_from_rows(session, rows)}


def memberships_by_customer(
    session: Session, customer_ids: Sequence[int]
) -> dict[int, list[Membership]]:
    wanted = _unique(customer_ids)
    result: dict[int, list[Membership]] = {cid: [] for cid in wanted}
    if not wanted:
        return result
    query = (
        select(_table(MembershipRow))
        .where(MEMBERSHIPS.customer_id.in_(wanted))
        .order_by(MEMBERSHIPS.id)
    )
    for m in memberships_from_rows(session, _rows(session, query)):
        result[m.customer_id].append(m)
    return result


# --- payments, sites, usage --------------------------------------------------------------


def _payments(session: Session, rows: Sequence[Any]) -> list[Payment]:
    ids = [r.id for r in rows]
    if not ids:
        return []
    items = _group(
        _rows(session, select(_table(LineItemRow)).where(LINE_ITEMS.payment_id.in_(ids))),
        "payment_id",
    )
    return [mappers.to_payment(r, items.get(r.id, [])) for r in rows]


def payments_by_id(session: Session, ids: Sequence[int]) -> dict[int, Payment]:
    wanted = _unique(ids)
    if not wanted:
        return {}
    rows = _rows(session, select(_table(PaymentRow)).where(PAYMENTS.id.in_(wanted)))
    return {p.id: p for p in _payments(session, rows)}


def payments_by_membership(
    session: Session, membership_ids: Sequence[int]
) -> dict[int, list[Payment]]:
    wanted = _unique(membership_ids)
    result: dict[int, list[Payment]] = {mid: [] for mid in wanted}
    if not wanted:
        return result
    query = (
        select(_table(PaymentRow)).where(PAYMENTS.membership_id.in_(wanted)).order_by(PAYMENTS.id)
    )
    for p in _payments(session, _rows(session, query)):
        result[p.membership_id].append(p)
    return result


def sites_by_membership(session: Session, membership_ids: Sequence[int]) -> dict[int, list[Site]]:
    wanted = _unique(membership_ids)
    result: dict[int, list[Site]] = {mid: [] for mid in wanted}
    if not wanted:
        return result
    query = select(_table(SiteRow)).where(SITES.membership_id.in_(wanted)).order_by(SITES.id)
    for row in _rows(session, query):
        result[row.membership_id].append(mappers.to_site(row))
    return result


def sites_by_id(session: Session, ids: Sequence[int]) -> dict[int, Site]:
    wanted = _unique(ids)
    if not wanted:
        return {}
    query = select(_table(SiteRow)).where(SITES.id.in_(wanted))
    return {row.id: mappers.to_site(row) for row in _rows(session, query)}


def apex_domain(domain: str) -> str | None:
    """The domain without ``www.`` when it is an apex (main) domain, else None.

    >>> apex_domain("www.example.co.uk"), apex_domain("shop.example.com")
    ('example.co.uk', None)
    """
    name = domain.strip().rstrip(".").lower()
    name = name.removeprefix("www.")
    parts = name.split(".")
    if not name or len(parts) <= 2:
        return name or None
    if len(parts) == 3 and ".".join(parts[-2:]) in MULTI_PART_TLDS:
        return name
    return None


# Joins the texts aggregated by usage_columns: a character that JSON text never holds
# unescaped (RFC 8259, section 7), nor does a domain name.
_SEPARATOR = "\x1e"


def usage_columns(membership_id: Any) -> list[Any]:
    """What ``usage_from`` reads, as two text columns that may ride along another statement
    (``membership_id``: a column to correlate with, or a bind parameter): the post counts of
    each published site (its JSON text, one per site) and the active domains mapped to
    them, each joined by ``_SEPARATOR``. MySQL/MariaDB cut ``GROUP_CONCAT`` at
    ``group_concat_max_len``, which the engine lifts (``engine.py``)."""
    published = (SITES.membership_id == membership_id) & SITES.published
    counts = func.coalesce(cast(SITES.post_counts, Text), "{}")
    sites = select(func.aggregate_strings(counts, _SEPARATOR)).where(published)
    domains = (
        select(func.aggregate_strings(DOMAINS.domain, _SEPARATOR))
        .select_from(_table(SiteRow))
        .join(_table(DomainRow), (DOMAINS.site_id == SITES.id) & DOMAINS.active)
        .where(published)
    )
    return [
        sites.scalar_subquery().label("usage_sites"),
        domains.scalar_subquery().label("usage_domains"),
    ]


def usage_from(sites: str | None, domains: str | None, pending_payment: bool) -> Usage:
    """What the membership uses (``usage_columns``' texts): published sites, their posts
    per type, active apex domains.

    Custom domains are counted once per apex name (``www.example.com`` and ``example.com``
    are one domain), as the plugin's domain-mapping limit does.
    """
    post_counts = [json.loads(text) for text in sites.split(_SEPARATOR)] if sites else []
    posts: dict[str, int] = defaultdict(int)
    for counts in post_counts:
        for post_type, count in (counts or {}).items():
            posts[post_type] += int(count)
    names = domains.split(_SEPARATOR) if domains else []
    apexes = {apex for name in names if (apex := apex_domain(name))}
    return Usage(
        sites=len(post_counts),
        posts=dict(sorted(posts.items())),
        custom_domains=len(apexes),
        pending_payment=pending_payment,
    )


def pending_payment_column(membership_id: Any) -> Any:
    """Whether the membership is pending or has a pending payment, as a SQL boolean
    (``membership_id``: a value or a bind parameter).

    The payment of the membership's own pending change does not count: a new change
    replaces that one (issue 8) instead of being refused.
    """
    pending_membership = exists().where(
        MEMBERSHIPS.id == membership_id, MEMBERSHIPS.status == MembershipStatus.PENDING.value
    )
    waiting_change = exists().where(
        PENDING_CHANGES.payment_id == PAYMENTS.id,
        PENDING_CHANGES.status == PendingStatus.PENDING.value,
    )
    pending_payment = exists().where(
        PAYMENTS.membership_id == membership_id,
        PAYMENTS.status == PaymentStatus.PENDING.value,
        ~waiting_change,
    )
    return or_(pending_membership, pending_payment)


_ID: Any = bindparam("membership_id")
_USAGE = Prepared(select(*usage_columns(_ID), pending_payment_column(_ID)))


def usage(session: Session, membership_id: int) -> Usage:
    """What the membership uses (``usage_from``), and whether a payment is pending: one
    statement."""
    _flush(session)
    found = _USAGE.rows(prepared.connection(session), {"membership_id": int(membership_id)})
    sites, domains, pending = found[0]
    return usage_from(sites, domains, bool(pending))


# --- scheduled changes, idempotency, events ----------------------------------------------


def due_scheduled_changes(session: Session, now: datetime, limit: int) -> list[int]:
    query = (
        select(col(ScheduledChangeRow.membership_id))
        .where(col(ScheduledChangeRow.effective_at) <= now)
        .order_by(col(ScheduledChangeRow.effective_at), col(ScheduledChangeRow.membership_id))
        .limit(limit)
    )
    return list(session.scalars(query))


def idempotency(session: Session, key: str) -> IdempotencyRecord | None:
    row = session.scalars(
        select(IdempotencyKeyRow).where(col(IdempotencyKeyRow.key) == key)
    ).first()
    if row is None:
        return None
    return IdempotencyRecord(
        key=row.key,
        request_hash=row.request_hash,
        membership_id=row.membership_id,
        result=dict(row.result or {}),
        created_at=row.created_at,
    )


def events(session: Session, object_type: str | None, object_id: int | None) -> list[Event]:
    query = select(EventRow)
    if object_type is not None:
        query = query.where(col(EventRow.object_type) == object_type)
    if object_id is not None:
        query = query.where(col(EventRow.object_id) == object_id)
    return [mappers.to_event(r) for r in session.scalars(query.order_by(col(EventRow.id)))]
