"""Catalog types and queries: products, plan groups, billing periods."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import Annotated

import strawberry
from planswitch.domain import periods
from planswitch.domain.products import PriceVariation as DomainPriceVariation
from planswitch.domain.products import Product
from planswitch.resolvers import catalog as use_cases
from planswitch.resolvers.context import Info
from planswitch.schema.connections import After, Connection, First, build_connection, window
from planswitch.schema.enums import DurationUnit, PricingTypeEnum, ProductIdType, ProductTypeEnum
from planswitch.schema.fast_fields import context_only
from planswitch.schema.limits import LimitsNode, limits_node
from planswitch.schema.node import ID_TYPE_HELP, LookupId, Node, encode_global_id
from planswitch.schema.scalars import Money


@strawberry.type(name="BillingPeriod", description="A length of time, e.g. 1 MONTH or 2 YEAR.")
class BillingPeriod:
    duration: int = strawberry.field(description="How many units.")
    unit: DurationUnit = strawberry.field(description="DAY, WEEK, MONTH or YEAR.")

    @classmethod
    def from_domain(cls, period: periods.BillingPeriod) -> BillingPeriod:
        return cls(duration=period.duration, unit=period.unit)


@strawberry.type(name="PriceVariation", description="The same product sold at another period.")
class PriceVariation:
    billing_period: BillingPeriod = strawberry.field(description="The other period.")
    price: Money = strawberry.field(description="Recurring price at that period.")

    @classmethod
    def from_domain(cls, variation: DomainPriceVariation, currency: str) -> PriceVariation:
        return cls(
            billing_period=BillingPeriod.from_domain(variation.period),
            price=Money.of(variation.amount, currency),
        )


_PRODUCT_NODES: dict[int, tuple[Product, ProductNode]] = {}
_PRODUCT_NODES_MAX = 4096


@strawberry.type(name="Product", description="A plan, package or service sold on the network.")
class ProductNode(Node):
    product: strawberry.Private[Product]
    database_id: int = strawberry.field(description="The integer database id.")
    slug: str = strawberry.field(description="Unique slug.")
    name: str = strawberry.field(description="Display name.")
    description: str = strawberry.field(description="Description shown to customers.")
    type: ProductTypeEnum = strawberry.field(description="PLAN, PACKAGE or SERVICE.")
    pricing_type: PricingTypeEnum = strawberry.field(description="PAID, FREE or CONTACT_US.")
    price: Money = strawberry.field(description="Price per billing period (0 unless PAID).")
    setup_fee: Money = strawberry.field(description="One-time fee charged with the first payment.")
    billing_period: BillingPeriod = strawberry.field(description="The product's own period.")
    trial_period: BillingPeriod | None = strawberry.field(description="Free trial, if any.")
    recurring: bool = strawberry.field(description="Whether the price recurs every period.")
    billing_cycles: int = strawberry.field(description="Number of charges; 0 = until cancelled.")
    price_variations: list[PriceVariation] = strawberry.field(
        description="Prices at other billing periods (e.g. yearly)."
    )
    list_order: int = strawberry.field(description="Position in lists (lower first).")
    active: bool = strawberry.field(description="Whether it is offered for sale.")
    date_created: datetime | None = strawberry.field(description="When it was created (UTC).")
    date_modified: datetime | None = strawberry.field(description="Last change (UTC).")

    @classmethod
    def from_domain(cls, product: Product) -> ProductNode:
        """The node of ``product``, built once per product object: the catalog's products
        are shared by every request until the catalog changes (docs/api.md §10), and a node
        is a read-only view of one, so requests share it too (issue 12)."""
        entry = _PRODUCT_NODES.get(id(product))
        if entry is not None and entry[0] is product:
            return entry[1]
        node = cls._build(product)
        if len(_PRODUCT_NODES) >= _PRODUCT_NODES_MAX:
            _PRODUCT_NODES.clear()  # bounded; products of replaced catalogs go with it
        # The entry keeps ``product`` alive, so its id cannot be reused while it is stored.
        _PRODUCT_NODES[id(product)] = (product, node)
        return node

    @classmethod
    def _build(cls, product: Product) -> ProductNode:
        return cls(
            product=product,
            id=strawberry.ID(encode_global_id("Product", product.id)),
            database_id=product.id,
            slug=product.slug,
            name=product.name,
            description=product.description,
            type=product.type,
            pricing_type=product.pricing_type,
            price=Money.of(product.price, product.currency),
            setup_fee=Money.of(product.setup_fee, product.currency),
            billing_period=BillingPeriod.from_domain(product.period),
            trial_period=BillingPeriod.from_domain(product.trial) if product.trial else None,
            recurring=product.recurring,
            billing_cycles=product.billing_cycles,
            price_variations=[
                PriceVariation.from_domain(v, product.currency) for v in product.price_variations
            ],
            list_order=product.list_order,
            active=product.active,
            date_created=product.date_created,
            date_modified=product.date_modified,
        )

    @strawberry.field(description="The product's own limits (without add-ons or overrides).")
    @context_only
    def limits(self, info: Info) -> LimitsNode:
        default_role = info.context.store.network_settings().default_role
        return limits_node(self.product.limitations, default_role)

    @strawberry.field(description="The plan group (family) it belongs to; null when none.")
    def plan_group(self) -> PlanGroup | None:
        name = self.product.plan_group
        return PlanGroup(name=name) if name else None

    @strawberry.field(description="Packages and services that may be added to this plan.")
    @context_only
    async def available_addons(self, info: Info) -> list[ProductNode]:
        found = await info.context.loaders.products_by_id.load_many(
            list(self.product.available_addons)
        )
        return [ProductNode.from_domain(p) for p in found if p is not None]


@strawberry.type(name="PlanGroup", description="A family of plans a membership can move within.")
class PlanGroup:
    name: str = strawberry.field(description="The group's name (at most 20 characters).")

    @strawberry.field(description="Plans of the group, by listOrder then databaseId.")
    async def plans(
        self,
        info: Info,
        active: Annotated[
            bool | None,
            strawberry.argument(description="Only active (true) or inactive (false) plans."),
        ] = None,
    ) -> list[ProductNode]:
        plans = await info.context.loaders.plans_by_group.load(self.name)
        return [ProductNode.from_domain(p) for p in plans if active is None or p.active is active]


@strawberry.input(name="ProductsWhere", description="Filters for `products`.")
class ProductsWhere:
    type: ProductTypeEnum | None = strawberry.field(default=None, description="Product type.")
    plan_group: str | None = strawberry.field(default=None, description="Plan group name.")
    active: bool | None = strawberry.field(default=None, description="Active or not.")


@strawberry.type
class CatalogQuery:
    @strawberry.field(description="Products by listOrder then databaseId, filtered by `where`.")
    async def products(
        self,
        info: Info,
        where: ProductsWhere | None = None,
        first: First = None,
        after: After = None,
    ) -> Connection[ProductNode]:
        win = window(first, after, info.context.settings.max_page_size)
        where = where or ProductsWhere()
        page = await use_cases.list_products(
            info.context, where.type, where.plan_group, where.active, win.offset, win.limit
        )
        return build_connection(page.items, page.total, win, ProductNode.from_domain)

    @strawberry.field(description="One product, or null when no product has that id.")
    async def product(
        self,
        info: Info,
        id: LookupId,
        id_type: Annotated[
            ProductIdType | None,
            strawberry.argument(description=ID_TYPE_HELP),
        ] = None,
    ) -> ProductNode | None:
        product = await use_cases.find_product(
            info.context, str(id), id_type.name if id_type else "ID"
        )
        return ProductNode.from_domain(product) if product else None

    @strawberry.field(description="Every plan group (by name), each with its ordered plans.")
    async def plan_groups(self, info: Info) -> list[PlanGroup]:
        names = await use_cases.plan_group_names(info.context)
        return [PlanGroup(name=name) for name in names]


async def load_product(info: Info, product_id: int | None) -> ProductNode | None:
    """The product ``product_id`` through the request's loader; None when absent or deleted."""
    if product_id is None:
        return None
    product = await info.context.loaders.products_by_id.load(product_id)
    return ProductNode.from_domain(product) if product else None


def product_node(info: Info, product_id: int) -> ProductNode | None | Awaitable[ProductNode | None]:
    """The product's node (one per product object: ``ProductNode.from_domain``): at once
    when the request already read the catalog, else an awaitable through its loader.

    Resolvers return this as it is: graphql-core awaits only what needs it, so a page whose
    catalog is at hand resolves its plans and add-ons synchronously (issue 12).
    """
    loaders = info.context.loaders
    catalog = loaders.catalog_at_hand()
    if catalog is None:
        return _product_node_later(info, product_id)
    product = catalog.by_id.get(product_id)
    return ProductNode.from_domain(product) if product else None


async def _product_node_later(info: Info, product_id: int) -> ProductNode | None:
    product = await info.context.loaders.products_by_id.load(product_id)
    return ProductNode.from_domain(product) if product else None
