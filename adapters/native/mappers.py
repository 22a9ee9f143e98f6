"""Rows <-> domain objects. The only place that knows both shapes.

Column types already give Decimal amounts and aware UTC datetimes (``columns.py``); the
mappers rebuild periods, enums, add-on maps and limitations.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from planswitch.adapters.native.tables import (
    CustomerRow,
    DiscountCodeRow,
    EventRow,
    LineItemRow,
    MembershipAddonRow,
    MembershipRow,
    PaymentRow,
    PriceVariationRow,
    ProductAddonRow,
    ProductRow,
    ScheduledChangeRow,
    SiteRow,
)
from planswitch.domain.customers import Customer
from planswitch.domain.discounts import DiscountCode, DiscountType
from planswitch.domain.events import Event
from planswitch.domain.limits import Limitations
from planswitch.domain.memberships import Membership, MembershipStatus, ScheduledChange
from planswitch.domain.payments import LineItem, LineItemType, Payment, PaymentStatus
from planswitch.domain.periods import BillingPeriod
from planswitch.domain.products import PriceVariation, PricingType, Product, ProductType
from planswitch.domain.usage import Site
from sqlalchemy import Row

# --- limitations -------------------------------------------------------------------------


def limits_to_json(limits: Limitations) -> dict[str, Any]:
    """The plugin's array shape as the JSON column holds it.

    Passed through JSON here so keys are text on every path (a PHP array's ``2`` and a
    JSON ``"2"`` compare equal when upserts look for changes).
    """
    return json.loads(json.dumps(limits.to_raw()))


_LIMITS_CACHE_SIZE = 1024
_limits_cache: OrderedDict[str, Limitations] = OrderedDict()
_limits_lock = threading.Lock()


def limits_from_json(raw: Mapping[str, Any] | None) -> Limitations:
    """The Limitations of a JSON column value; one shared (read-only) object per value.

        Normalising a product's limitations costs far more than reading its row, and every
        read of the catalog repeats it, so results are kept by the value's exact JSON text
        (key order included). Sharing also means each value's ``fingerprint`` (the API's
    memo key) is computed once.
    """
    text = json.dumps(raw) if raw else "{}"  # most rows override nothing: no dumps
    with _limits_lock:
        found = _limits_cache.get(text)
        if found is not None:
            _limits_cache.move_to_end(text)
            return found
    limits = Limitations.from_raw(dict(raw or {}))
    with _limits_lock:
        _limits_cache[text] = limits
        while len(_limits_cache) > _LIMITS_CACHE_SIZE:
            _limits_cache.popitem(last=False)
    return limits


# --- products ----------------------------------------------------------------------------


def product_columns(p: Product) -> dict[str, Any]:
    """Column values of the ``products`` row (children excluded)."""
    return {
        "id": p.id,
        "slug": p.slug,
        "name": p.name,
        "description": p.description,
        "type": p.type.value,
        "pricing_type": p.pricing_type.value,
        "amount": p.amount,
        "setup_fee": p.setup_fee,
        "currency": p.currency,
        "recurring": p.recurring,
        "duration": p.period.duration,
        "duration_unit": p.period.unit.value,
        "trial_duration": p.trial.duration if p.trial else 0,
        "trial_duration_unit": p.trial.unit.value if p.trial else "day",
        "billing_cycles": p.billing_cycles,
        "list_order": p.list_order,
        "active": p.active,
        "plan_group": p.plan_group,
        "limitations": limits_to_json(p.limitations),
        "date_created": p.date_created,
        "date_modified": p.date_modified,
    }


def product_children(p: Product) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows of ``product_addons`` and ``product_price_variations`` for ``p``."""
    addons = [
        {"product_id": p.id, "position": i, "addon_id": addon}
        for i, addon in enumerate(p.available_addons)
    ]
    variations = [
        {
            "product_id": p.id,
            "position": i,
            "duration": v.period.duration,
            "duration_unit": v.period.unit.value,
            "amount": v.amount,
        }
        for i, v in enumerate(p.price_variations)
    ]
    return addons, variations


