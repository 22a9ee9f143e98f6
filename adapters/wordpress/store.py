"""``WordPressStore``: the ``domain.ports.Store`` over a network's Ultimate Multisite tables.

Reads use a constant number of statements per call (rows, then all their meta with one
``IN`` list). A row that cannot be decoded is logged, skipped and kept in ``read_errors``
so a caller (the API, sync) can report it. Writes happen only through ``transaction()``,
and only when the store was built with ``writes=True``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from planswitch.adapters.wordpress import counter, own_schema, pending
from planswitch.adapters.wordpress import usage as usage_queries
from planswitch.adapters.wordpress.catalog import CatalogCache
from planswitch.adapters.wordpress.mappers import (
    DATE_FORMAT,
    SWAP_DATE,
    SWAP_ORDER,
    Mapper,
    RowError,
    SiteTime,
    plugin_settings,
)
from planswitch.adapters.wordpress.names import TableNames
from planswitch.adapters.wordpress.reads import ALL_PRODUCTS, RowReader, ids_of
from planswitch.adapters.wordpress.reads import meta as meta_of
from planswitch.adapters.wordpress.tables import WordPressTables
from planswitch.adapters.wordpress.transaction import WordPressTransaction
from planswitch.domain.customers import Customer
from planswitch.domain.discounts import DiscountCode
from planswitch.domain.errors import DomainError, ErrorCode
from planswitch.domain.memberships import Membership
from planswitch.domain.network import NetworkSettings
from planswitch.domain.payments import Payment
from planswitch.domain.pending_change import PendingChange
from planswitch.domain.ports import (
    Catalog,
    ChangeInputs,
    MembershipFilter,
    MembershipReads,
    Page,
    ProductFilter,
)
from planswitch.domain.products import Product
from planswitch.domain.usage import Site, Usage
from sqlalchemy import and_, create_engine, event, func, select
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.sql import Select

log = logging.getLogger(__name__)

T = TypeVar("T")

WRITES_DISABLED_MESSAGE = "Writes to WordPress are disabled; set PLANSWITCH_WORDPRESS_WRITES=1."
SITE_META_KEYS = ("wu_membership_id", "wu_customer_id", "wu_type")
MAX_READ_ERRORS = 1000
SETTINGS = "wp-ultimo_v2_settings"


def make_engine(url: str) -> Engine:
    """A MySQL/MariaDB engine: utf8mb4, pre-ping, and strict mode on every session."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "mysql" and "charset" not in parsed.query:
        parsed = parsed.update_query_dict({"charset": "utf8mb4"})
    engine = create_engine(parsed, pool_pre_ping=True)

    @event.listens_for(engine, "connect")
    def _strict_mode(dbapi_connection: Any, _record: Any) -> None:
        # The plugin's tables assume strict mode (docs/wordpress.md §5.1); add it to whatever the
        # server set.
        cursor = dbapi_connection.cursor()
        cursor.execute(
            "SET SESSION sql_mode = TRIM(BOTH ',' FROM "
            "CONCAT_WS(',', REPLACE(@@SESSION.sql_mode, 'STRICT_TRANS_TABLES', ''), "
            "'STRICT_TRANS_TABLES'))"
        )
        cursor.execute("SET time_zone = '+00:00'")
        cursor.close()

    return engine


