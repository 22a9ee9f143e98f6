"""Ports: what the use cases need from a store. Adapters (native, WordPress) implement them.

Reads are plain methods returning domain objects; batch methods take ids and return a
dict keyed by id (DataLoaders align them with their keys). Writes happen only inside
``Store.transaction()``, one database transaction per change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from planswitch.domain.customers import Customer
from planswitch.domain.discounts import DiscountCode
from planswitch.domain.events import Event
from planswitch.domain.memberships import Membership, MembershipStatus
from planswitch.domain.network import NetworkSettings
from planswitch.domain.payments import Payment
from planswitch.domain.pending_change import PendingChange
from planswitch.domain.products import Product, ProductType
from planswitch.domain.usage import Site, Usage

T = TypeVar("T")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, aware UTC."""
        ...


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    total: int


@dataclass(frozen=True)
class ProductFilter:
    type: ProductType | None = None
    plan_group: str | None = None
    active: bool | None = None


@dataclass(frozen=True)
class MembershipFilter:
    customer_id: int | None = None
    status: MembershipStatus | None = None
    plan_id: int | None = None


@dataclass(frozen=True)
class IdempotencyRecord:
    """A committed request: its key, a hash of its input, and the stored result (JSON-able)."""

    key: str
    request_hash: str
    membership_id: int
    result: Mapping[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None


@dataclass(frozen=True)
class Catalog:
    """Every product, ordered by list_order then id, as of one catalog version.

    Stores keep one per process and share it across requests while the database's catalog
    version has not moved (docs/api.md §10); it is read-only.
    """

    products: tuple[Product, ...] = ()
    version: object = None  # the store's token for this content (None: not cacheable)
    by_id: Mapping[int, Product] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {product.id: product for product in self.products})

    def select(self, where: ProductFilter) -> list[Product]:
        """The products matching ``where``, in catalog order."""
        return [
            p
            for p in self.products
            if (where.type is None or p.type is where.type)
            and (where.plan_group is None or p.plan_group == where.plan_group)
            and (where.active is None or p.active == where.active)
        ]

    def by_slug(self, slug: str) -> Product | None:
        """The product with this slug and the lowest id (slugs are not unique in the plugin)."""
        found = [p for p in self.products if p.slug == slug]
        return min(found, key=lambda p: p.id) if found else None


@dataclass(frozen=True)
class ChangeInputs:
    """Everything upgrade options and a quote read about one membership, read together
    (one session, a handful of statements: issue 12)."""

    membership: Membership | None
    catalog: Catalog
    customer: Customer | None = None
    usage: Usage = field(default_factory=Usage)
    discount: DiscountCode | None = None


@dataclass(frozen=True)
class MembershipReads:
    """Memberships with what their GraphQL fields ask next, read together (one session,
    one thread hop): the catalog (plans, add-ons, limits), their customers when asked, and
    the count of the whole filtered list when asked (issue 12)."""

    memberships: Sequence[Membership]
    catalog: Catalog
    customers: Mapping[int, Customer] = field(default_factory=dict)
    total: int | None = None


class ReadStore(Protocol):
    # True when a read is in-process and short, never waiting on a network (embedded
    # SQLite): use cases then run reads on the caller's thread instead of a worker thread.
    inline_reads: bool

    # Catalog
    def catalog(self) -> Catalog:
        """The whole catalog, cached across requests while it has not changed."""
        ...

    def change_inputs(self, membership_id: int, discount_code: str | None = None) -> ChangeInputs:
        """The membership (None if absent) with its customer, usage, the discount code (when
        given) and the catalog, read in one session."""
        ...

    def list_products(self, where: ProductFilter = ProductFilter()) -> list[Product]:
        """Products ordered by list_order, then id."""
        ...

    def products_by_id(self, ids: Sequence[int]) -> dict[int, Product]: ...

    def product_by_slug(self, slug: str) -> Product | None: ...

    def discount_code(self, code: str) -> DiscountCode | None:
        """Case-insensitive lookup (the plugin upper-cases codes)."""
        ...

    # Customers and memberships
    def list_customers(self, offset: int, limit: int) -> Page[Customer]: ...

    def customers_by_id(self, ids: Sequence[int]) -> dict[int, Customer]: ...

    def list_memberships(
        self, where: MembershipFilter, offset: int, limit: int
    ) -> Page[Membership]:
        """Memberships ordered by id."""
        ...

    def count_memberships(self, where: MembershipFilter) -> int:
        """How many memberships match ``where`` (one COUNT)."""
        ...

    def membership_page(
        self, where: MembershipFilter, after_id: int | None, limit: int
    ) -> list[Membership]:
        """Up to ``limit`` memberships matching ``where`` with ids above ``after_id``, by id
        (keyset: the cost of a page does not grow with its depth)."""
        ...

    def membership_reads(
        self,
        ids: Sequence[int] | None = None,
        page: tuple[MembershipFilter, int | None, int] | None = None,
        *,
        customers: bool = False,
        count: bool = False,
    ) -> MembershipReads:
        """The memberships with these ``ids`` (in id order), or the keyset ``page``
        ``(where, after_id, limit)`` as ``membership_page`` reads it, with the catalog, their
        customers (``customers``) and, for a page, the filtered list's count (``count``):
        what ``membership_page``, ``memberships_by_id``, ``catalog``, ``customers_by_id``
        and ``count_memberships`` return, read in one go."""
        ...

    def count_customers(self) -> int: ...

    def customer_page(self, after_id: int | None, limit: int) -> list[Customer]:
        """Up to ``limit`` customers with ids above ``after_id``, by id (keyset)."""
        ...

    def memberships_by_id(self, ids: Sequence[int]) -> dict[int, Membership]: ...

    def memberships_by_customer(
        self, customer_ids: Sequence[int]
    ) -> dict[int, list[Membership]]: ...

    def payments_by_id(self, ids: Sequence[int]) -> dict[int, Payment]: ...

    def payments_by_membership(self, membership_ids: Sequence[int]) -> dict[int, list[Payment]]:
        """Each membership's payments, oldest first."""
        ...

    def payments_by_customer(self, customer_ids: Sequence[int]) -> dict[int, list[Payment]]:
        """Each customer's payments, oldest first."""
        ...

    def pending_changes_by_membership(
        self, membership_ids: Sequence[int]
    ) -> dict[int, PendingChange]:
        """The change waiting for its payment, per membership (absent: none waits)."""
        ...

    def pending_changes_by_payment(self, payment_ids: Sequence[int]) -> dict[int, PendingChange]:
        """The pending change (in any status) each payment was opened for."""
        ...

    def sites_by_membership(self, membership_ids: Sequence[int]) -> dict[int, list[Site]]: ...

    def sites_by_id(self, ids: Sequence[int]) -> dict[int, Site]: ...

    def usage(self, membership_id: int) -> Usage: ...

    def network_settings(self) -> NetworkSettings:
        """The network's settings (cheap: read once and kept by the store)."""
        ...


