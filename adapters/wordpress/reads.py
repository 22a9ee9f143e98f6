"""Row reads on an open connection, shared by ``WordPressStore`` and ``WordPressTransaction``.

The store reads on short connections of its own; a transaction reads on its connection so
it sees its own writes. Both go through one :class:`RowReader`, so a query and its mapping
are written once and neither module reaches into the other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from planswitch.adapters.wordpress.mappers import Mapper, RowError
from planswitch.adapters.wordpress.tables import WordPressTables
from planswitch.domain.customers import Customer
from planswitch.domain.discounts import DiscountCode
from planswitch.domain.memberships import Membership
from planswitch.domain.payments import Payment
from planswitch.domain.ports import ProductFilter
from planswitch.domain.products import Product
from sqlalchemy import func, literal, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Select

T = TypeVar("T")

ALL_PRODUCTS = ProductFilter()
USER_COLUMNS = ("user_email", "display_name", "user_login")


def ids_of(ids: Iterable[Any]) -> list[int]:
    """Distinct ids as ints, ascending."""
    return sorted({int(i) for i in ids})


def meta(
    conn: Connection,
    table: Any,
    id_column: str,
    ids: Sequence[int],
    keys: Sequence[str] | None = None,
) -> dict[int, dict[str, Any]]:
    """All meta of ``ids`` in one statement: id → {key: value}; the first row of a key wins
    (WordPress's ``get_metadata(..., single=true)``)."""
    result: dict[int, dict[str, Any]] = {i: {} for i in ids}
    if not ids:
        return result
    owner = table.c[id_column]
    query = select(owner, table.c.meta_key, table.c.meta_value).where(owner.in_(list(ids)))
    if keys is not None:
        query = query.where(table.c.meta_key.in_(list(keys)))
    for object_id, key, value in conn.execute(query.order_by(table.c.meta_id)):
        result.setdefault(int(object_id), {}).setdefault(str(key), value)
    return result


class RowReader:
    """Queries and row mapping over one network's tables.

    Args:
        tables: the network's tables.
        mapper: rows → domain objects (carries the site's time zone).
        on_error: told about each row that cannot be decoded (the row is then skipped).
    """

    def __init__(
        self, tables: WordPressTables, mapper: Mapper, on_error: Callable[[RowError], None]
    ) -> None:
        self.tables = tables
        self.mapper = mapper
        self.on_error = on_error

    def collect(self, rows: Iterable[Any], build: Callable[[Any], T]) -> list[T]:
        """Map each row; a row that fails is reported to ``on_error`` and skipped."""
        out = []
        for row in rows:
            try:
                out.append(build(row))
            except RowError as error:
                self.on_error(error)
        return out

    # ------------------------------------------------------------------------ catalog
    def products_query(self, where: ProductFilter = ALL_PRODUCTS) -> Select[Any]:
        """The products matching ``where``, ordered by list_order, then id."""
        p = self.tables.products
        query = select(p)
        if where.type is not None:
            query = query.where(p.c.type == where.type.value)
        if where.plan_group is not None:
            query = query.where(p.c.product_group == where.plan_group)
        if where.active is not None:
            query = query.where(p.c.active == (1 if where.active else 0))
        return query.order_by(p.c.list_order, p.c.id)

    def products(self, conn: Connection, query: Select[Any]) -> list[Product]:
        rows = [row._mapping for row in conn.execute(query)]
        found = meta(conn, self.tables.productmeta, "wu_product_id", [int(r["id"]) for r in rows])
        return self.collect(rows, lambda r: self.mapper.product(r, found.get(int(r["id"]), {})))

    def products_by_id(self, conn: Connection, ids: Sequence[int]) -> dict[int, Product]:
        wanted = ids_of(ids)
        if not wanted:
            return {}
        p = self.tables.products
        items = self.products(conn, select(p).where(p.c.id.in_(wanted)).order_by(p.c.id))
        return {product.id: product for product in items}

    def discount_code(self, conn: Connection, code: str) -> DiscountCode | None:
        """Case-insensitive lookup (the plugin upper-cases codes); the lowest id wins."""
        d = self.tables.discount_codes
        query = (
            select(d)
            .where(func.upper(d.c.code) == func.upper(literal(code.strip())))
            .order_by(d.c.id)
            .limit(1)
        )
        rows = [r._mapping for r in conn.execute(query)]
        found = meta(
            conn, self.tables.discount_codemeta, "wu_discount_code_id", [int(r["id"]) for r in rows]
        )
        codes = self.collect(
            rows, lambda r: self.mapper.discount_code(r, found.get(int(r["id"]), {}))
        )
        return codes[0] if codes else None

    # ---------------------------------------------------------------------- customers
    def customers_query(self) -> Select[Any]:
        c, u = self.tables.customers, self.tables.users
        columns = [u.c[name] for name in USER_COLUMNS]
        return select(c, *columns).select_from(c.outerjoin(u, c.c.user_id == u.c.ID))

    def customer(self, row: Mapping[str, Any]) -> Customer:
        user = {key: row[key] for key in USER_COLUMNS}
        return self.mapper.customer(row, user if row["user_login"] is not None else None)

    def customers(self, conn: Connection, query: Select[Any]) -> list[Customer]:
        rows = [r._mapping for r in conn.execute(query)]
        return self.collect(rows, self.customer)

    def customers_by_id(self, conn: Connection, ids: Sequence[int]) -> dict[int, Customer]:
        wanted = ids_of(ids)
        if not wanted:
            return {}
        c = self.tables.customers
        query = self.customers_query().where(c.c.id.in_(wanted)).order_by(c.c.id)
        return {customer.id: customer for customer in self.customers(conn, query)}

    # -------------------------------------------------------------------- memberships
    def memberships(self, conn: Connection, query: Select[Any]) -> list[Membership]:
        rows = [row._mapping for row in conn.execute(query)]
        found = meta(
            conn, self.tables.membershipmeta, "wu_membership_id", [int(r["id"]) for r in rows]
        )
        return self.collect(rows, lambda r: self.mapper.membership(r, found.get(int(r["id"]), {})))

    def memberships_by_id(
        self, conn: Connection, ids: Sequence[int], *, lock: bool = False
    ) -> dict[int, Membership]:
        """Memberships by id (``lock`` = ``SELECT … FOR UPDATE``)."""
        m = self.tables.memberships
        query = select(m).where(m.c.id.in_(ids_of(ids))).order_by(m.c.id)
        if lock:
            query = query.with_for_update()
        return {membership.id: membership for membership in self.memberships(conn, query)}

    # ----------------------------------------------------------------------- payments
    def payments(self, conn: Connection, query: Select[Any]) -> list[Payment]:
        rows = [row._mapping for row in conn.execute(query)]
        found = meta(
            conn,
            self.tables.paymentmeta,
            "wu_payment_id",
            [int(r["id"]) for r in rows],
            keys=("wu_line_items",),
        )
        return self.collect(rows, lambda r: self.mapper.payment(r, found.get(int(r["id"]), {})))

    def payments_by_id(self, conn: Connection, ids: Sequence[int]) -> dict[int, Payment]:
        wanted = ids_of(ids)
        if not wanted:
            return {}
        p = self.tables.payments
        items = self.payments(conn, select(p).where(p.c.id.in_(wanted)).order_by(p.c.id))
        return {payment.id: payment for payment in items}
