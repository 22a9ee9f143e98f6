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


class ReadStore(Protocol):
    # Catalog
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

    def memberships_by_id(self, ids: Sequence[int]) -> dict[int, Membership]: ...

    def memberships_by_customer(
        self, customer_ids: Sequence[int]
    ) -> dict[int, list[Membership]]: ...

    def payments_by_id(self, ids: Sequence[int]) -> dict[int, Payment]: ...

    def payments_by_membership(self, membership_ids: Sequence[int]) -> dict[int, list[Payment]]: ...

    def sites_by_membership(self, membership_ids: Sequence[int]) -> dict[int, list[Site]]: ...

    def usage(self, membership_id: int) -> Usage: ...

    def network_settings(self) -> NetworkSettings:
        """The network's settings (cheap: read once and kept by the store)."""
        ...


class ChangeTransaction(Protocol):
    """A database transaction: leaving the ``with`` block commits, an exception rolls back."""

    def lock_membership(self, membership_id: int) -> Membership | None:
        """Read the membership and lock its row (SELECT ... FOR UPDATE) until commit."""
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

    def check(self) -> None:
        """Raise if the database cannot be reached (readiness)."""
        ...
