"""Reading payments and pending changes, with the visibility rules of each viewer.

Operators see every payment; a customer sees their own (others read as null); anonymous
callers see none.
"""

from __future__ import annotations

from planswitch.domain.memberships import Membership
from planswitch.domain.payments import Payment
from planswitch.domain.pending_change import PendingChange
from planswitch.domain.usage import Site
from planswitch.resolvers import policy
from planswitch.resolvers.context import Context
from planswitch.resolvers.ids import decode_id


async def find_payment(ctx: Context, value: str, id_type: str) -> Payment | None:
    """The payment named by ``value``, or None if unknown or not the caller's."""
    payment_id = decode_id(value, "Payment", "id", id_type)
    payment = await ctx.loaders.payments_by_id.load(payment_id)
    if payment is None or not policy.may_see_customer(ctx.viewer, payment.customer_id):
        return None
    return payment


async def find_site(ctx: Context, value: str) -> Site | None:
    """The site named by ``value`` (global id), or None if unknown or not the caller's."""
    site_id = decode_id(value, "Site", "id")
    site = (await _sites(ctx, [site_id])).get(site_id)
    if site is None:
        return None
    return site if policy.may_see_site_of(ctx.viewer, site.customer_id) else None


async def _sites(ctx: Context, ids: list[int]) -> dict[int, Site]:
    return await ctx.read(ctx.store.sites_by_id, ids)


async def pending_change_of(ctx: Context, membership: Membership) -> PendingChange | None:
    """The membership's change waiting for its payment (callers reach it only when allowed)."""
    return await ctx.loaders.pending_changes_by_membership.load(membership.id)


async def change_of_payment(ctx: Context, payment: Payment) -> PendingChange | None:
    return await ctx.loaders.pending_changes_by_payment.load(payment.id)


def newest_first(payments: list[Payment]) -> list[Payment]:
    """Payments newest first (by creation, then id: ids grow with time)."""
    return sorted(payments, key=lambda p: p.id, reverse=True)
