"""Customer and membership use cases; who sees what is ``resolvers.policy``'s decision.

What a caller may not see reads as null or as an empty list, exactly like what is missing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from functools import partial

from planswitch.domain.customers import Customer
from planswitch.domain.limits import Limitations
from planswitch.domain.limits import effective_limits as merge_limits
from planswitch.domain.memberships import Membership, MembershipStatus
from planswitch.domain.ports import MembershipFilter
from planswitch.domain.products import Product
from planswitch.resolvers import policy
from planswitch.resolvers.context import Context
from planswitch.resolvers.ids import decode_id
from planswitch.resolvers.loaders import then


async def find_customer(ctx: Context, value: str, id_type: str) -> Customer | None:
    """The customer named by ``value``, or None if unknown or not visible to the caller."""
    customer_id = decode_id(value, "Customer", "id", id_type)
    if not policy.may_see_customer(ctx.viewer, customer_id):
        return None
    return await ctx.loaders.customers_by_id.load(customer_id)


async def viewer_customer(ctx: Context) -> Customer | None:
    """The customer behind a customer token; None for operators and anonymous callers."""
    if ctx.viewer.kind != "customer" or ctx.viewer.customer_id is None:
        return None
    return await ctx.loaders.customers_by_id.load(ctx.viewer.customer_id)


def _visible_filter(
    ctx: Context, customer_id: str | None, status: MembershipStatus | None, plan_id: str | None
) -> MembershipFilter | None:
    """The filter a viewer may use; None when they may see no membership at all."""
    where = MembershipFilter(
        customer_id=decode_id(customer_id, "Customer", "customerId") if customer_id else None,
        status=status,
        plan_id=decode_id(plan_id, "Product", "planId") if plan_id else None,
    )
    scope = policy.customer_scope(ctx.viewer).narrow(where.customer_id)
    if scope.none:
        return None
    if scope.all:
        return where
    return MembershipFilter(scope.customer_id, where.status, where.plan_id)


async def membership_page(
    ctx: Context,
    customer_id: str | None,
    status: MembershipStatus | None,
    plan_id: str | None,
    after_id: int | None,
    limit: int,
    *,
    with_items: bool = True,
    customers: bool = False,
    count: bool = False,
) -> tuple[list[Membership], Callable[[], Awaitable[int]] | int]:
    """Up to ``limit`` memberships after ``after_id`` by id, filtered (a customer's list is
    always their own), and the whole list's count: counted with the page when ``count``,
    else a function counting it (called only if needed).

    ``with_items=False`` fetches no page (a query asking only for ``totalCount``). The page
    comes with the catalog and (``customers``) its customers, kept at hand for the fields
    asked next (one session, one thread hop: ``ReadStore.membership_reads``).
    """
    where = _visible_filter(ctx, customer_id, status, plan_id)
    if where is None:
        return [], 0
    visible = where

    async def counted() -> int:
        return await ctx.read(ctx.store.count_memberships, visible)

    if not with_items:
        return [], counted
    reads = await ctx.read(
        ctx.store.membership_reads, page=(where, after_id, limit), customers=customers, count=count
    )
    ctx.loaders.prime_reads(reads, customers=customers)
    return list(reads.memberships), reads.total if reads.total is not None else counted


async def customer_page(
    ctx: Context, after_id: int | None, limit: int, *, with_items: bool = True
) -> tuple[list[Customer], Callable[[], Awaitable[int]] | int]:
    """Customers after ``after_id`` by id: all for operators, the caller alone for a customer."""
    scope = policy.customer_scope(ctx.viewer)
    if scope.all:

        async def count() -> int:
            return await ctx.read(ctx.store.count_customers)

        if not with_items:
            return [], count
        return await ctx.read(ctx.store.customer_page, after_id, limit), count
    if scope.customer_id is None:
        return [], 0
    own = await ctx.loaders.customers_by_id.load(scope.customer_id)
    mine = [own] if own is not None else []
    items = [c for c in mine if after_id is None or c.id > after_id]
    return items[:limit], len(mine)


async def find_membership(
    ctx: Context, value: str, id_type: str, *, customers: bool = False
) -> Membership | None:
    """The membership named by ``value``, or None if unknown or not the caller's.

    ``customers``: its customer is asked next, so read it in the same session.
    """
    membership_id = decode_id(value, "Membership", "id", id_type)
    if customers:
        ctx.loaders.ask_customers()
    return await visible_membership(ctx, membership_id)


def lookup_membership(
    ctx: Context, value: str, id_type: str, *, customers: bool = False
) -> Membership | None | Awaitable[Membership | None]:
    """``find_membership`` for a lookup with nothing to batch it with (the document's only
    root field): read on its own, at once where the store's reads are inline
    (``Loaders.membership_now``), so the answer can be returned rather than awaited."""
    membership_id = decode_id(value, "Membership", "id", id_type)
    if customers:
        ctx.loaders.ask_customers()
    return then(ctx.loaders.membership_now(membership_id), partial(_visible, ctx))


async def visible_membership(ctx: Context, membership_id: int) -> Membership | None:
    return _visible(ctx, await ctx.loaders.memberships_by_id.load(membership_id))


def _visible(ctx: Context, membership: Membership | None) -> Membership | None:
    if membership is None or not policy.may_see_customer(ctx.viewer, membership.customer_id):
        return None
    return membership


async def customer_memberships(ctx: Context, customer: Customer) -> list[Membership]:
    """The customer's memberships (callers reach a customer only when allowed to)."""
    return await ctx.loaders.memberships_by_customer.load(customer.id)


def merged_limits(
    membership: Membership, plan: Product | None, addons: Sequence[tuple[Product, int]]
) -> Limitations:
    """Plan + add-ons x quantity + the membership's override, from the current products
    (``addons``: the membership's add-ons still in the catalog, in its order)."""
    return merge_limits(plan, addons, membership.limitations_override)
