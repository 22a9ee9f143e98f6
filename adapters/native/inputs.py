"""What options, a quote and a commit read about one membership, in one session.

Issue 12 asks for a quote or an option list in at most 4 statements. Here they are (BEGIN
included, as SQLite counts it):

1. ``BEGIN`` (``BEGIN IMMEDIATE`` in a commit);
2. the membership joined with its scheduled change and its customer, with the catalog's
   version and "is a payment pending" riding along as columns (in a commit, locked
   ``FOR UPDATE OF memberships``);
3. its add-ons;
4. its usage (published sites with their active domains).

A discount code adds one statement when one is given; a catalog that moved since the
process last read it adds the catalog's 3 (``catalog.py``).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from planswitch.adapters.native import catalog, mappers, reads
from planswitch.adapters.native.catalog import CatalogCache
from planswitch.adapters.native.tables import CustomerRow, MembershipRow, ScheduledChangeRow
from planswitch.domain.ports import ChangeInputs
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

_M = MembershipRow.__table__  # type: ignore[attr-defined]
_S = ScheduledChangeRow.__table__  # type: ignore[attr-defined]
_C = CustomerRow.__table__  # type: ignore[attr-defined]
_ID: Any = bindparam("membership_id")


def _columns(table: Any, prefix: str) -> list[Any]:
    return [column.label(prefix + column.name) for column in table.c]


def _names(table: Any, prefix: str) -> list[tuple[str, str]]:
    return [(column.name, prefix + column.name) for column in table.c]


def _statement(lock: bool) -> Select[Any]:
    query = (
        select(
            *_columns(_M, "m_"),
            *_columns(_S, "s_"),
            *_columns(_C, "c_"),
            catalog.version_column().label("catalog_version"),
            reads.pending_payment_column(_ID).label("pending_payment"),
        )
        .select_from(
            _M.outerjoin(_S, _S.c.membership_id == _M.c.id).outerjoin(
                _C, _C.c.id == _M.c.customer_id
            )
        )
        .where(_M.c.id == _ID)
    )
    if lock:
        # OF: lock the membership only (PostgreSQL refuses to lock an outer join's nullable
        # side); SQLite's BEGIN IMMEDIATE already holds the database's write lock.
        query = query.with_for_update(of=_M)
    return query


# Built once: building and hashing a statement this wide cost more than running it.
_READ, _LOCKED = _statement(lock=False), _statement(lock=True)
_PARTS = {prefix: _names(table, prefix) for table, prefix in ((_M, "m_"), (_S, "s_"), (_C, "c_"))}


def _part(row: Any, prefix: str) -> SimpleNamespace:
    """One table's columns of a joined row, under their own names (what mappers read)."""
    return SimpleNamespace(**{name: row[label] for name, label in _PARTS[prefix]})


def change_inputs(
    session: Session,
    cache: CatalogCache,
    membership_id: int,
    discount_code: str | None = None,
    *,
    lock: bool = False,
) -> ChangeInputs:
    """The membership, its customer, usage, the discount code and the catalog (see above).

    ``lock``: inside a write transaction, lock the membership's row until commit; the catalog
    read there is not remembered for other requests (the transaction may roll back).
    """
    reads._flush(session)  # a write transaction reads what it wrote (a Connection: nothing)
    params = {"membership_id": int(membership_id)}
    found = session.execute(_LOCKED if lock else _READ, params).mappings().first()
    if found is None:
        return ChangeInputs(None, cache.read(session, remember=not lock))
    addons = reads.membership_addons(session, [membership_id]).get(membership_id, [])
    scheduled = _part(found, "s_") if found["s_membership_id"] is not None else None
    membership = mappers.to_membership(_part(found, "m_"), addons, scheduled)  # type: ignore[arg-type]
    customer = mappers.to_customer(_part(found, "c_")) if found["c_id"] is not None else None  # type: ignore[arg-type]
    code = (discount_code or "").strip()
    return ChangeInputs(
        membership=membership,
        catalog=cache.at(session, found["catalog_version"], remember=not lock),
        customer=customer,
        usage=reads.usage(session, membership_id, bool(found["pending_payment"])),
        discount=reads.discount_code(session, code) if code else None,
    )