class ChangeTransaction(Protocol):
    """A database transaction: leaving the ``with`` block commits, an exception rolls back."""

    def lock_membership(self, membership_id: int) -> Membership | None:
        """Read the membership and lock its row (SELECT ... FOR UPDATE) until commit."""
        ...

    def change_inputs(self, membership_id: int, discount_code: str | None = None) -> ChangeInputs:
        """``ReadStore.change_inputs`` in this transaction, the membership's row locked
        (as ``lock_membership``)."""
        ...

    def products_by_id(self, ids: Sequence[int]) -> dict[int, Product]: ...

    def list_products(self, where: ProductFilter = ProductFilter()) -> list[Product]: ...

    def customers_by_id(self, ids: Sequence[int]) -> dict[int, Customer]: ...

    def discount_code(self, code: str) -> DiscountCode | None: ...

    def usage(self, membership_id: int) -> Usage: ...

    def get_idempotency(self, key: str) -> IdempotencyRecord | None: ...

    def put_idempotency(self, record: IdempotencyRecord) -> None:
        """Store the record; a concurrent insert of the same key raises (unique key)."""
        ...

    def save_membership(self, before: Membership, after: Membership) -> Membership:
        """Write ``after`` if the stored version still equals ``before.version``.

        Raises ``VersionConflict`` otherwise. Returns the membership with its new version.
        The scheduled change is written as ``after.scheduled_change`` says (None clears it).
        """
        ...

    def add_payment(self, payment: Payment) -> Payment:
        """Insert the payment and its line items; returns it with its new id."""
        ...

    def add_event(self, event: Event) -> Event: ...

    # The pending-change lifecycle (domain/pending_change.py). Callers lock the membership
    # first, then its payment: every writer of a pending change holds the membership lock.
    def lock_payment(self, payment_id: int) -> Payment | None:
        """Read the payment and lock its row until commit."""
        ...

    def save_payment(self, payment: Payment) -> Payment:
        """Update the payment's status, gateway fields and date_modified (not its lines)."""
        ...

    def payments_completed_since(self, membership_id: int, since: datetime) -> list[Payment]:
        """The membership's COMPLETED payments created or modified at or after ``since``
        (what tells a gateway's renewal of one payment from another's,
        domain/gateway_renewal.py)."""
        ...

    def pending_change(self, membership_id: int) -> PendingChange | None:
        """The membership's change still waiting for its payment, if any."""
        ...

    def pending_change_by_payment(self, payment_id: int) -> PendingChange | None:
        """The change ``payment_id`` was opened for, in any status."""
        ...

    def add_pending_change(self, change: PendingChange) -> PendingChange:
        """Insert; returns it with its id. One per payment (unique)."""
        ...

    def save_pending_change(self, change: PendingChange) -> PendingChange:
        """Update its status, action, resolved_at and reason (keyed by payment)."""
        ...

    def save_product(self, product: Product) -> Product: ...


class Store(ReadStore, Protocol):
    def transaction(self, now: datetime | None = None) -> AbstractContextManager[ChangeTransaction]:
        """One database transaction. ``now`` is the instant of the change: whatever the
        store stamps itself (a modified date, a log date) carries it, so one commit carries
        one time; without it the store reads its clock once."""
        ...

    def due_scheduled_changes(self, now: datetime, limit: int = 100) -> list[int]:
        """Ids of memberships whose scheduled change is due at ``now``."""
        ...

    def overdue_pending_payments(self, now: datetime, limit: int = 100) -> list[int]:
        """Payment ids of pending changes still waiting at or after their ``expires_at``."""
        ...

    def pending_change_payments(self, limit: int = 1000) -> list[int]:
        """Payment ids of every pending change still waiting (reconcile asks the provider)."""
        ...

    def check(self) -> None:
        """Raise if the database cannot be reached (readiness)."""
        ...