# The to_* readers take the SQLModel object or a plain Core ``Row`` of the same table's
# columns (reads.py selects plain rows for speed): both read as attributes. The *_from
# readers take the column values by name (the hot reads map tuples, inputs.py): the to_*
# readers of those tables go through them, so each mapping is written once.


class Values(Protocol):
    """Column values by name: a dict, or a row read through ``_Attributes``."""

    def __getitem__(self, name: str, /) -> Any: ...


class _Attributes:
    """A row read by column name through its attributes (ORM object or Core ``Row``)."""

    __slots__ = ("row",)

    def __init__(self, row: Any) -> None:
        self.row = row

    def __getitem__(self, name: str) -> Any:
        return getattr(self.row, name)


def to_product(
    row: ProductRow | Row[Any],
    addons: Sequence[ProductAddonRow | Row[Any]],
    variations: Sequence[PriceVariationRow | Row[Any]],
) -> Product:
    return Product(
        id=row.id or 0,
        slug=row.slug,
        name=row.name,
        description=row.description,
        type=ProductType(row.type),
        pricing_type=PricingType(row.pricing_type),
        amount=row.amount,
        setup_fee=row.setup_fee,
        currency=row.currency,
        recurring=row.recurring,
        period=BillingPeriod.of(row.duration, row.duration_unit),
        trial=(
            BillingPeriod.of(row.trial_duration, row.trial_duration_unit)
            if row.trial_duration > 0
            else None
        ),
        billing_cycles=row.billing_cycles,
        list_order=row.list_order,
        active=row.active,
        plan_group=row.plan_group,
        limitations=limits_from_json(row.limitations),
        available_addons=tuple(a.addon_id for a in sorted(addons, key=lambda a: a.position)),
        price_variations=tuple(
            PriceVariation(BillingPeriod.of(v.duration, v.duration_unit), v.amount)
            for v in sorted(variations, key=lambda v: v.position)
        ),
        date_created=row.date_created,
        date_modified=row.date_modified,
    )


# --- customers ---------------------------------------------------------------------------


def customer_columns(c: Customer) -> dict[str, Any]:
    return {
        "id": c.id,
        "user_id": c.user_id,
        "email": c.email,
        "display_name": c.display_name,
        "login": c.login,
        "vip": c.vip,
        "has_trialed": c.has_trialed,
        "date_registered": c.date_registered,
        "date_modified": c.date_modified,
    }


def to_customer(row: CustomerRow | Row[Any]) -> Customer:
    return customer_from(_Attributes(row))


def customer_from(values: Values) -> Customer:
    """The customer of ``values[column name]`` (a joined row's part, ``inputs.py``)."""
    return Customer(
        id=values["id"] or 0,
        user_id=values["user_id"],
        email=values["email"],
        display_name=values["display_name"],
        login=values["login"],
        vip=values["vip"],
        has_trialed=values["has_trialed"],
        date_registered=values["date_registered"],
        date_modified=values["date_modified"],
    )


# --- memberships -------------------------------------------------------------------------

_MEMBERSHIP_DATES = (
    "date_created",
    "date_activated",
    "date_trial_end",
    "date_renewed",
    "date_cancellation",
    "date_expiration",
    "date_modified",
)
_MEMBERSHIP_PLAIN = (
    "customer_id",
    "plan_id",
    "amount",
    "currency",
    "initial_amount",
    "recurring",
    "auto_renew",
    "times_billed",
    "billing_cycles",
    "gateway",
    "gateway_customer_id",
    "gateway_subscription_id",
)
_MEMBERSHIP_VALUES = (*_MEMBERSHIP_PLAIN, *_MEMBERSHIP_DATES)  # copied as they are


def membership_columns(m: Membership) -> dict[str, Any]:
    """Column values of the ``memberships`` row, without ``id`` and ``version``."""
    values = {name: getattr(m, name) for name in _MEMBERSHIP_VALUES}
    values.update(
        status=m.status.value,
        duration=m.period.duration,
        duration_unit=m.period.unit.value,
        limitations_override=limits_to_json(m.limitations_override),
    )
    return values


