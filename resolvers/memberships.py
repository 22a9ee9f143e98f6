"""Customer and membership use cases; who sees what is ``resolvers.policy``'s decision.

What a caller may not see reads as null or as an empty list, exactly like what is missing.
"""

from __future__ import annotations

import asyncio

from planswitch.domain.customers import Customer
from planswitch.domain.limits import Limitations
from planswitch.domain.limits import effective_limits as merge_limits
from planswitch.domain.memberships import Membership, MembershipStatus
from planswitch.domain.ports import MembershipFilter, Page
from planswitch.resolvers import policy
from planswitch.resolvers.context import Context
from planswitch.resolvers.ids import decode_id

_EMPTY: Page = Page(items=(), total=0)


async def list_customers(ctx: Context, offset: int, limit: int) -> Page[Customer]:
    """A page of customers by id: all for operators, the caller alone for a customer."""
    scope = policy.customer_scope(ctx.viewer)
    if scope.all:
        return await asyncio.to_thread(ctx.store.list_customers, offset, limit)
    if scope.customer_id is None:
        return _EMPTY
    own = await ctx.loaders.customers_by_id.load(scope.customer_id)
    items = [own] if own is not None else []
    return Page(items=items[offset : offset + limit], total=len(items))


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


async def list_memberships(
    ctx: Context,
    customer_id: str | None,
    status: MembershipStatus | None,
    plan_id: str | None,
    offset: int,
    limit: int,
) -> Page[Membership]:
    """A page of memberships by id, filtered; a customer's list is always their own."""
    where = MembershipFilter(
        customer_id=decode_id(customer_id, "Customer", "customerId") if customer_id else None,
        status=status,
        plan_id=decode_id(plan_id, "Product", "planId") if plan_id else None,
    )
    scope = policy.customer_scope(ctx.viewer).narrow(where.customer_id)
    if scope.none:
        return _EMPTY
    if not scope.all:
        where = MembershipFilter(scope.customer_id, where.status, where.plan_id)
    page = await asyncio.to_thread(ctx.store.list_memberships, where, offset, limit)
    for membership in page.items:
        ctx.loaders.memberships_by_id.prime(membership.id, membership)
    return page


async def find_membership(ctx: Context, value: str, id_type: str) -> Membership | None:
    """The membership named by ``value``, or None if unknown or not the caller's."""
    membership_id = decode_id(value, "Membership", "id", id_type)
    return await visible_membership(ctx, membership_id)


async def visible_membership(ctx: Context, membership_id: int) -> Membership | None:
    membership = await ctx.loaders.memberships_by_id.load(membership_id)
    if membership is None or not policy.may_see_customer(ctx.viewer, membership.customer_id):
        return None
    return membership


async def customer_memberships(ctx: Context, customer: Customer) -> list[Membership]:
    """The customer's memberships (callers reach a customer only when allowed to)."""
    return await ctx.loaders.memberships_by_customer.load(customer.id)


async def effective_limits(ctx: Context, membership: Membership) -> Limitations:
    """Plan + add-ons x quantity + the membership's override, from the current products."""
    ids = [membership.plan_id, *membership.addons]
    products = await ctx.loaders.products_by_id.load_many(ids)
    plan, addon_products = products[0], products[1:]
    addons = [
        (product, quantity)
        for product, quantity in zip(addon_products, membership.addons.values(), strict=True)
        if product is not None
    ]
    return merge_limits(plan, addons, membership.limitations_override)
