"""``membership(id)`` and a memberships page with what their fields ask next, in one statement.

Before (issue 12's profile), ``membership(id)`` with its plan, add-ons, limits and customer
took three sessions and three thread hops: the membership (BEGIN, row, add-ons, scheduled
change), the catalog's version (BEGIN, version) and the customer (BEGIN, row): 8
statements. Here it is one: the memberships joined with their scheduled change and (when
asked) their customer, with their add-ons (``reads.membership_addons_column``), the
catalog's version and (when ``totalCount`` is asked) the count riding along as columns.
One statement is one snapshot, so no ``BEGIN`` (SQLite runs it in autocommit mode).

A page asked for its count that comes back empty reads the count alone; a catalog that
moved since the process last read it adds the catalog's 3 statements and their BEGIN
(``catalog.py``: the version is read first, so the products are never older than it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from planswitch.adapters.native import catalog, prepared, reads
from planswitch.adapters.native.catalog import CatalogCache
from planswitch.adapters.native.inputs import Layout, membership_columns, membership_joins
from planswitch.adapters.native.prepared import Prepared
from planswitch.adapters.native.tables import MembershipRow
from planswitch.domain.ports import MembershipFilter, MembershipReads
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

_M = MembershipRow.__table__  # type: ignore[attr-defined]

# Statements by shape (ids or page, which filters, customers or not, count or not), built
# and compiled once each: building and hashing a statement this wide cost more than
# running it on SQLite.
_STATEMENTS: dict[tuple[Any, ...], tuple[Prepared, Layout]] = {}


def _base(customers: bool, where: MembershipFilter | None = None) -> Select[Any]:
    extra = [catalog.version_column().label("catalog_version")]
    if where is not None:  # the count of the page's filter (its values bound by name)
        extra.append(reads.membership_count_column(where, bound=True).label("total"))
    return select(*membership_columns(customers), *extra).select_from(membership_joins(customers))


def _prepared(key: tuple[Any, ...], query: Select[Any], customers: bool) -> tuple[Prepared, Layout]:
    statement = Prepared(query)
    found = _STATEMENTS[key] = (statement, Layout(statement, customers))
    return found


def _by_ids(customers: bool) -> tuple[Prepared, Layout]:
    key = ("ids", customers)
    found = _STATEMENTS.get(key)
    if found is None:
        query = _base(customers).where(_M.c.id.in_(bindparam("ids", expanding=True)))
        found = _prepared(key, query.order_by(_M.c.id), customers)
    return found


def _page(
    where: MembershipFilter, after: bool, customers: bool, count: bool
) -> tuple[Prepared, Layout]:
    shape = (where.customer_id is not None, where.status is not None, where.plan_id is not None)
    key = ("page", *shape, after, customers, count)
    found = _STATEMENTS.get(key)
    if found is None:
        query = _base(customers, where if count else None)
        query = reads.membership_filter(query, where, _M.c, bound=True)
        if after:
            query = query.where(_M.c.id > bindparam("after_id"))
        found = _prepared(key, query.order_by(_M.c.id).limit(bindparam("limit")), customers)
    return found


def _page_params(where: MembershipFilter, after_id: int | None, limit: int) -> dict[str, Any]:
    params: dict[str, Any] = {"limit": int(limit), **reads.membership_filter_values(where)}
    if after_id is not None:
        params["after_id"] = int(after_id)
    return params


def membership_reads(
    session: Session,
    cache: CatalogCache,
    ids: Sequence[int] | None,
    page: tuple[MembershipFilter, int | None, int] | None,
    *,
    customers: bool,
    count: bool,
) -> MembershipReads:
    """The port's ``membership_reads`` (see the module's docstring for its statements)."""
    total = None
    if page is not None:
        where, after_id, limit = page
        (statement, layout), params = (
            _page(where, after_id is not None, customers, count),
            _page_params(*page),
        )
    else:
        wanted = sorted({int(i) for i in ids or ()})
        if not wanted:
            return MembershipReads([], cache.read(session), {}, total)
        (statement, layout), params = _by_ids(customers), {"ids": wanted}
    rows = statement.rows(prepared.connection(session, begin=False), params)
    if not rows:
        if page is not None and count:
            total = reads.count_memberships(session, page[0])
        return MembershipReads([], cache.read(session), {}, total)
    if page is not None and count:
        total = int(rows[0][statement.index("total")] or 0)
    memberships, found = [], {}
    for row in rows:
        memberships.append(layout.membership(row))
        if customers:
            customer = layout.customer(row)
            if customer is not None:
                found[customer.id] = customer
    version = rows[0][statement.index("catalog_version")]
    return MembershipReads(memberships, cache.at(session, version), found, total)
