"""``NativeStore``: the ``planswitch.domain.ports.Store`` on the service's own database.

Reads open a short session each. ``transaction()`` yields a ``NativeTransaction`` bound to
one session: leaving the block commits, an exception rolls back. ``bulk()`` does the same
for the seeding/sync upserts, so a whole batch is one transaction::

    store = NativeStore("sqlite:///./planswitch.db")
    with store.bulk() as batch:
        batch.upsert_product(product)          # -> "created" | "updated" | "unchanged"
        batch.upsert_membership(membership)

The schema is not created here: run ``planswitch.adapters.native.migrate.upgrade_database(url)`` (or
``store.upgrade()``) first.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from planswitch.adapters.native import inputs, membership_reads, pending, reads, writes
from planswitch.adapters.native.catalog import CatalogCache
from planswitch.adapters.native.engine import make_engine, write_engine
from planswitch.adapters.native.migrate import upgrade_engine
from planswitch.adapters.native.tables import MembershipRow, ProductRow
from planswitch.adapters.native.writes import SiteDomain, UpsertResult
from planswitch.domain.customers import Customer
from planswitch.domain.discounts import DiscountCode
from planswitch.domain.events import Event
from planswitch.domain.memberships import Membership
from planswitch.domain.network import NetworkSettings
from planswitch.domain.payments import Payment, PaymentStatus
from planswitch.domain.pending_change import PendingChange
from planswitch.domain.ports import (
    Catalog,
    ChangeInputs,
    IdempotencyRecord,
    MembershipFilter,
    MembershipReads,
    Page,
    ProductFilter,
)
from planswitch.domain.products import Product
from planswitch.domain.usage import Site, Usage
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session
from sqlmodel import col

ALL_PRODUCTS = ProductFilter()  # the port's default: every product


class NativeTransaction:
    """One open transaction (``planswitch.domain.ports.ChangeTransaction``)."""

    def __init__(self, session: Session, catalog: CatalogCache | None = None) -> None:
        self.session = session
        self._catalog = catalog if catalog is not None else CatalogCache()

    def change_inputs(self, membership_id: int, discount_code: str | None = None) -> ChangeInputs:
        return inputs.change_inputs(
            self.session, self._catalog, membership_id, discount_code, lock=True
        )

    def lock_membership(self, membership_id: int) -> Membership | None:
        """SELECT ... FOR UPDATE (PostgreSQL, MySQL); on SQLite the BEGIN IMMEDIATE of the
        transaction already holds the database's write lock."""
        query = (
            select(MembershipRow).where(col(MembershipRow.id) == membership_id).with_for_update()
        )
        rows = self.session.scalars(query.execution_options(populate_existing=True)).all()
        found = reads.memberships_from_rows(self.session, rows)
        return found[0] if found else None

    def products_by_id(self, ids: Sequence[int]) -> dict[int, Product]:
        return reads.products_by_id(self.session, ids)

    def list_products(self, where: ProductFilter = ALL_PRODUCTS) -> list[Product]:
        return reads.list_products(self.session, where)

    def customers_by_id(self, ids: Sequence[int]) -> dict[int, Customer]:
        return reads.customers_by_id(self.session, ids)

    def discount_code(self, code: str) -> DiscountCode | None:
        return reads.discount_code(self.session, code)

    def usage(self, membership_id: int) -> Usage:
        return reads.usage(self.session, membership_id)

    def get_idempotency(self, key: str) -> IdempotencyRecord | None:
        return reads.idempotency(self.session, key)

    def put_idempotency(self, record: IdempotencyRecord) -> None:
        writes.put_idempotency(self.session, record)

    def save_membership(self, before: Membership, after: Membership) -> Membership:
        return writes.save_membership(self.session, before, after)

    def add_payment(self, payment: Payment) -> Payment:
        return writes.add_payment(self.session, payment)

    def add_event(self, event: Event) -> Event:
        return writes.add_event(self.session, event)

    def lock_payment(self, payment_id: int) -> Payment | None:
        return pending.lock_payment(self.session, payment_id)

    def save_payment(self, payment: Payment) -> Payment:
        return pending.save_payment(self.session, payment)

    def payments_completed_since(self, membership_id: int, since: datetime) -> list[Payment]:
        # Read only when a renewal is in question, which the native store never records.
        found = reads.payments_by_membership(self.session, [membership_id])[membership_id]
        return [p for p in found if _completed_since(p, since)]

    def pending_change(self, membership_id: int) -> PendingChange | None:
        return pending.by_membership(self.session, [membership_id]).get(membership_id)

    def pending_change_by_payment(self, payment_id: int) -> PendingChange | None:
        return pending.by_payment(self.session, [payment_id]).get(payment_id)

    def add_pending_change(self, change: PendingChange) -> PendingChange:
        return pending.add(self.session, change)

    def save_pending_change(self, change: PendingChange) -> PendingChange:
        return pending.save(self.session, change)

    def save_product(self, product: Product) -> Product:
        exists = self.session.get(ProductRow, product.id) is not None
        writes.write_product(self.session, product, exists=exists)
        return reads.products_by_id(self.session, [product.id])[product.id]


