"""Batch reads of the network's tables for ``planswitch sync``, with modification dates."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from planswitch.adapters.wordpress import usage as usage_queries
from planswitch.adapters.wordpress.mappers import RowError, parse_datetime
from planswitch.adapters.wordpress.store import SITE_META_KEYS
from sqlalchemy import select
from sqlalchemy.engine import Connection

if TYPE_CHECKING:
    from planswitch.adapters.native.writes import SiteDomain
    from planswitch.adapters.wordpress.store import WordPressStore


class SyncSource:
    """Batch reads of one table of the network, with the rows' modification dates."""

    def __init__(self, store: WordPressStore) -> None:
        self.store = store
        self.t = store.tables
        self.network = store.names.network_id or 1

    def stamps(self, table: str) -> list[tuple[int, datetime | None]]:
        """(id, modified) of every row of ``table``, ordered by id (one statement)."""
        t = self.t
        if table == "sites":
            b = t.blogs
            query = (
                select(b.c.blog_id, b.c.last_updated)
                .where(b.c.site_id == self.network, b.c.blog_id != self.main_site_id())
                .order_by(b.c.blog_id)
            )
        else:
            source = getattr(t, table)
            query = select(source.c.id, source.c.date_modified).order_by(source.c.id)
        with self.store.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [(int(row_id), _when(modified)) for row_id, modified in rows]

    def main_site_id(self) -> int:
        # wp_site has no main-site column in the tables we define; WordPress uses the
        # lowest blog id of the network with the network's domain and path: blog 1 on the
        # main network. On another network, its first blog.
        if self.network == 1:
            return 1
        b = self.t.blogs
        with self.store.engine.connect() as conn:
            first = conn.execute(
                select(b.c.blog_id).where(b.c.site_id == self.network).order_by(b.c.blog_id)
            ).first()
        return int(first[0]) if first else 0

    def read(self, table: str, ids: list[int]) -> tuple[dict[int, Any], list[RowError]]:
        """Domain objects by id, and the rows that could not be decoded."""
        self.store.take_read_errors()  # earlier reads' errors belong to no row of this batch
        if table == "discount_codes":
            return self._discount_codes(ids)
        if table == "sites":
            return self._sites(ids)
        readers: dict[str, Callable[[list[int]], dict[int, Any]]] = {
            "products": self.store.products_by_id,
            "customers": self.store.customers_by_id,
            "memberships": self.store.memberships_by_id,
            "payments": self.store.payments_by_id,
        }
        reader = readers[table]
        found = reader(ids)
        return found, self.store.take_read_errors()

    def _meta(
        self, conn: Connection, table: Any, column: str, ids: list[int], keys: Sequence[str]
    ) -> dict[int, dict[str, Any]]:
        # Single meta values, the first row of a key wins (get_metadata(..., single=true)).
        meta: dict[int, dict[str, Any]] = {i: {} for i in ids}
        query = (
            select(table.c[column], table.c.meta_key, table.c.meta_value)
            .where(table.c[column].in_(ids), table.c.meta_key.in_(list(keys)))
            .order_by(table.c.meta_id)
        )
        for owner, key, value in conn.execute(query):
            meta.setdefault(int(owner), {}).setdefault(str(key), value)
        return meta

    def _discount_codes(self, ids: list[int]) -> tuple[dict[int, Any], list[RowError]]:
        d = self.t.discount_codes
        with self.store.engine.connect() as conn:
            rows = [r._mapping for r in conn.execute(select(d).where(d.c.id.in_(ids)))]
            meta = self._meta(
                conn,
                self.t.discount_codemeta,
                "wu_discount_code_id",
                ids,
                ("wu_allowed_products", "wu_limit_products"),
            )
        return _map_rows(
            rows, "id", lambda r: self.store.mapper.discount_code(r, meta[int(r["id"])])
        )

    def _sites(self, ids: list[int]) -> tuple[dict[int, Any], list[RowError]]:
        b = self.t.blogs
        mapper = self.store.mapper
        main = self.main_site_id()
        with self.store.engine.connect() as conn:
            rows = [r._mapping for r in conn.execute(select(b).where(b.c.blog_id.in_(ids)))]
            meta = self._meta(conn, self.t.blogmeta, "blog_id", ids, SITE_META_KEYS)
            domains = self._domains(conn, ids)
            sites, errors = _map_rows(
                rows, "blog_id", lambda r: mapper.site(r, meta[int(r["blog_id"])], main)
            )
            result = {
                site_id: (
                    site,
                    usage_queries.post_counts(conn, self.t, [site_id]),
                    domains.get(site_id, []),
                )
                for site_id, site in sites.items()
            }
        return result, errors

    def _domains(self, conn: Connection, ids: list[int]) -> dict[int, list[SiteDomain]]:
        from planswitch.adapters.native.writes import SiteDomain

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


def _when(value: Any) -> datetime | None:
    try:
        return parse_datetime(value)
    except ValueError:
        return None  # an unreadable date: always considered


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
