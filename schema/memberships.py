"""Customer and Membership types and their queries (``viewer`` included)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated

import strawberry
from graphql import FieldNode
from planswitch.domain.customers import Customer
from planswitch.domain.memberships import Membership
from planswitch.domain.products import Product
from planswitch.resolvers import memberships as use_cases
from planswitch.resolvers import payment_reads
from planswitch.resolvers.context import Info
from planswitch.resolvers.loaders import then
from planswitch.schema.catalog import BillingPeriod, ProductNode, product_node
from planswitch.schema.connections import (
    After,
    Connection,
    First,
    keyset_connection,
    keyset_window,
    selects,
    slice_connection,
    wants_page,
    window,
)
from planswitch.schema.enums import (
    CustomerIdType,
    MembershipIdType,
    MembershipStatusEnum,
    PaymentIdType,
)
from planswitch.schema.fast_fields import context_only
from planswitch.schema.limits import LimitsNode, membership_key, remember, remembered
from planswitch.schema.node import ID_TYPE_HELP, LookupId, Node, encode_global_id
from planswitch.schema.payments import LineItemNode, PaymentNode, SiteNode
from planswitch.schema.pending_change import PendingChangeNode
from planswitch.schema.scalars import Money
from planswitch.schema.scheduled_change import ScheduledChangeNode

# Fields whose selection makes a membership read bring more in the same session.
CUSTOMER = frozenset({"customer"})
TOTAL_COUNT = frozenset({"totalCount"})

__all__ = [
    "CustomerNode",
    "LimitsNode",
    "LineItemNode",
    "MembershipNode",
    "MembershipQuery",
    "PaymentNode",
    "SiteNode",
]


@strawberry.type(name="Customer", description="A WordPress user who holds memberships.")
class CustomerNode(Node):
    customer: strawberry.Private[Customer]
    database_id: int = strawberry.field(description="The integer database id.")
    user_id: int = strawberry.field(description="The WordPress user id.")
    email: str = strawberry.field(description="E-mail address of the user.")
    display_name: str = strawberry.field(description="Display name of the user.")
    login: str = strawberry.field(description="WordPress login name.")
    vip: bool = strawberry.field(description="Whether the customer is marked VIP.")
    has_trialed: bool = strawberry.field(description="Whether the customer already had a trial.")
    date_registered: datetime | None = strawberry.field(description="Registration (UTC).")

    @classmethod
    def from_domain(cls, customer: Customer) -> CustomerNode:
        return cls(
            customer=customer,
            id=strawberry.ID(encode_global_id("Customer", customer.id)),
            database_id=customer.id,
            user_id=customer.user_id,
            email=customer.email,
            display_name=customer.display_name,
            login=customer.login,
            vip=customer.vip,
            has_trialed=customer.has_trialed,
            date_registered=customer.date_registered,
        )

    @strawberry.field(description="The customer's memberships, by databaseId.")
    async def memberships(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[MembershipNode]:
        win = window(first, after, info.context.settings.max_page_size)
        items = await use_cases.customer_memberships(info.context, self.customer)
        return slice_connection(items, win, MembershipNode.from_domain)

    @strawberry.field(description="The customer's payments, newest first.")
    async def payments(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[PaymentNode]:
        win = window(first, after, info.context.settings.max_page_size)
        items = await info.context.loaders.payments_by_customer.load(self.customer.id)
        return slice_connection(payment_reads.newest_first(items), win, PaymentNode.from_domain)


@strawberry.type(name="MembershipAddon", description="An add-on held by a membership.")
class MembershipAddon:
    product_id: strawberry.Private[int]
    quantity: int = strawberry.field(description="How many of it the membership holds.")

    @strawberry.field(description="The add-on product (null if it was deleted).")
    @context_only
    def product(self, info: Info) -> ProductNode | None:
        return product_node(info, self.product_id)  # type: ignore[return-value]


@strawberry.type(name="Membership", description="A customer's plan, add-ons, billing and limits.")
class MembershipNode(Node):
    membership: strawberry.Private[Membership]
    database_id: int = strawberry.field(description="The integer database id.")
    status: MembershipStatusEnum = strawberry.field(description="Lifecycle status.")
    currency: str = strawberry.field(description="Currency of every amount of the membership.")
    amount: Money = strawberry.field(description="Recurring charge per period: plan + add-ons.")
    initial_amount: Money = strawberry.field(description="What the first payment charged.")
    billing_period: BillingPeriod = strawberry.field(description="The billing period.")
    recurring: bool = strawberry.field(description="Whether it renews every period.")
    auto_renew: bool = strawberry.field(description="Whether the gateway renews it itself.")
    date_created: datetime | None = strawberry.field(description="Creation (UTC).")
    date_activated: datetime | None = strawberry.field(description="Activation (UTC).")
    date_trial_end: datetime | None = strawberry.field(description="End of the trial (UTC).")
    date_renewed: datetime | None = strawberry.field(description="Last renewal (UTC).")
    date_cancellation: datetime | None = strawberry.field(description="Cancellation (UTC).")
    date_expiration: datetime | None = strawberry.field(
        description="Next billing date (UTC); null when it never expires (lifetime, free)."
    )
    times_billed: int = strawberry.field(description="How many times it was charged.")
    billing_cycles: int = strawberry.field(description="Charges in all; 0 = until cancelled.")
    gateway: str = strawberry.field(description="Payment gateway, possibly empty.")
    gateway_customer_id: str = strawberry.field(description="Customer id at the gateway.")
    gateway_subscription_id: str = strawberry.field(description="Subscription id at the gateway.")
    scheduled_change: ScheduledChangeNode | None = strawberry.field(
        description="The pending downgrade or add-on removal, if any."
    )

    @classmethod
    def from_domain(cls, membership: Membership) -> MembershipNode:
        currency = membership.currency
        change = membership.scheduled_change
        return cls(
            membership=membership,
            id=strawberry.ID(encode_global_id("Membership", membership.id)),
            database_id=membership.id,
            status=membership.status,
            currency=currency,
            amount=Money.of(membership.amount, currency),
            initial_amount=Money.of(membership.initial_amount, currency),
            billing_period=BillingPeriod.from_domain(membership.period),
            recurring=membership.recurring,
            auto_renew=membership.auto_renew,
            date_created=membership.date_created,
            date_activated=membership.date_activated,
            date_trial_end=membership.date_trial_end,
            date_renewed=membership.date_renewed,
            date_cancellation=membership.date_cancellation,
            date_expiration=membership.date_expiration,
            times_billed=membership.times_billed,
            billing_cycles=membership.billing_cycles,
            gateway=membership.gateway,
            gateway_customer_id=membership.gateway_customer_id,
            gateway_subscription_id=membership.gateway_subscription_id,
            scheduled_change=ScheduledChangeNode.from_domain(change) if change else None,
        )

    @strawberry.field(description="The plan (null if it was deleted).")
    @context_only
    def plan(self, info: Info) -> ProductNode | None:
        return product_node(info, self.membership.plan_id)  # type: ignore[return-value]

    @strawberry.field(description="Add-ons held, with quantities.")
    def addons(self) -> list[MembershipAddon]:
        # Read-only values of (product id, quantity) pairs: memberships holding the same
        # add-ons share one list, in every request (a page repeats a few combinations).
        held = tuple(self.membership.addons.items())
        shared = _ADDON_LISTS.get(held)
        if shared is None:
            shared = [MembershipAddon(product_id=p, quantity=q) for p, q in held]
            if len(_ADDON_LISTS) >= _ADDON_LISTS_MAX:
                _ADDON_LISTS.clear()  # bounded; refilled by the next requests
            _ADDON_LISTS[held] = shared
        return shared

    @strawberry.field(description="Effective limits: plan + add-ons x quantity + overrides.")
    @context_only
    def limits(self, info: Info) -> LimitsNode:
        loaders = info.context.loaders
        catalog = loaders.catalog_at_hand()
        if catalog is None:
            return self._limits_later(info)  # type: ignore[return-value]
        # A page repeats a few plan/add-on combinations: with the catalog fixed (the memo is
        # the catalog object's, within this request), the ids and the override say it all.
        membership = self.membership
        default_role = info.context.store.network_settings().default_role
        key = (
            default_role,
            membership.plan_id,
            tuple(membership.addons.items()),
            membership.limitations_override.fingerprint,
        )
        memo = loaders.node(catalog, _limits_memo)
        node = memo.get(key)
        if node is None:
            node = memo[key] = self._limits(info, catalog.by_id)
        return node

    async def _limits_later(self, info: Info) -> LimitsNode:
        membership = self.membership
        products = await info.context.loaders.products_by_id.load_many(
            [membership.plan_id, *membership.addons]
        )
        found = {product.id: product for product in products if product is not None}
        return self._limits(info, found)

    def _limits(self, info: Info, products: Mapping[int, Product]) -> LimitsNode:
        membership = self.membership
        # The merge depends only on these values (see schema.limits' memo).
        plan = products.get(membership.plan_id)
        addons = [
            (products[product_id], quantity)
            for product_id, quantity in membership.addons.items()
            if product_id in products
        ]
        default_role = info.context.store.network_settings().default_role
        key = membership_key(
            default_role,
            plan.limitations if plan is not None else None,
            membership.limitations_override,
            ((product.limitations, quantity) for product, quantity in addons),
        )
        node = remembered(key)
        if node is None:
            limitations = use_cases.merged_limits(membership, plan, addons)
            node = remember(key, LimitsNode.from_domain(limitations, default_role))
        return node

    @strawberry.field(description="The customer who holds it.")
    @context_only
    def customer(self, info: Info) -> CustomerNode | None:
        customer_id = self.membership.customer_id
        loaders = info.context.loaders
        known, customer = loaders.customer_at_hand(customer_id)
        if not known:
            return self._customer_later(info)  # type: ignore[return-value]
        # One node per customer in the request: a page shows the same few many times.
        return loaders.node(customer, CustomerNode.from_domain) if customer else None

    async def _customer_later(self, info: Info) -> CustomerNode | None:
        loaders = info.context.loaders
        customer = await loaders.customers_by_id.load(self.membership.customer_id)
        return loaders.node(customer, CustomerNode.from_domain) if customer else None

    @strawberry.field(description="Its payments, newest first.")
    async def payments(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[PaymentNode]:
        win = window(first, after, info.context.settings.max_page_size)
        items = await info.context.loaders.payments_by_membership.load(self.membership.id)
        return slice_connection(payment_reads.newest_first(items), win, PaymentNode.from_domain)

    @strawberry.field(
        description="The committed change waiting for its payment, if any: plan, add-ons, "
        "amounts, dates and limits move only when it is paid."
    )
    async def pending_change(self, info: Info) -> PendingChangeNode | None:
        change = await payment_reads.pending_change_of(info.context, self.membership)
        return PendingChangeNode.from_domain(change)

    @strawberry.field(description="Sites attached to it.")
    async def sites(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[SiteNode]:
        win = window(first, after, info.context.settings.max_page_size)
        items = await info.context.loaders.sites_by_membership.load(self.membership.id)
        return slice_connection(items, win, SiteNode.from_domain)


def _membership_node(membership: Membership | None) -> MembershipNode | None:
    return MembershipNode.from_domain(membership) if membership else None


def only_root_field(info: Info) -> bool:
    """Whether this field is the operation's only root field, spelled out (no fragment):
    then no sibling lookup can share a batch with it (``use_cases.lookup_membership``)."""
    selections = info._raw_info.operation.selection_set.selections
    return len(selections) == 1 and isinstance(selections[0], FieldNode)


_ADDON_LISTS: dict[tuple[tuple[int, int], ...], list[MembershipAddon]] = {}
_ADDON_LISTS_MAX = 4096


def _limits_memo(catalog: object) -> dict[tuple[object, ...], LimitsNode]:
    """A request's memo of membership limits computed over ``catalog`` (``Loaders.node``)."""
    return {}


