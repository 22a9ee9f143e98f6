"""Per-request DataLoaders named ``<things>_by_<key>``.

Each batch function makes one Store call in a worker thread (the stores are synchronous)
and returns results aligned with its keys, so a page of N memberships costs the same
number of SQL statements as a page of one.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from functools import cached_property
from typing import Any, TypeVar

from planswitch.domain.customers import Customer
from planswitch.domain.memberships import Membership
from planswitch.domain.payments import Payment
from planswitch.domain.pending_change import PendingChange
from planswitch.domain.ports import Catalog, MembershipReads, ProductFilter, ReadStore
from planswitch.domain.products import Product, ProductType
from planswitch.domain.usage import Site
from strawberry.dataloader import DataLoader

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")
N = TypeVar("N")


def read_soon(
    store: ReadStore, fn: Callable[..., T], /, *args: Any, **kwargs: Any
) -> T | Awaitable[T]:
    """``fn(*args, **kwargs)``, a read of ``store``: right here when the store says its reads
    are in-process and short (``ReadStore.inline_reads``: SQLite), the result itself; else
    an awaitable of it from a worker thread.

    On SQLite a read is ~0.1-0.5 ms of work that holds the GIL most of the time, while the
    hop to the thread pool and back cost more than that, and several times more on a busy
    machine, where the worker waits for a core (issue 12's profile of ``membership(id)``).
    Only reads: a write transaction may wait for a lock, so writes always hop. A resolver
    returning the result itself keeps graphql-core on its synchronous path (no awaiting of
    the field, nor of the whole operation); see ``then``.
    """
    if getattr(store, "inline_reads", False):
        return fn(*args, **kwargs)
    return asyncio.to_thread(fn, *args, **kwargs)


async def run_read(store: ReadStore, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """``read_soon``, awaited: for callers that await anyway."""
    return await settled(read_soon(store, fn, *args, **kwargs))


async def settled(value: T | Awaitable[T]) -> T:
    """``value``, awaited if it is an awaitable."""
    return await value if inspect.isawaitable(value) else value


def then(value: T | Awaitable[T], fn: Callable[[T], N]) -> N | Awaitable[N]:
    """``fn(value)``: now when ``value`` is at hand, else once it is awaited."""
    if inspect.isawaitable(value):
        return _then_later(value, fn)
    return fn(value)


async def _then_later(value: Awaitable[T], fn: Callable[[T], N]) -> N:
    return fn(await value)


def _by_key(
    store: ReadStore,
    fetch: Callable[[Sequence[K]], Mapping[K, V]],
) -> Callable[[list[K]], Coroutine[Any, Any, list[V | None]]]:
    """A batch function: one ``fetch(keys)`` call, results in key order (None if absent)."""

    async def load(keys: list[K]) -> list[V | None]:
        found = await run_read(store, fetch, list(keys))
        return [found.get(key) for key in keys]

    return load


def _lists_by_key(
    store: ReadStore,
    fetch: Callable[[Sequence[K]], Mapping[K, list[V]]],
) -> Callable[[list[K]], Coroutine[Any, Any, list[list[V]]]]:
    """A batch function of lists: one ``fetch(keys)`` call, in key order (``[]`` if absent)."""

    async def load(keys: list[K]) -> list[list[V]]:
        found = await run_read(store, fetch, list(keys))
        return [found.get(key, []) for key in keys]

    return load


class Loaders:
    """The request's loaders; build a new one per request.

    Each loader is made when first used (a request uses two or three of the dozen). What a
    request has already read is kept at hand (``catalog_at_hand``, ``customer_at_hand``) so
    the fields that need it next answer synchronously: graphql-core then stays on its
    synchronous path instead of awaiting a resolver per field (issue 12's profile of a page
    of 50: 486 awaited resolvers).
    """

    def __init__(self, store: ReadStore) -> None:
        self._store = store
        self._catalog: Catalog | None = None
        self._customers: dict[int, Customer | None] = {}
        self._nodes: dict[tuple[Any, int], tuple[Any, Any]] = {}
        # Set by a field before its membership loads, when its selection shows a customer:
        # the batch then reads the customers too, in the same session (ask_customers).
        self._want_customers = False
        # Memberships read by a page, primed into memberships_by_id only if it is used: a
        # page rarely loads one of its own memberships again, and priming makes a future
        # per membership.
        self._unprimed: list[Membership] = []

    @cached_property
    def products_by_id(self) -> DataLoader[int, Product | None]:
        # Products come from the catalog: the one this request already read (no thread hop,
        # no statement), else the store's cache (one version check).
        return DataLoader(self._products)

    @cached_property
    def customers_by_id(self) -> DataLoader[int, Customer | None]:
        return DataLoader(_by_key(self._store, self._store.customers_by_id))

    @cached_property
    def memberships_by_id(self) -> DataLoader[int, Membership | None]:
        loader = DataLoader(_by_key(self._store, self._memberships_with_related))
        for membership in self._unprimed:
            loader.prime(membership.id, membership)
        self._unprimed.clear()
        return loader

    @cached_property
    def memberships_by_customer(self) -> DataLoader[int, list[Membership]]:
        return DataLoader(_lists_by_key(self._store, self._store.memberships_by_customer))

    @cached_property
    def payments_by_membership(self) -> DataLoader[int, list[Payment]]:
        return DataLoader(_lists_by_key(self._store, self._store.payments_by_membership))

    @cached_property
    def sites_by_membership(self) -> DataLoader[int, list[Site]]:
        return DataLoader(_lists_by_key(self._store, self._store.sites_by_membership))

    @cached_property
    def payments_by_id(self) -> DataLoader[int, Payment | None]:
        return DataLoader(_by_key(self._store, self._store.payments_by_id))

    @cached_property
    def payments_by_customer(self) -> DataLoader[int, list[Payment]]:
        return DataLoader(_lists_by_key(self._store, self._store.payments_by_customer))

    @cached_property
    def pending_changes_by_membership(self) -> DataLoader[int, PendingChange | None]:
        return DataLoader(_by_key(self._store, self._store.pending_changes_by_membership))

    @cached_property
    def pending_changes_by_payment(self) -> DataLoader[int, PendingChange | None]:
        return DataLoader(_by_key(self._store, self._store.pending_changes_by_payment))

    @cached_property
    def plans_by_group(self) -> DataLoader[str, list[Product]]:
        return DataLoader(
            _lists_by_key(self._store, lambda names: _plans_by_group(self._read_catalog(), names))
        )

    def ask_customers(self) -> None:
        """The memberships loaded next are shown with their customers: read them together."""
        self._want_customers = True

    def prime_reads(self, reads: MembershipReads, *, customers: bool) -> None:
        """Keep at hand what ``store.membership_reads`` returned: the catalog, the
        memberships and (``customers``: when it read them) their customers."""
        self._keep(reads, customers=customers)
        self._prime_memberships(reads.memberships)

    def _prime_memberships(self, memberships: Sequence[Membership]) -> None:
        if "memberships_by_id" not in self.__dict__:  # not made yet: primed when it is
            self._unprimed.extend(memberships)
            return
        loader = self.memberships_by_id
        for membership in memberships:
            loader.prime(membership.id, membership)

    def membership_now(
        self, membership_id: int
    ) -> Membership | None | Awaitable[Membership | None]:
        """The membership (with what ``memberships_by_id`` reads with it), read on its own
        rather than batched: at once when the store's reads are inline (``read_soon``).

        For a lookup with nothing to batch it with (a document's only root field): the
        loader would cost a future and an event-loop iteration to batch one id. What is
        read is kept and primed as the loader's own reads are.
        """
        found = read_soon(self._store, self._memberships_with_related, [membership_id])
        return then(found, lambda by_id: self._primed(by_id.get(membership_id)))

    def _primed(self, membership: Membership | None) -> Membership | None:
        # Here on the event loop's thread (the loader's futures belong to the loop).
        if membership is not None:
            self._prime_memberships([membership])
        return membership

    def _keep(self, reads: MembershipReads, *, customers: bool) -> None:
        # Plain attributes only: a batch function calls this from its worker thread.
        self._catalog = reads.catalog
        if customers:
            for membership in reads.memberships:
                owner = membership.customer_id
                self._customers.setdefault(owner, reads.customers.get(owner))

    def catalog_at_hand(self) -> Catalog | None:
        """The catalog this request already read, if any (no hop, no statement)."""
        return self._catalog

    def customer_at_hand(self, customer_id: int) -> tuple[bool, Customer | None]:
        """``(True, customer or None)`` when this request already read that customer."""
        if customer_id in self._customers:
            return True, self._customers[customer_id]
        return False, None

    def prime_catalog(self, catalog: Catalog) -> None:
        """Serve this request's products from ``catalog`` (read by its use case)."""
        self._catalog = catalog

    def _read_catalog(self) -> Catalog:
        catalog = self._catalog
        if catalog is None:
            catalog = self._catalog = self._store.catalog()
        return catalog

    def _memberships_with_related(self, ids: Sequence[int]) -> Mapping[int, Membership]:
        """The memberships, the catalog and (when asked) their customers in one session and
        one thread hop: their plans, add-ons, limits and customer are what is asked of a
        membership next. Customers read here are only ever shown through a membership the
        viewer may see (resolvers.memberships.visible_membership)."""
        customers = self._want_customers
        reads = self._store.membership_reads(ids, customers=customers)
        self._keep(reads, customers=customers)
        return {membership.id: membership for membership in reads.memberships}

    async def _products(self, keys: list[int]) -> list[Product | None]:
        catalog = self._catalog
        if catalog is None:
            catalog = await run_read(self._store, self._read_catalog)
        return [catalog.by_id.get(key) for key in keys]

    def node(self, item: T, build: Callable[[T], N]) -> N:
        """``build(item)``, built once per object in this request.

        A page refers to the same few objects many times (its memberships' customers, the
        catalog its limits are computed over); what is built from them is read-only, so
        those fields can share one. The entry keeps ``item`` alive for the request, so its
        id cannot be reused meanwhile.
        """
        key = (build, id(item))
        entry = self._nodes.get(key)
        if entry is None or entry[0] is not item:
            entry = (item, build(item))
            self._nodes[key] = entry
        return entry[1]


def _plans_by_group(catalog: Catalog, names: Sequence[str]) -> dict[str, list[Product]]:
    """Plans of each group in catalog order (list_order, then id)."""
    wanted = set(names)
    groups: dict[str, list[Product]] = {}
    for plan in catalog.select(ProductFilter(type=ProductType.PLAN)):
        if plan.plan_group in wanted:
            groups.setdefault(plan.plan_group, []).append(plan)
    return groups