class WordPressStore:
    """Reads (and, with ``writes=True``, changes) one network's plugin tables.

    Args:
        url: SQLAlchemy URL of the WordPress database (``mysql+pymysql://…``).
        prefix: WordPress ``$table_prefix`` (the network's base prefix).
        network_id: the network for multi-network installs (None = main network).
        writes: allow ``transaction()``; off by default (read-only).
    """

    inline_reads = False  # MySQL/MariaDB over the network: reads wait, so they hop

    def __init__(
        self,
        url: str,
        prefix: str = "wp_",
        network_id: int | None = None,
        writes: bool = False,
        *,
        engine: Engine | None = None,
    ) -> None:
        self.names = TableNames(prefix, network_id)
        self.tables = WordPressTables(self.names)
        self.engine = engine or make_engine(url)
        self.writes = writes
        self.read_errors: list[RowError] = []
        self._reader: RowReader | None = None
        self._network = NetworkSettings()
        self._catalog = CatalogCache()
        self._counter = counter.MembershipCounter(self.tables)

    # ------------------------------------------------------------------------- plumbing
    @property
    def mapper(self) -> Mapper:
        """The row mapper, with the main site's time zone (read once)."""
        return self.reader.mapper

    @property
    def reader(self) -> RowReader:
        """Queries and row mapping, shared with this store's transactions (built once)."""
        if self._reader is None:
            with self.engine.connect() as conn:
                self._network = self._network_settings(conn)
                mapper = Mapper(
                    self.names,
                    self._site_time(conn),
                    self._network.company_name,
                    self._network.currency,
                )
            self._reader = RowReader(self.tables, mapper, self._record_error)
        return self._reader

    def network_settings(self) -> NetworkSettings:
        """The plugin's settings that shape what planswitch shows (read with the time zone)."""
        _ = self.reader
        return self._network

    def _connect(self) -> Connection:
        """A connection, after the mapper (and its one options query) is ready."""
        _ = self.reader
        return self.engine.connect()

    def _site_time(self, conn: Connection) -> SiteTime:
        options = self.tables.options
        rows = conn.execute(
            select(options.c.option_name, options.c.option_value).where(
                options.c.option_name.in_(("timezone_string", "gmt_offset"))
            )
        )
        values = {name: value for name, value in rows}
        return SiteTime.from_options(values.get("timezone_string"), values.get("gmt_offset"))

    def _network_settings(self, conn: Connection) -> NetworkSettings:
        """``wu_get_setting()`` reads the network option ``wp-ultimo_v2_settings``
        (``inc/class-settings.php:34, 150-163``, ``inc/functions/options.php:20-25``)."""
        meta = self.tables.sitemeta
        rows = conn.execute(
            select(meta.c.meta_key, meta.c.meta_value)
            .where(
                meta.c.site_id == (self.names.network_id or 1),
                meta.c.meta_key.in_((SETTINGS, "site_name")),
            )
            .order_by(meta.c.meta_id.desc())  # so the first row of a key is kept below
        )
        values = {key: value for key, value in rows}
        return plugin_settings(values.get(SETTINGS), values.get("site_name") or "")

    def _record_error(self, error: RowError) -> None:
        log.warning("skipping unreadable row: %s", error)
        self.read_errors.append(error)
        del self.read_errors[:-MAX_READ_ERRORS]  # a long-running server keeps the latest

    # --------------------------------------------------------------------------- catalog
    def products_query(self, where: ProductFilter) -> Select:
        """The products matching ``where``, ordered by list_order, then id."""
        return self.reader.products_query(where)

    def catalog(self) -> Catalog:
        """Every product, cached while the plugin's tables show no change (``catalog.py``)."""
        with self._connect() as conn:
            return self._catalog.read(
                conn,
                self.tables,
                lambda: self.reader.products(conn, self.reader.products_query(ALL_PRODUCTS)),
            )

    def change_inputs(self, membership_id: int, discount_code: str | None = None) -> ChangeInputs:
        """The port's inputs of a quote, from this store's reads."""
        membership = self.memberships_by_id([membership_id]).get(membership_id)
        if membership is None:
            return ChangeInputs(None, self.catalog())
        code = (discount_code or "").strip()
        return ChangeInputs(
            membership,
            self.catalog(),
            self.customers_by_id([membership.customer_id]).get(membership.customer_id),
            self.usage(membership_id),
            self.discount_code(code) if code else None,
        )

    def list_products(self, where: ProductFilter = ALL_PRODUCTS) -> list[Product]:
        """Products ordered by list_order, then id (2 statements)."""
        with self._connect() as conn:
            return self.reader.products(conn, self.reader.products_query(where))

    def products_by_id(self, ids: Sequence[int]) -> dict[int, Product]:
        if not ids_of(ids):
            return {}
        with self._connect() as conn:
            return self.reader.products_by_id(conn, ids)

    def product_by_slug(self, slug: str) -> Product | None:
        p = self.tables.products
        with self._connect() as conn:
            products = self.reader.products(
                conn, select(p).where(p.c.slug == slug).order_by(p.c.id).limit(1)
            )
        return products[0] if products else None

    def discount_code(self, code: str) -> DiscountCode | None:
        """Case-insensitive lookup (the plugin upper-cases codes)."""
        with self._connect() as conn:
            return self.reader.discount_code(conn, code)

    # ------------------------------------------------------------------------- customers
    def list_customers(self, offset: int, limit: int) -> Page[Customer]:
        """Customers ordered by id (2 statements: count, page)."""
        c = self.tables.customers
        with self._connect() as conn:
            total = int(conn.execute(select(func.count()).select_from(c)).scalar_one())
            query = self.reader.customers_query().order_by(c.c.id)
            items = self.reader.customers(conn, query.offset(max(offset, 0)).limit(limit))
        return Page(items, total)

    def customers_by_id(self, ids: Sequence[int]) -> dict[int, Customer]:
        if not ids_of(ids):
            return {}
        with self._connect() as conn:
            return self.reader.customers_by_id(conn, ids)

    # ----------------------------------------------------------------------- memberships
    # Private shorthands over the shared reader (used inside this module only).
    def _ids(self, ids: Any) -> list[int]:
        return ids_of(ids)

    def _meta(
        self, conn: Connection, table: Any, id_column: str, ids: Any, keys: Any = None
    ) -> Any:
        return meta_of(conn, table, id_column, list(ids), keys)

    def _collect(self, rows: Any, build: Any) -> Any:
        return self.reader.collect(rows, build)

    def _memberships(self, conn: Connection, query: Select[Any]) -> list[Membership]:
        return self.reader.memberships(conn, query)

    def _payments(self, conn: Connection, query: Select[Any]) -> list[Payment]:
        return self.reader.payments(conn, query)

    def _customers_query(self) -> Select[Any]:
        return self.reader.customers_query()

    def _customer(self, row: Any) -> Customer:
        return self.reader.customer(row)

    def _membership_condition(self, where: MembershipFilter) -> Any:
        m = self.tables.memberships
        conditions = []
        if where.customer_id is not None:
            conditions.append(m.c.customer_id == where.customer_id)
        if where.status is not None:
            conditions.append(m.c.status == where.status.value)
        if where.plan_id is not None:
            conditions.append(m.c.plan_id == where.plan_id)
        return and_(True, *conditions)

    def count_memberships(self, where: MembershipFilter) -> int:
        with self._connect() as conn:
            return self._count_memberships(conn, where)

    def _count_memberships(self, conn: Connection, where: MembershipFilter) -> int:
        """Unfiltered, the kept count when the opt-in counter is installed (``counter.py``):
        one read of a row instead of COUNT(*), which reads a whole index of the table."""
        if where == MembershipFilter():
            kept = self._counter.read(conn)
            if kept is not None:
                return kept
        m = self.tables.memberships
        query = select(func.count()).select_from(m).where(self._membership_condition(where))
        return int(conn.execute(query).scalar_one())

    def membership_page(
        self, where: MembershipFilter, after_id: int | None, limit: int
    ) -> list[Membership]:
        """Keyset page by id (2 statements: rows, meta), on the primary key whatever the depth."""
        m = self.tables.memberships
        query = select(m).where(self._membership_condition(where))
        if after_id is not None:
            query = query.where(m.c.id > after_id)
        with self._connect() as conn:
            return self._memberships(conn, query.order_by(m.c.id).limit(limit))

    def membership_reads(
        self,
        ids: Sequence[int] | None = None,
        page: tuple[MembershipFilter, int | None, int] | None = None,
        *,
        customers: bool = False,
        count: bool = False,
    ) -> MembershipReads:
        """The port's reads one after the other (one thread hop for the caller; the plugin's
        tables give no join that would save statements here)."""
        total = None
        if page is not None:
            items = self.membership_page(*page)
            total = self.count_memberships(page[0]) if count else None
        else:
            found = self.memberships_by_id(ids or ())
            items = [found[i] for i in sorted(found)]
        owners = {m.customer_id for m in items}
        return MembershipReads(
            items,
            self.catalog(),
            self.customers_by_id(sorted(owners)) if customers and owners else {},
            total,
        )

    def count_customers(self) -> int:
        c = self.tables.customers
        with self._connect() as conn:
            return int(conn.execute(select(func.count()).select_from(c)).scalar_one())

    def customer_page(self, after_id: int | None, limit: int) -> list[Customer]:
        c = self.tables.customers
        query = self._customers_query()
        if after_id is not None:
            query = query.where(c.c.id > after_id)
        with self._connect() as conn:
            rows = [r._mapping for r in conn.execute(query.order_by(c.c.id).limit(limit))]
        return self._collect(rows, self._customer)

    def list_memberships(
        self, where: MembershipFilter, offset: int, limit: int
    ) -> Page[Membership]:
        """Memberships ordered by id (3 statements: count, page, meta)."""
        m = self.tables.memberships
        condition = self._membership_condition(where)
        with self._connect() as conn:
            total = self._count_memberships(conn, where)
            query = select(m).where(condition).order_by(m.c.id).offset(max(offset, 0)).limit(limit)
            items = self.reader.memberships(conn, query)
        return Page(items, total)

    def memberships_by_id(self, ids: Sequence[int]) -> dict[int, Membership]:
        if not ids_of(ids):
            return {}
        with self._connect() as conn:
            return self.reader.memberships_by_id(conn, ids)

    def memberships_by_customer(self, customer_ids: Sequence[int]) -> dict[int, list[Membership]]:
        """customer id → their memberships ordered by id (every requested id is a key)."""
        wanted = ids_of(customer_ids)
        result: dict[int, list[Membership]] = {i: [] for i in wanted}
        if not wanted:
            return result
        m = self.tables.memberships
        with self._connect() as conn:
            items = self.reader.memberships(
                conn, select(m).where(m.c.customer_id.in_(wanted)).order_by(m.c.id)
            )
        for membership in items:
            result.setdefault(membership.customer_id, []).append(membership)
        return result

    # -------------------------------------------------------------------------- payments
    def payments_by_id(self, ids: Sequence[int]) -> dict[int, Payment]:
        if not ids_of(ids):
            return {}
        with self._connect() as conn:
            return self.reader.payments_by_id(conn, ids)

    def payments_by_membership(self, membership_ids: Sequence[int]) -> dict[int, list[Payment]]:
        """membership id → its payments ordered by id (every requested id is a key)."""
        wanted = ids_of(membership_ids)
        result: dict[int, list[Payment]] = {i: [] for i in wanted}
        if not wanted:
            return result
        p = self.tables.payments
        with self._connect() as conn:
            items = self.reader.payments(
                conn, select(p).where(p.c.membership_id.in_(wanted)).order_by(p.c.id)
            )
        for payment in items:
            result.setdefault(payment.membership_id, []).append(payment)
        return result

    # ----------------------------------------------------------------------------- sites
    def sites_by_membership(self, membership_ids: Sequence[int]) -> dict[int, list[Site]]:
        """membership id → its sites (blogmeta ``wu_membership_id``) by blog id (2 statements)."""
        wanted = ids_of(membership_ids)
        result: dict[int, list[Site]] = {i: [] for i in wanted}
        if not wanted:
            return result
        blogs, meta = self.tables.blogs, self.tables.blogmeta
        with self._connect() as conn:
            query = (
                select(blogs)
                .join(meta, meta.c.blog_id == blogs.c.blog_id)
                .where(
                    meta.c.meta_key == "wu_membership_id",
                    meta.c.meta_value.in_([str(i) for i in wanted]),
                )
                .distinct()
                .order_by(blogs.c.blog_id)
            )
            rows = [r._mapping for r in conn.execute(query)]
            site_meta = meta_of(
                conn, meta, "blog_id", [int(r["blog_id"]) for r in rows], keys=SITE_META_KEYS
            )
        sites = self.reader.collect(
            rows, lambda r: self.mapper.site(r, site_meta.get(int(r["blog_id"]), {}))
        )
        for site in sites:
            if site.membership_id in result:
                result[site.membership_id].append(site)
        return result

    def sites_by_id(self, ids: Sequence[int]) -> dict[int, Site]:
        """blog id → the site (with its ``wu_membership_id`` / ``wu_customer_id`` meta)."""
        wanted = self._ids(ids)
        if not wanted:
            return {}
        blogs, meta = self.tables.blogs, self.tables.blogmeta
        with self._connect() as conn:
            query = select(blogs).where(blogs.c.blog_id.in_(wanted)).order_by(blogs.c.blog_id)
            rows = [r._mapping for r in conn.execute(query)]
            site_meta = self._meta(
                conn, meta, "blog_id", [int(r["blog_id"]) for r in rows], keys=SITE_META_KEYS
            )
        sites = self._collect(
            rows, lambda r: self.mapper.site(r, site_meta.get(int(r["blog_id"]), {}))
        )
        return {site.id: site for site in sites}

    def usage(self, membership_id: int) -> Usage:
        """Published sites, posts per type, apex domains, pending payment (at most 5 statements)."""
        own = pending.table_exists(self.engine, self.tables)
        with self.engine.connect() as conn:
            return usage_queries.membership_usage(conn, self.tables, int(membership_id), own)

    # ------------------------------------------------------------- pending changes (ours)
    def payments_by_customer(self, customer_ids: Sequence[int]) -> dict[int, list[Payment]]:
        """customer id → its payments ordered by id (every requested id is a key)."""
        wanted = self._ids(customer_ids)
        result: dict[int, list[Payment]] = {i: [] for i in wanted}
        if not wanted:
            return result
        p = self.tables.payments
        with self._connect() as conn:
            items = self._payments(
                conn, select(p).where(p.c.customer_id.in_(wanted)).order_by(p.c.id)
            )
        for payment in items:
            result.setdefault(payment.customer_id, []).append(payment)
        return result

    def _pending(self, read: Callable[[Connection, frozenset[str]], T], empty: T) -> T:
        present = pending.columns(self.engine, self.tables)
        if present is None:
            return empty  # never written to: nothing is pending
        with self.engine.connect() as conn:
            return read(conn, present)

    def pending_changes_by_membership(
        self, membership_ids: Sequence[int]
    ) -> dict[int, PendingChange]:
        return self._pending(
            lambda c, cols: pending.by_membership(c, self.tables, membership_ids, cols), {}
        )

    def pending_changes_by_payment(self, payment_ids: Sequence[int]) -> dict[int, PendingChange]:
        return self._pending(
            lambda c, cols: pending.by_payment(c, self.tables, payment_ids, cols), {}
        )

    def overdue_pending_payments(self, now: datetime, limit: int = 100) -> list[int]:
        return self._pending(lambda c, _: pending.overdue_payments(c, self.tables, now, limit), [])

    def pending_change_payments(self, limit: int = 1000) -> list[int]:
        return self._pending(lambda c, _: pending.waiting_payments(c, self.tables, limit), [])

    # ------------------------------------------------------------------------ scheduling
    def due_scheduled_changes(self, now: datetime, limit: int = 100) -> list[int]:
        """Ids of memberships whose swap (``wu_swap_order`` + date ≤ ``now``) is due, by date."""
        meta = self.tables.membershipmeta
        dates = meta.alias("swap_date")
        orders = meta.alias("swap_order")
        cutoff = now.astimezone(UTC).strftime(DATE_FORMAT)
        query = (
            select(dates.c.wu_membership_id)
            .join(
                orders,
                and_(
                    orders.c.wu_membership_id == dates.c.wu_membership_id,
                    orders.c.meta_key == SWAP_ORDER,
                ),
            )
            .where(
                dates.c.meta_key == SWAP_DATE,
                dates.c.meta_value != "",
                dates.c.meta_value <= cutoff,
            )
            .group_by(dates.c.wu_membership_id)
            .order_by(func.min(dates.c.meta_value), dates.c.wu_membership_id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [int(row[0]) for row in conn.execute(query)]

    # ------------------------------------------------------------------------- lifecycle
    def transaction(self, now: datetime | None = None) -> WordPressTransaction:
        """One database transaction for a change, stamped with one instant.

        Args:
            now: the instant of the change (aware); ``date_modified``, Action Scheduler log
                dates and payment dates all use it, so one commit carries one time. Without
                it the clock is read once, when the transaction starts.

        Raises:
            DomainError: WRITES_DISABLED when the store is read-only.
        """
        if not self.writes:
            raise DomainError(ErrorCode.WRITES_DISABLED, WRITES_DISABLED_MESSAGE)
        return WordPressTransaction(
            self.engine, self.reader, now or datetime.now(UTC), self._catalog.clear
        )

    def check(self) -> None:
        """Raise if the database cannot be reached or the plugin's tables are missing."""
        with self.engine.connect() as conn:
            # One row, not COUNT(*): readiness probes run often and a count reads every row.
            conn.execute(select(self.tables.memberships.c.id).limit(1))

    def install_membership_counter(self) -> int:
        """Install the opt-in membership counter (``counter.py``); returns the count."""
        total = counter.install(self.engine, self.tables)
        self._counter.forget()
        return total

    def remove_membership_counter(self) -> None:
        """Remove the membership counter; the unfiltered count is COUNT(*) again."""
        counter.remove(self.engine, self.tables)
        self._counter.forget()

    def ensure_own_tables(self) -> int:
        """Create or migrate planswitch's own tables (``own_schema.py``); returns their version."""
        return own_schema.upgrade(self.engine, self.tables)

    def take_read_errors(self) -> list[RowError]:
        """Return and clear the unreadable rows seen so far."""
        errors, self.read_errors = self.read_errors, []
        return errors

    def dispose(self) -> None:
        self.engine.dispose()