@strawberry.input(name="MembershipsWhere", description="Filters for `memberships`.")
class MembershipsWhere:
    customer_id: strawberry.ID | None = strawberry.field(
        default=None, description="Customer global id or databaseId."
    )
    status: MembershipStatusEnum | None = strawberry.field(default=None, description="Status.")
    plan_id: strawberry.ID | None = strawberry.field(
        default=None, description="Plan global id or databaseId."
    )


@strawberry.type
class MembershipQuery:
    @strawberry.field(description="Customers by databaseId (a customer sees only themself).")
    async def customers(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[CustomerNode]:
        win = keyset_window(first, after, info.context.settings.max_page_size)
        items, count = await use_cases.customer_page(
            info.context, win.after_id, win.limit + 1, with_items=wants_page(info)
        )
        return keyset_connection(items, win, CustomerNode.from_domain, count)

    @strawberry.field(description="One customer; null when unknown or not visible to you.")
    async def customer(
        self,
        info: Info,
        id: LookupId,
        id_type: Annotated[
            CustomerIdType | None,
            strawberry.argument(description=ID_TYPE_HELP),
        ] = None,
    ) -> CustomerNode | None:
        customer = await use_cases.find_customer(
            info.context, str(id), id_type.name if id_type else "ID"
        )
        return CustomerNode.from_domain(customer) if customer else None

    @strawberry.field(description="Memberships by databaseId, filtered by `where`.")
    async def memberships(
        self,
        info: Info,
        where: MembershipsWhere | None = None,
        first: First = None,
        after: After = None,
    ) -> Connection[MembershipNode]:
        win = keyset_window(first, after, info.context.settings.max_page_size)
        where = where or MembershipsWhere()
        items, count = await use_cases.membership_page(
            info.context,
            str(where.customer_id) if where.customer_id is not None else None,
            where.status,
            str(where.plan_id) if where.plan_id is not None else None,
            win.after_id,
            win.limit + 1,  # one more tells whether a next page exists
            with_items=wants_page(info),
            customers=selects(info, CUSTOMER),
            count=selects(info, TOTAL_COUNT, direct=True),
        )
        return keyset_connection(items, win, MembershipNode.from_domain, count)

    @strawberry.field(description="One membership; null when unknown or not visible to you.")
    def membership(
        self,
        info: Info,
        id: LookupId,
        id_type: Annotated[
            MembershipIdType | None,
            strawberry.argument(description=ID_TYPE_HELP),
        ] = None,
    ) -> MembershipNode | None:
        # Returned as it is (a node, or an awaitable of one): graphql-core awaits only what
        # needs it, so on an inline store the whole document answers synchronously.
        lookup = use_cases.lookup_membership if only_root_field(info) else use_cases.find_membership
        found = lookup(
            info.context,
            str(id),
            id_type.name if id_type else "ID",
            customers=selects(info, CUSTOMER),
        )
        return then(found, _membership_node)  # type: ignore[return-value]

    @strawberry.field(description="One payment; null when unknown or not visible to you.")
    async def payment(
        self,
        info: Info,
        id: LookupId,
        id_type: Annotated[
            PaymentIdType | None,
            strawberry.argument(description=ID_TYPE_HELP),
        ] = None,
    ) -> PaymentNode | None:
        payment = await payment_reads.find_payment(
            info.context, str(id), id_type.name if id_type else "ID"
        )
        return PaymentNode.from_domain(payment) if payment else None

    @strawberry.field(
        description="The customer behind a customer token; null for operators and anonymous."
    )
    async def viewer(self, info: Info) -> CustomerNode | None:
        customer = await use_cases.viewer_customer(info.context)
        return CustomerNode.from_domain(customer) if customer else None
