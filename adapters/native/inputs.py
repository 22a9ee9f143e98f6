"""What options, a quote and a commit read about one membership, in one session.

Issue 12 asks for a quote or an option list in at most 4 statements. Here they are 3
(BEGIN included, as SQLite counts it):

1. ``BEGIN`` (``BEGIN IMMEDIATE`` in a commit): the two reads below see one snapshot;
2. the membership joined with its scheduled change and its customer, with the catalog's
   version, "is a payment pending" and its add-ons (``reads.membership_addons_column``)
   riding along as columns (in a commit, locked ``FOR UPDATE OF memberships``);
3. its usage (published sites with their active domains).

A discount code adds one statement when one is given; a catalog that moved since the
process last read it adds the catalog's 3 (``catalog.py``).

Both statements are ``Prepared`` (compiled once per dialect, run on the DBAPI cursor,
``prepared.py``) and their rows are tuples mapped through precomputed positions
(``Layout``): through SQLAlchemy's ``execute`` and ``Row`` mappings these reads cost
several times the database's own work (issue 12's profile).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from planswitch.adapters.native import catalog, mappers, prepared, reads
from planswitch.adapters.native.catalog import CatalogCache
from planswitch.adapters.native.prepared import Prepared
from planswitch.adapters.native.tables import CustomerRow, MembershipRow, ScheduledChangeRow
from planswitch.domain.customers import Customer
from planswitch.domain.memberships import Membership
from planswitch.domain.ports import ChangeInputs
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

_M = MembershipRow.__table__  # type: ignore[attr-defined]
_S = ScheduledChangeRow.__table__  # type: ignore[attr-defined]
_C = CustomerRow.__table__  # type: ignore[attr-defined]
_ID: Any = bindparam("membership_id")


def columns(table: Any, prefix: str) -> list[Any]:
    """``table``'s columns labelled ``prefix + name`` (one table's part of a joined row)."""
    return [column.label(prefix + column.name) for column in table.c]


def membership_columns(customers: bool) -> list[Any]:
    """The columns a ``Layout`` maps: the membership, its scheduled change, its add-ons
    and (``customers``) its customer, from ``membership_joins``."""
    found = [
        *columns(_M, "m_"),
        *columns(_S, "s_"),
        reads.membership_addons_column(_M.c.id).label("addons"),
    ]
    return found + columns(_C, "c_") if customers else found


def membership_joins(customers: bool) -> Any:
    joined = _M.outerjoin(_S, _S.c.membership_id == _M.c.id)
    return joined.outerjoin(_C, _C.c.id == _M.c.customer_id) if customers else joined


class Layout:
    """Where a membership's parts sit in the rows of ``prepared`` (``membership_columns``),
    worked out once per statement."""

    def __init__(self, statement: Prepared, customers: bool) -> None:
        self._parts = {
            prefix: (statement.index(prefix + table.c[0].name), tuple(table.c.keys()))
            for table, prefix in ((_M, "m_"), (_S, "s_"), *([(_C, "c_")] if customers else []))
        }
        self.addons = statement.index("addons")

    def _part(self, row: Sequence[Any], prefix: str) -> dict[str, Any]:
        start, names = self._parts[prefix]
        return dict(zip(names, row[start : start + len(names)], strict=True))

    def membership(self, row: Sequence[Any]) -> Membership:
        scheduled = self._part(row, "s_")
        return mappers.membership_from(
            self._part(row, "m_"),
            mappers.addons_from_text(row[self.addons]),
            mappers.scheduled_change_from(scheduled)
            if scheduled["membership_id"] is not None
            else None,
        )

    def customer(self, row: Sequence[Any]) -> Customer | None:
        values = self._part(row, "c_")
        return mappers.customer_from(values) if values["id"] is not None else None


def _statement(lock: bool) -> Select[Any]:
    query = (
        select(
            *membership_columns(customers=True),
            catalog.version_column().label("catalog_version"),
            reads.pending_payment_column(_ID).label("pending_payment"),
            *reads.usage_columns(_M.c.id),
        )
        .select_from(membership_joins(customers=True))
        .where(_M.c.id == _ID)
    )
    if lock:
        # OF: lock the membership only (PostgreSQL refuses to lock an outer join's nullable
        # side); SQLite's BEGIN IMMEDIATE already holds the database's write lock.
        query = query.with_for_update(of=_M)
    return query


_READ, _LOCKED = Prepared(_statement(lock=False)), Prepared(_statement(lock=True))
_LAYOUT = Layout(_READ, customers=True)  # the same columns in both
_VERSION, _PENDING = _READ.index("catalog_version"), _READ.index("pending_payment")
_SITES, _DOMAINS = _READ.index("usage_sites"), _READ.index("usage_domains")


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
    # One statement, one snapshot: no BEGIN needed on a plain connection (a write's own
    # transaction is begun by its Session).
    found = (_LOCKED if lock else _READ).rows(prepared.connection(session, begin=False), params)
    if not found:
        return ChangeInputs(None, cache.read(session, remember=not lock))
    row = found[0]
    code = (discount_code or "").strip()
    return ChangeInputs(
        membership=_LAYOUT.membership(row),
        catalog=cache.at(session, row[_VERSION], remember=not lock),
        customer=_LAYOUT.customer(row),
        usage=reads.usage_from(row[_SITES], row[_DOMAINS], bool(row[_PENDING])),
        discount=reads.discount_code(session, code) if code else None,
    )