def membership_addon_rows(m: Membership) -> list[dict[str, Any]]:
    return [
        {"membership_id": m.id, "product_id": int(pid), "quantity": int(qty)}
        for pid, qty in sorted(m.addons.items())
    ]


def scheduled_change_columns(membership_id: int, s: ScheduledChange) -> dict[str, Any]:
    return {
        "membership_id": membership_id,
        "plan_id": s.plan_id,
        "addons": {str(pid): int(qty) for pid, qty in sorted(s.addons.items())},
        "duration": s.period.duration,
        "duration_unit": s.period.unit.value,
        "amount": s.amount,
        "effective_at": s.effective_at,
        "created_at": s.created_at,
        "description": s.description,
    }


def to_scheduled_change(row: ScheduledChangeRow | Row[Any]) -> ScheduledChange:
    return scheduled_change_from(_Attributes(row))


def scheduled_change_from(values: Values) -> ScheduledChange:
    return ScheduledChange(
        plan_id=values["plan_id"],
        addons={int(pid): int(qty) for pid, qty in (values["addons"] or {}).items()},
        period=BillingPeriod.of(values["duration"], values["duration_unit"]),
        amount=values["amount"],
        effective_at=values["effective_at"],
        created_at=values["created_at"],
        description=values["description"],
    )


def to_membership(
    row: MembershipRow | Row[Any],
    addons: Iterable[MembershipAddonRow | Row[Any]],
    scheduled: ScheduledChangeRow | Row[Any] | None,
) -> Membership:
    return membership_from(
        _Attributes(row),
        {a.product_id: a.quantity for a in addons},
        to_scheduled_change(scheduled) if scheduled else None,
    )


def membership_from(
    values: Values, addons: Mapping[int, int], scheduled: ScheduledChange | None
) -> Membership:
    """The membership of ``values[column name]``, its add-ons (product id -> quantity) and
    its scheduled change."""
    return Membership(
        id=values["id"] or 0,
        status=MembershipStatus(values["status"]),
        period=BillingPeriod.of(values["duration"], values["duration_unit"]),
        addons={pid: addons[pid] for pid in sorted(addons)},
        limitations_override=limits_from_json(values["limitations_override"]),
        scheduled_change=scheduled,
        version=str(values["version"]),
        **{name: values[name] for name in _MEMBERSHIP_VALUES},
    )


def addons_from_text(text: str | None) -> dict[int, int]:
    """A membership's add-ons as ``reads.membership_addons_column`` aggregates them:
    ``"6:1,7:2"`` -> ``{6: 1, 7: 2}`` (None: none)."""
    if not text:
        return {}
    found = {}
    for item in text.split(","):
        product_id, _, quantity = item.partition(":")
        found[int(product_id)] = int(quantity)
    return found


# --- payments ----------------------------------------------------------------------------


def payment_columns(p: Payment) -> dict[str, Any]:
    """Column values of the ``payments`` row; ``id`` only when the payment has one."""
    values: dict[str, Any] = {
        "customer_id": p.customer_id,
        "membership_id": p.membership_id,
        "status": p.status.value,
        "currency": p.currency,
        "subtotal": p.subtotal,
        "discount_total": p.discount_total,
        "tax_total": p.tax_total,
        "refund_total": p.refund_total,
        "total": p.total,
        "discount_code": p.discount_code,
        "gateway": p.gateway,
        "gateway_payment_id": p.gateway_payment_id,
        "date_created": p.date_created,
        "date_modified": p.date_modified,
    }
    if p.id:
        values["id"] = p.id
    return values


def line_item_rows(payment_id: int, items: Sequence[LineItem]) -> list[dict[str, Any]]:
    return [
        {
            "payment_id": payment_id,
            "position": i,
            "type": item.type.value,
            "title": item.title,
            "description": item.description,
            "product_id": item.product_id,
            "quantity": item.quantity,
            "unit_price": item.unit_price,
            "subtotal": item.subtotal,
            "discount_total": item.discount_total,
            "tax_total": item.tax_total,
            "total": item.total,
            "recurring": item.recurring,
            "duration": item.period.duration if item.period else None,
            "duration_unit": item.period.unit.value if item.period else None,
            "discount_label": item.discount_label,
        }
        for i, item in enumerate(items)
    ]


