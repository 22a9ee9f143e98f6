"""Catalog use cases: list and find products, plan groups, and the operator's updateProduct."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from planswitch.domain.errors import DomainError, ErrorCode
from planswitch.domain.ports import Page, ProductFilter
from planswitch.domain.products import PLAN_GROUP_MAX_LENGTH, Product, ProductType
from planswitch.resolvers import policy
from planswitch.resolvers.context import Context
from planswitch.resolvers.ids import decode_id

MAX_SLUG_LENGTH = 255
ADDON_TYPES = frozenset({ProductType.PACKAGE, ProductType.SERVICE})


async def list_products(
    ctx: Context,
    type: ProductType | None,
    plan_group: str | None,
    active: bool | None,
    offset: int,
    limit: int,
) -> Page[Product]:
    """One page of the filtered catalog, ordered by list_order then id."""
    where = ProductFilter(type=type, plan_group=plan_group, active=active)
    products = await ctx.read(ctx.store.list_products, where)
    return Page(items=products[offset : offset + limit], total=len(products))


async def find_product(ctx: Context, value: str, id_type: str) -> Product | None:
    """The product named by ``value`` read as ``id_type`` (ID, DATABASE_ID or SLUG), or None."""
    if id_type == "SLUG":
        if len(value) > MAX_SLUG_LENGTH:  # no such slug can exist (wu_products.slug)
            raise DomainError(
                ErrorCode.INVALID_ID, f"A slug has at most {MAX_SLUG_LENGTH} characters.", "id"
            )
        return await ctx.read(ctx.store.product_by_slug, value)
    database_id = decode_id(value, "Product", "id", id_type)
    return await ctx.loaders.products_by_id.load(database_id)


async def plan_group_names(ctx: Context) -> list[str]:
    """Names of every plan group, sorted; primes ``plans_by_group`` with their plans."""
    plans = await ctx.read(ctx.store.list_products, ProductFilter(type=ProductType.PLAN))
    groups: dict[str, list[Product]] = {}
    for plan in plans:
        if plan.plan_group:
            groups.setdefault(plan.plan_group, []).append(plan)
    for name, members in groups.items():
        ctx.loaders.plans_by_group.prime(name, members)
    return sorted(groups)


@dataclass(frozen=True)
class ProductChanges:
    """What ``updateProduct`` may change; None leaves a field as it is."""

    product_id: str
    plan_group: str | None = None
    list_order: int | None = None
    active: bool | None = None
    available_addons: Sequence[str] | None = None


async def update_product(ctx: Context, changes: ProductChanges) -> Product:
    """Validate and save ``changes`` in one transaction; raises ``DomainError`` on bad input.

    Nothing is written unless every field is valid.
    """
    if not policy.may_manage_catalog(ctx.viewer):
        denied = policy.operators_only("update products")
        raise DomainError(denied.code, denied.message, denied.field)
    product_id = decode_id(changes.product_id, "Product", "id")
    _check_plan_group(changes.plan_group)
    addon_ids = _decode_addons(changes.available_addons)
    return await asyncio.to_thread(_save, ctx, product_id, changes, addon_ids)


def _check_plan_group(plan_group: str | None) -> None:
    if plan_group is not None and len(plan_group) > PLAN_GROUP_MAX_LENGTH:
        raise DomainError(
            ErrorCode.PLAN_GROUP_TOO_LONG,
            f"`planGroup` may have at most {PLAN_GROUP_MAX_LENGTH} characters "
            f"(got {len(plan_group)}).",
            "planGroup",
        )


def _decode_addons(values: Sequence[str] | None) -> tuple[int, ...] | None:
    if values is None:
        return None
    ids = [decode_id(value, "Product", "availableAddons") for value in values]
    return tuple(dict.fromkeys(ids))  # drop repeats, keep order


def _save(
    ctx: Context, product_id: int, changes: ProductChanges, addon_ids: tuple[int, ...] | None
) -> Product:
    with ctx.store.transaction(ctx.clock.now()) as tx:
        found = tx.products_by_id([product_id, *(addon_ids or ())])
        product = found.get(product_id)
        if product is None:
            raise DomainError(ErrorCode.NOT_FOUND, f"No product with id {product_id}.", "id")
        if addon_ids is not None:
            _check_addons(product, addon_ids, found)
        updated = dataclasses.replace(
            product,
            plan_group=product.plan_group if changes.plan_group is None else changes.plan_group,
            list_order=product.list_order if changes.list_order is None else changes.list_order,
            active=product.active if changes.active is None else changes.active,
            available_addons=product.available_addons if addon_ids is None else addon_ids,
        )
        return tx.save_product(updated)


def _check_addons(product: Product, addon_ids: tuple[int, ...], found: dict[int, Product]) -> None:
    for addon_id in addon_ids:
        addon = found.get(addon_id)
        if addon is None:
            raise DomainError(
                ErrorCode.NOT_FOUND,
                f"`availableAddons` names product {addon_id}, which does not exist.",
                "availableAddons",
            )
        if addon.type not in ADDON_TYPES or addon_id == product.id:
            raise DomainError(
                ErrorCode.ADDON_NOT_AVAILABLE,
                f"`availableAddons` may list packages and services only; "
                f"{addon.name!r} is a {addon.type.value}.",
                "availableAddons",
            )