class BulkWriter:
    """Keyed upserts inside one transaction (see ``NativeStore.bulk``)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def upsert_product(self, product: Product) -> UpsertResult:
        return writes.upsert_product(self.session, product)

    def upsert_customer(self, customer: Customer) -> UpsertResult:
        return writes.upsert_customer(self.session, customer)

    def upsert_membership(self, membership: Membership) -> UpsertResult:
        """Also writes its add-ons, scheduled change and limitations override."""
        return writes.upsert_membership(self.session, membership)

    def upsert_payment(self, payment: Payment) -> UpsertResult:
        return writes.upsert_payment(self.session, payment)

    def upsert_site(
        self,
        site: Site,
        post_counts: Mapping[str, int],
        domains: Sequence[SiteDomain | str] = (),
    ) -> UpsertResult:
        return writes.upsert_site(self.session, site, post_counts, domains)

    def upsert_discount_code(self, code: DiscountCode) -> UpsertResult:
        return writes.upsert_discount_code(self.session, code)

    def add_event(self, event: Event) -> Event:
        return writes.add_event(self.session, event)


class NativeStore:
    """The native store on any SQLAlchemy URL (SQLite, PostgreSQL, MySQL/MariaDB)."""

    def __init__(self, url: str, **engine_options: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_options)
        # SQLite is a library in this process: a read costs less than a hop to a worker
        # thread and back (resolvers.loaders.run_read). Writes still hop: they may wait for
        # the database's write lock.
        self.inline_reads = self.engine.dialect.name == "sqlite"
        self._writer = write_engine(self.engine)
        self._catalog = CatalogCache()

    @property
    def write_engine(self) -> Engine:
        """The engine whose transactions are writes (SQLite: ``BEGIN IMMEDIATE``)."""
        return self._writer

    def upgrade(self) -> None:
        """Apply the migrations through this store's engine (``upgrade_database`` does the
        same from a URL; this form also works for an in-memory SQLite database)."""
        upgrade_engine(self.engine)

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with Session(self.engine) as session:
            yield session

    @contextmanager
    def _connection(self) -> Iterator[Session]:
        """A plain connection for Core reads on the hot paths: a Session's bookkeeping
        (identity map, transaction states) cost as much as the statements themselves
        (issue 12's profile of ``membership(id)``). Typed as a Session: the reads it serves
        call only what both have (``execute``, ``scalar``)."""
        with self.engine.connect() as connection:
            yield connection  # type: ignore[misc]

    # --- writes --------------------------------------------------------------------------

    @contextmanager
    def transaction(self, now: datetime | None = None) -> Iterator[NativeTransaction]:
        """One write transaction: commit on normal exit, roll back on an exception.

        ``now`` is accepted for the port: the native store stamps nothing itself (every
        date it writes comes from the objects written), so it has no clock to replace.
        """
        with Session(self._writer) as session, session.begin():
            yield NativeTransaction(session, self._catalog)

    @contextmanager
    def bulk(self) -> Iterator[BulkWriter]:
        """Upserts in one transaction (commit at the end; nothing written on an exception)."""
        with Session(self._writer) as session, session.begin():
            yield BulkWriter(session)
            writes.advance_sequences(session)

    def upsert_product(self, product: Product) -> UpsertResult:
        with self.bulk() as batch:
            return batch.upsert_product(product)

    def upsert_customer(self, customer: Customer) -> UpsertResult:
        with self.bulk() as batch:
            return batch.upsert_customer(customer)

    def upsert_membership(self, membership: Membership) -> UpsertResult:
        with self.bulk() as batch:
            return batch.upsert_membership(membership)

    def upsert_payment(self, payment: Payment) -> UpsertResult:
        with self.bulk() as batch:
            return batch.upsert_payment(payment)

    def upsert_site(
        self,
        site: Site,
        post_counts: Mapping[str, int],
        domains: Sequence[SiteDomain | str] = (),
    ) -> UpsertResult:
        with self.bulk() as batch:
            return batch.upsert_site(site, post_counts, domains)

    def upsert_discount_code(self, code: DiscountCode) -> UpsertResult:
        with self.bulk() as batch:
            return batch.upsert_discount_code(code)

    # --- reads ---------------------------------------------------------------------------

    def catalog(self) -> Catalog:
        """Every product, from this process's cache while the catalog version has not moved
        (2 statements: BEGIN and the version; ``catalog.py``)."""
        with self._connection() as s:
            return self._catalog.read(s)

    def change_inputs(self, membership_id: int, discount_code: str | None = None) -> ChangeInputs:
        # Core reads on a plain connection; the discount code's lookup is an ORM read.
        read = self._read if (discount_code or "").strip() else self._connection
        with read() as s:
            return inputs.change_inputs(s, self._catalog, membership_id, discount_code)

    def list_products(self, where: ProductFilter = ALL_PRODUCTS) -> list[Product]:
        if where.plan_group is not None:
            # The database compares names (MySQL's collation ignores case); keep its answer.
            with self._read() as s:
                return reads.list_products(s, where)
        return self.catalog().select(where)

    def products_by_id(self, ids: Sequence[int]) -> dict[int, Product]:
        if not ids:
            return {}
        by_id = self.catalog().by_id
        return {i: by_id[i] for i in {int(i) for i in ids} if i in by_id}

    def product_by_slug(self, slug: str) -> Product | None:
        with self._read() as s:
            return reads.product_by_slug(s, slug)

    def discount_code(self, code: str) -> DiscountCode | None:
        with self._read() as s:
            return reads.discount_code(s, code)

    def list_customers(self, offset: int, limit: int) -> Page[Customer]:
        with self._read() as s:
            return reads.list_customers(s, offset, limit)

    def customers_by_id(self, ids: Sequence[int]) -> dict[int, Customer]:
        with self._connection() as s:
            return reads.customers_by_id(s, ids)

    def list_memberships(
        self, where: MembershipFilter, offset: int, limit: int
    ) -> Page[Membership]:
        with self._read() as s:
            return reads.list_memberships(s, where, offset, limit)

    def count_memberships(self, where: MembershipFilter) -> int:
        with self._connection() as s:
            return reads.count_memberships(s, where)

    def membership_page(
        self, where: MembershipFilter, after_id: int | None, limit: int
    ) -> list[Membership]:
        with self._read() as s:
            return reads.membership_page(s, where, after_id, limit)

    def membership_reads(
        self,
        ids: Sequence[int] | None = None,
        page: tuple[MembershipFilter, int | None, int] | None = None,
        *,
        customers: bool = False,
        count: bool = False,
    ) -> MembershipReads:
        with self._connection() as s:
            return membership_reads.membership_reads(
                s, self._catalog, ids, page, customers=customers, count=count
            )

    def count_customers(self) -> int:
        with self._read() as s:
            return reads.count_customers(s)

    def customer_page(self, after_id: int | None, limit: int) -> list[Customer]:
        with self._read() as s:
            return reads.customer_page(s, after_id, limit)

    def memberships_by_id(self, ids: Sequence[int]) -> dict[int, Membership]:
        with self._connection() as s:
            return reads.memberships_by_id(s, ids)

    def memberships_by_customer(self, customer_ids: Sequence[int]) -> dict[int, list[Membership]]:
        with self._read() as s:
            return reads.memberships_by_customer(s, customer_ids)

    def payments_by_id(self, ids: Sequence[int]) -> dict[int, Payment]:
        with self._read() as s:
            return reads.payments_by_id(s, ids)

    def payments_by_membership(self, membership_ids: Sequence[int]) -> dict[int, list[Payment]]:
        with self._read() as s:
            return reads.payments_by_membership(s, membership_ids)

    def payments_by_customer(self, customer_ids: Sequence[int]) -> dict[int, list[Payment]]:
        with self._read() as s:
            return pending.payments_by_customer(s, customer_ids)

    def pending_changes_by_membership(
        self, membership_ids: Sequence[int]
    ) -> dict[int, PendingChange]:
        with self._read() as s:
            return pending.by_membership(s, membership_ids)

    def pending_changes_by_payment(self, payment_ids: Sequence[int]) -> dict[int, PendingChange]:
        with self._read() as s:
            return pending.by_payment(s, payment_ids)

    def overdue_pending_payments(self, now: datetime, limit: int = 100) -> list[int]:
        with self._read() as s:
            return pending.overdue_payments(s, now, limit)

    def pending_change_payments(self, limit: int = 1000) -> list[int]:
        with self._read() as s:
            return pending.waiting_payments(s, limit)

    def sites_by_membership(self, membership_ids: Sequence[int]) -> dict[int, list[Site]]:
        with self._read() as s:
            return reads.sites_by_membership(s, membership_ids)

    def sites_by_id(self, ids: Sequence[int]) -> dict[int, Site]:
        with self._read() as s:
            return reads.sites_by_id(s, ids)

    def usage(self, membership_id: int) -> Usage:
        with self._read() as s:
            return reads.usage(s, membership_id)

    def network_settings(self) -> NetworkSettings:
        """The plugin's defaults: the native store keeps no network settings of its own."""
        return NetworkSettings()

    def events(self, object_type: str | None = None, object_id: int | None = None) -> list[Event]:
        """Recorded events, oldest first (not in the port: for tests and operators)."""
        with self._read() as s:
            return reads.events(s, object_type, object_id)

    def get_idempotency(self, key: str) -> IdempotencyRecord | None:
        with self._read() as s:
            return reads.idempotency(s, key)

    def due_scheduled_changes(self, now: datetime, limit: int = 100) -> list[int]:
        with self._read() as s:
            return reads.due_scheduled_changes(s, now, limit)

    def has_products(self) -> bool:
        with self._read() as s:
            return s.scalar(select(col(ProductRow.id)).limit(1)) is not None

    def check(self) -> None:
        """SELECT 1; raises when the database cannot be reached."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))


def _completed_since(payment: Payment, since: datetime) -> bool:
    dates = (payment.date_created, payment.date_modified)
    return payment.status is PaymentStatus.COMPLETED and any(d and d >= since for d in dates)
