"""Per-request DataLoaders named ``<things>_by_<key>``.

Each batch function makes one Store call in a worker thread (the stores are synchronous)
and returns results aligned with its keys, so a page of N memberships costs the same
number of SQL statements as a page of one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any, TypeVar

from planswitch.domain.customers import Customer
from planswitch.domain.memberships import Membership
from planswitch.domain.payments import Payment
from planswitch.domain.pending_change import PendingChange
from planswitch.domain.ports import Catalog, ProductFilter, ReadStore
from planswitch.domain.products import Product, ProductType
from planswitch.domain.usage import Site
from strawberry.dataloader import DataLoader

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")
N = TypeVar("N")


def _by_key(
    fetch: Callable[[Sequence[K]], Mapping[K, V]],
) -> Callable[[list[K]], Coroutine[Any, Any, list[V | None]]]:
    """A batch function: one ``fetch(keys)`` call, results in key order (None if absent)."""

    async def load(keys: list[K]) -> list[V | None]:
        found = await asyncio.to_thread(fetch, list(keys))
        return [found.get(key) for key in keys]

    return load


def _lists_by_key(
    fetch: Callable[[Sequence[K]], Mapping[K, list[V]]],
) -> Callable[[list[K]], Coroutine[Any, Any, list[list[V]]]]:
    """A batch function of lists: one ``fetch(keys)`` call, in key order (``[]`` if absent)."""

    async def load(keys: list[K]) -> list[list[V]]:
        found = await asyncio.to_thread(fetch, list(keys))
        return [found.get(key, []) for key in keys]

    return load


class Loaders:
    """The request's loaders; build a new one per request."""

    def __init__(self, store: ReadStore) -> None:
        self._store = store
        self._catalog: Catalog | None = None
        # Products come from the catalog: the one this request already read (no thread hop,
        # no statement), else the store's cache (one version check).
        self.products_by_id: DataLoader[int, Product | None] = DataLoader(self._products)
        self.customers_by_id: DataLoader[int, Customer | None] = DataLoader(
            _by_key(store.customers_by_id)
        )
        self.memberships_by_id: DataLoader[int, Membership | None] = DataLoader(
            _by_key(self._memberships_with_catalog)
        )
        self.memberships_by_customer: DataLoader[int, list[Membership]] = DataLoader(
            _lists_by_key(store.memberships_by_customer)
        )
        self.payments_by_membership: DataLoader[int, list[Payment]] = DataLoader(
            _lists_by_key(store.payments_by_membership)
        )
        self.sites_by_membership: DataLoader[int, list[Site]] = DataLoader(
            _lists_by_key(store.sites_by_membership)
        )
        self.payments_by_id: DataLoader[int, Payment | None] = DataLoader(
            _by_key(store.payments_by_id)
        )
        self.payments_by_customer: DataLoader[int, list[Payment]] = DataLoader(
            _lists_by_key(store.payments_by_customer)
        )
        self.pending_changes_by_membership: DataLoader[int, PendingChange | None] = DataLoader(
            _by_key(store.pending_changes_by_membership)
        )
        self.pending_changes_by_payment: DataLoader[int, PendingChange | None] = DataLoader(
            _by_key(store.pending_changes_by_payment)
        )
        self.plans_by_group: DataLoader[str, list[Product]] = DataLoader(
            _lists_by_key(lambda names: _plans_by_group(self._read_catalog(), names))
        )
        self._nodes: dict[tuple[Any, int], tuple[Any, Any]] = {}

    def prime_catalog(self, catalog: Catalog) -> None:
        """Serve this request's products from ``catalog`` (read by its use case)."""
        self._catalog = catalog

    def _read_catalog(self) -> Catalog:
        catalog = self._catalog
        if catalog is None:
            catalog = self._catalog = self._store.catalog()
        return catalog

    def _memberships_with_catalog(self, ids: Sequence[int]) -> Mapping[int, Membership]:
        """The memberships, and the catalog in the same thread hop: their plans, add-ons and
        limits are what is asked of a membership next."""
        found = self._store.memberships_by_id(ids)
        self._read_catalog()
        return found

    async def _products(self, keys: list[int]) -> list[Product | None]:
        catalog = self._catalog
        if catalog is None:
            catalog = await asyncio.to_thread(self._read_catalog)
        return [catalog.by_id.get(key) for key in keys]

    def node(self, item: T, build: Callable[[T], N]) -> N:
        """``build(item)``, built once per object in this request.

        A page refers to the same few products many times (every membership's plan and
        add-ons); their GraphQL nodes are read-only, so those fields can share one. The
        entry keeps ``item`` alive for the request, so its id cannot be reused meanwhile.
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
