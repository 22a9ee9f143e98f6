"""``WordPressSyncSource``: the network's tables streamed in id order for ``planswitch sync``.

Each batch is a keyset page of rows (``id > last ORDER BY id LIMIT n``, the ``since``
filter in SQL) decoded with the meta rows of the keys the mappers read: a constant number
of statements per batch whatever the network's size, and only one batch in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from planswitch.adapters.wordpress import usage as usage_queries
from planswitch.adapters.wordpress.mappers import (
    LIMITATIONS,
    LINE_ITEMS,
    SWAP_DATE,
    SWAP_ORDER,
    RowError,
)
from planswitch.adapters.wordpress.store import SITE_META_KEYS, WordPressStore
from planswitch.domain.sync import SiteDomain, SiteRecord, SourceBatch, UnreadableRow
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql import ColumnElement, Select

# Dates before this are the plugin's "no date" (0000-00-00 …): always considered.
NO_DATE_BEFORE = "1000-01-01 00:00:00"
# The membership meta ``Mapper.membership`` reads (docs/wordpress.md §4); a network stores
# others (e.g. ``verified_payment_discount`` on half the memberships) that a sync never uses.
MEMBERSHIP_META_KEYS = (LIMITATIONS, SWAP_ORDER, SWAP_DATE)


class WordPressSyncSource:
    """``planswitch.domain.sync.SyncSource`` over a ``WordPressStore``."""

    def __init__(self, store: WordPressStore) -> None:
        self.store = store
        self.t = store.tables
        self.network = store.names.network_id or 1
        self._main_site: int | None = None

    # ---------------------------------------------------------------------------- shape
    def _source(self, table: str) -> tuple[Any, Any, Any]:
        """(table, id column, modified column) of a logical sync table."""
        if table == "sites":
            b = self.t.blogs
            return b, b.c.blog_id, b.c.last_updated
        source = getattr(self.t, table)
        return source, source.c.id, source.c.date_modified

    def _scope(self, table: str) -> list[ColumnElement[bool]]:
        if table != "sites":
            return []
        b = self.t.blogs
        return [b.c.site_id == self.network, b.c.blog_id != self.main_site_id()]

    def _since(self, table: str, since: datetime | None) -> list[ColumnElement[bool]]:
        if since is None:
            return []
        _source, _id, modified = self._source(table)
        at = since.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        return [or_(modified.is_(None), modified < NO_DATE_BEFORE, modified >= at)]

    def main_site_id(self) -> int:
        # WordPress's main site of a network is its lowest blog id: blog 1 on the main
        # network (wp_site has no main-site column in the tables we read).
        if self._main_site is None:
            if self.network == 1:
                self._main_site = 1
            else:
                b = self.t.blogs
                with self.store.engine.connect() as conn:
                    first = conn.execute(
                        select(func.min(b.c.blog_id)).where(b.c.site_id == self.network)
                    ).scalar()
                self._main_site = int(first or 0)
        return self._main_site

    # ---------------------------------------------------------------------------- port
    def after_fork(self) -> None:
        # The pool's connections belong to the parent: forget them without closing them
        # (SQLAlchemy's advice for forked processes), so the child opens its own.
        self.store.engine.dispose(close=False)

    def count(self, table: str, since: datetime | None) -> tuple[int, int]:
        """(rows in scope, rows ``since`` considers): one statement."""
        source, row_id, _modified = self._source(table)
        chosen = self._since(table, since)
        considered = func.sum(case((and_(*chosen), 1), else_=0)) if chosen else func.count(row_id)
        query = select(func.count(row_id), considered).where(and_(True, *self._scope(table)))
        with self.store.engine.connect() as conn:
            total, picked = conn.execute(query.select_from(source)).one()
        return int(total or 0), int(picked or 0)

    def batches(self, table: str, since: datetime | None, size: int) -> Iterator[SourceBatch]:
        """Keyset pages read as rows (``id > last ORDER BY id LIMIT size``), then decoded
        with their meta: two or three statements a batch, the primary key's order."""
        _source, row_id, _modified = self._source(table)
        conditions = [*self._scope(table), *self._since(table, since)]
        query = self._rows_query(table).where(*conditions).order_by(row_id).limit(size)
        key = "blog_id" if table == "sites" else "id"
        last = None
        while True:
            page = query if last is None else query.where(row_id > last)
            with self.store.engine.connect() as conn:
                rows = [r._mapping for r in conn.execute(page)]
                if not rows:
                    return
                ids = [int(r[key]) for r in rows]
                found, errors = self._decode(conn, table, rows, ids)
            last = ids[-1]
            yield SourceBatch(ids, found, [UnreadableRow(e.table, e.id, e.reason) for e in errors])
            if len(ids) < size:
                return

    def _rows_query(self, table: str) -> Select[Any]:
        if table == "sites":
            return select(self.t.blogs)
        if table == "customers":
            return self.store.reader.customers_query()
        return select(getattr(self.t, table))

    # ---------------------------------------------------------------------------- reads
    def read(self, table: str, ids: list[int]) -> tuple[dict[int, Any], list[UnreadableRow]]:
        """Domain objects by id, and the rows that could not be decoded."""
        _source, row_id, _modified = self._source(table)
        wanted = sorted(set(ids))
        query = self._rows_query(table).where(row_id.in_(wanted)).order_by(row_id)
        with self.store.engine.connect() as conn:
            rows = [r._mapping for r in conn.execute(query)]
            found, errors = self._decode(conn, table, rows, wanted)
        return found, [UnreadableRow(e.table, e.id, e.reason) for e in errors]

    def _decode(
        self, conn: Connection, table: str, rows: list[Any], ids: list[int]
    ) -> tuple[dict[int, Any], list[RowError]]:
        """Rows of ``table`` (ids ``ids``) as domain objects, with the meta they need."""
        t, mapper = self.t, self.store.mapper
        if table == "sites":
            return self._sites(conn, rows, ids)
        if table == "customers":
            return _map_rows(rows, "id", self.store.reader.customer)
        if table == "products":
            meta = self._meta(conn, t.productmeta, "wu_product_id", ids, None)
            return _map_rows(rows, "id", lambda r: mapper.product(r, meta[int(r["id"])]))
        if table == "discount_codes":
            codes = ("wu_allowed_products", "wu_limit_products")
            meta = self._meta(conn, t.discount_codemeta, "wu_discount_code_id", ids, codes)
            return _map_rows(rows, "id", lambda r: mapper.discount_code(r, meta[int(r["id"])]))
        if table == "memberships":
            meta = self._meta(conn, t.membershipmeta, "wu_membership_id", ids, MEMBERSHIP_META_KEYS)
            return _map_rows(rows, "id", lambda r: mapper.membership(r, meta[int(r["id"])]))
        meta = self._meta(conn, t.paymentmeta, "wu_payment_id", ids, (LINE_ITEMS,))
        return _map_rows(rows, "id", lambda r: mapper.payment(r, meta[int(r["id"])]))

    def _meta(
        self,
        conn: Connection,
        table: Any,
        column: str,
        ids: list[int],
        keys: Sequence[str] | None,
    ) -> dict[int, dict[str, Any]]:
        # Single meta values, the first row of a key wins (get_metadata(..., single=true)).
        # Only the keys the mappers read: a network's meta tables hold many others.
        meta: dict[int, dict[str, Any]] = {i: {} for i in ids}
        query = select(table.c[column], table.c.meta_key, table.c.meta_value).where(
            table.c[column].in_(ids)
        )
        if keys is not None:
            query = query.where(table.c.meta_key.in_(list(keys)))
        query = query.order_by(table.c.meta_id)
        for owner, key, value in conn.execute(query):
            meta.setdefault(int(owner), {}).setdefault(str(key), value)
        return meta

    def _sites(
        self, conn: Connection, rows: list[Any], ids: list[int]
    ) -> tuple[dict[int, Any], list[RowError]]:
        mapper = self.store.mapper
        main = self.main_site_id()
        meta = self._meta(conn, self.t.blogmeta, "blog_id", ids, SITE_META_KEYS)
        domains = self._domains(conn, ids)
        sites, errors = _map_rows(
            rows, "blog_id", lambda r: mapper.site(r, meta[int(r["blog_id"])], main)
        )
        posts = usage_queries.post_counts_by_site(conn, self.t, list(sites))
        result = {
            site_id: SiteRecord(site, posts.get(site_id, {}), tuple(domains.get(site_id, ())))
            for site_id, site in sites.items()
        }
        return result, errors

    def _domains(self, conn: Connection, ids: list[int]) -> dict[int, list[SiteDomain]]:
        mappings = self.t.domain_mappings
        if not usage_queries.existing_tables(conn, [mappings.name]):
            return {}
        query = (
            select(
                mappings.c.blog_id, mappings.c.domain, mappings.c.active, mappings.c.primary_domain
            )
            .where(mappings.c.blog_id.in_(ids))
            .order_by(mappings.c.id)
        )
        found: dict[int, list[SiteDomain]] = {}
        for blog_id, domain, active, primary in conn.execute(query):
            found.setdefault(int(blog_id), []).append(
                SiteDomain(str(domain), bool(active), bool(primary))
            )
        return found


def _map_rows(
    rows: Iterable[Mapping[Any, Any]], key: str, build: Callable[[Mapping[Any, Any]], Any]
) -> tuple[dict[int, Any], list[RowError]]:
    found: dict[int, Any] = {}
    errors: list[RowError] = []
    for row in rows:
        try:
            found[int(row[key])] = build(row)
        except RowError as error:
            errors.append(error)
    return found, errors