def to_line_item(row: LineItemRow | Row[Any]) -> LineItem:
    return LineItem(
        type=LineItemType(row.type),
        title=row.title,
        description=row.description,
        product_id=row.product_id,
        quantity=row.quantity,
        unit_price=row.unit_price,
        subtotal=row.subtotal,
        discount_total=row.discount_total,
        tax_total=row.tax_total,
        total=row.total,
        recurring=row.recurring,
        period=(
            BillingPeriod.of(row.duration, row.duration_unit)
            if row.duration and row.duration_unit
            else None
        ),
        discount_label=row.discount_label,
    )


def to_payment(row: PaymentRow | Row[Any], items: Sequence[LineItemRow | Row[Any]]) -> Payment:
    return Payment(
        id=row.id or 0,
        customer_id=row.customer_id,
        membership_id=row.membership_id,
        status=PaymentStatus(row.status),
        currency=row.currency,
        subtotal=row.subtotal,
        discount_total=row.discount_total,
        tax_total=row.tax_total,
        refund_total=row.refund_total,
        total=row.total,
        line_items=tuple(to_line_item(i) for i in sorted(items, key=lambda i: i.position)),
        discount_code=row.discount_code,
        gateway=row.gateway,
        gateway_payment_id=row.gateway_payment_id,
        date_created=row.date_created,
        date_modified=row.date_modified,
    )


# --- discount codes, events, sites -------------------------------------------------------


def discount_code_columns(d: DiscountCode) -> dict[str, Any]:
    return {
        "id": d.id,
        "code": d.code,
        "value": d.value,
        "type": d.type.value,
        "setup_fee_value": d.setup_fee_value,
        "setup_fee_type": d.setup_fee_type.value,
        "apply_to_renewals": d.apply_to_renewals,
        "active": d.active,
        "uses": d.uses,
        "max_uses": d.max_uses,
        "date_start": d.date_start,
        "date_expiration": d.date_expiration,
        "allowed_products": [int(p) for p in d.allowed_products],
        "limit_products": d.limit_products,
    }


def to_discount_code(row: DiscountCodeRow) -> DiscountCode:
    return DiscountCode(
        id=row.id or 0,
        code=row.code,
        value=row.value,
        type=DiscountType(row.type),
        setup_fee_value=row.setup_fee_value,
        setup_fee_type=DiscountType(row.setup_fee_type),
        apply_to_renewals=row.apply_to_renewals,
        active=row.active,
        uses=row.uses,
        max_uses=row.max_uses,
        date_start=row.date_start,
        date_expiration=row.date_expiration,
        allowed_products=tuple(int(p) for p in row.allowed_products or ()),
        limit_products=row.limit_products,
    )


def event_columns(e: Event) -> dict[str, Any]:
    values: dict[str, Any] = {
        "kind": e.kind,
        "object_type": e.object_type,
        "object_id": e.object_id,
        "actor": e.actor,
        "payload": dict(e.payload),
        "date_created": e.date_created,
    }
    if e.id:
        values["id"] = e.id
    return values


def to_event(row: EventRow) -> Event:
    return Event(
        id=row.id or 0,
        kind=row.kind,
        object_type=row.object_type,
        object_id=row.object_id,
        actor=row.actor,
        payload=dict(row.payload or {}),
        date_created=row.date_created,
    )


def site_columns(site: Site, post_counts: Mapping[str, int]) -> dict[str, Any]:
    return {
        "id": site.id,
        "membership_id": site.membership_id,
        "customer_id": site.customer_id,
        "domain": site.domain,
        "path": site.path,
        "type": site.type,
        "published": site.published,
        "post_counts": {str(k): int(v) for k, v in sorted(post_counts.items())},
    }


def to_site(row: SiteRow | Row[Any]) -> Site:
    return Site(
        id=row.id or 0,
        membership_id=row.membership_id,
        customer_id=row.customer_id,
        domain=row.domain,
        path=row.path,
        type=row.type,
        published=row.published,
    )
