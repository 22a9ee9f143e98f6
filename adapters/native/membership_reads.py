"""``membership(id)`` and a memberships page with what their fields ask next, in one session.

Before (issue 12's profile), ``membership(id)`` with its plan, add-ons, limits and customer
took three sessions and three thread hops: the membership (BEGIN, row, add-ons, scheduled
change), the catalog's version (BEGIN, version) and the customer (BEGIN, row): 8
statements. Here it is 3, BEGIN included:

1. ``BEGIN``;
2. the memberships joined with their scheduled change and (when asked) their customer,
   with the catalog's version riding along as a column;
3. their add-ons.

A page adds its ``COUNT`` when ``totalCount`` is asked; a catalog that moved since the
process last read it adds the catalog's 3 (``catalog.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from planswitch.adapters.native import catalog, mappers, reads
from planswitch.adapters.native.catalog import CatalogCache
from planswitch.adapters.native.inputs import _columns, _part
from planswitch.adapters.native.tables import CustomerRow, MembershipRow, ScheduledChangeRow
from planswitch.domain.ports import MembershipFilter, MembershipReads
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

_M = MembershipRow.__table__  # type: ignore[attr-defined]
_S = ScheduledChangeRow.__table__  # type: ignore[attr-defined]
_C = CustomerRow.__table__  # type: ignore[attr-defined]

# Statements by shape (ids or page, which filters, customers or not), built once each:
# building and hashing a statement this wide cost more than running it on SQLite.
_STATEMENTS: dict[tuple[Any, ...], Select[Any]] = {}


def _base(customers: bool) -> Select[Any]:
    joined = _M.outerjoin(_S, _S.c.membership_id == _M.c.id)
    columns = [*_columns(_M, "m_"), *_columns(_S, "s_")]
    if customers:
        joined = joined.outerjoin(_C, _C.c.id == _M.c.customer_id)
        columns += _columns(_C, "c_")
    return select(*columns, catalog.version_column().label("catalog_version")).select_from(joined)


def _by_ids(customers: bool) -> Select[Any]:
    key = ("ids", customers)
    query = _STATEMENTS.get(key)
    if query is None:
        query = _base(customers).where(_M.c.id.in_(bindparam("ids", expanding=True)))
        query = _STATEMENTS[key] = query.order_by(_M.c.id)
    return query


def _page(where: MembershipFilter, after: bool, customers: bool) -> Select[Any]:
    shape = (where.customer_id is not None, where.status is not None, where.plan_id is not None)
    key = ("page", *shape, after, customers)
    query = _STATEMENTS.get(key)
    if query is None:
        query = _base(customers)
        for present, column in zip(shape, ("customer_id", "status", "plan_id"), strict=True):
            if present:
                query = query.where(_M.c[column] == bindparam(column))
        if after:
            query = query.where(_M.c.id > bindparam("after_id"))
        query = query.order_by(_M.c.id).limit(bindparam("limit"))
        _STATEMENTS[key] = query
    return query


def _page_params(where: MembershipFilter, after_id: int | None, limit: int) -> dict[str, Any]:
    params: dict[str, Any] = {"limit": int(limit)}
    if where.customer_id is not None:
        params["customer_id"] = where.customer_id
    if where.status is not None:
        params["status"] = where.status.value
    if where.plan_id is not None:
        params["plan_id"] = where.plan_id
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
        if count:
            total = reads.count_memberships(session, where)
        query, params = _page(where, after_id is not None, customers), _page_params(*page)
    else:
        wanted = sorted({int(i) for i in ids or ()})
        if not wanted:
            return MembershipReads([], cache.read(session), {}, total)
        query, params = _by_ids(customers), {"ids": wanted}
    rows = session.execute(query, params).mappings().all()
    if not rows:
        return MembershipReads([], cache.read(session), {}, total)
    addons = reads.membership_addons(session, [row["m_id"] for row in rows])
    memberships, found = [], {}
    for row in rows:
        scheduled = _part(row, "s_") if row["s_membership_id"] is not None else None
        membership = mappers.to_membership(_part(row, "m_"), addons.get(row["m_id"], []), scheduled)  # type: ignore[arg-type]
        memberships.append(membership)
        if customers and row["c_id"] is not None:
            found[row["c_id"]] = mappers.to_customer(_part(row, "c_"))  # type: ignore[arg-type]
    return MembershipReads(memberships, cache.at(session, rows[0]["catalog_version"]), found, total)
