"""Domain values → the exact PHP values the plugin stores (the write side of docs/wordpress.md §9).

Every function here is pure: it builds PHP values (dicts, ``phpobject``s, floats) and
serializes them with :mod:`adapters.wordpress.phpserial`, the one serialization module.

* ``addon_products`` column: ``a:N:{i:<id>;i:<qty>;…}`` (ids ascending).
* paymentmeta ``wu_line_items``: ``WP_Ultimo\\Checkout\\Line_Item`` objects (31 protected
  properties in declaration order), keyed by line id ``LN_<TYPE>_<hash>`` and sorted by key
  in reverse (``krsort``).
* membershipmeta ``wu_swap_order``: a ``WP_Ultimo\\Checkout\\Cart`` (23 properties) whose
  ``line_items`` / ``duration`` / ``duration_unit`` / ``plan_id`` drive ``Membership::swap()``.
* ``wp_actionscheduler_actions.schedule``: an ``ActionScheduler_SimpleSchedule``.
* ``wu_events.payload``: a slashed serialized array.

Amounts are computed the way ``Line_Item::recalculate_totals()`` computes them, in PHP
floats, so the stored floats carry the same binary noise as the plugin's
(``d:6.029999999999999``, ``d:-0``); when that arithmetic disagrees with the domain's
Decimal amounts (to the cent), the domain's amounts are written instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from planswitch.adapters.wordpress import phpserial
from planswitch.adapters.wordpress.hashing import encode_id
from planswitch.domain.discounts import DiscountCode, DiscountType
from planswitch.domain.memberships import ScheduledChange
from planswitch.domain.money import round_money
from planswitch.domain.payments import LineItem, LineItemType
from planswitch.domain.periods import BillingPeriod, DurationUnit
from planswitch.domain.products import Product

LINE_ITEM_CLASS = "WP_Ultimo\\Checkout\\Line_Item"
CART_CLASS = "WP_Ultimo\\Checkout\\Cart"
SIMPLE_SCHEDULE_CLASS = "ActionScheduler_SimpleSchedule"
MYSQL_DATETIME = "%Y-%m-%d %H:%M:%S"

PhpObject = phpserial.PhpObject

SWAP_CREDIT_TITLE = "Scheduled Swap Credit"
SWAP_CREDIT_DESCRIPTION = "Swap scheduled to next billing cycle."


# -- small helpers -------------------------------------------------------------------


def mysql_datetime(moment: datetime) -> str:
    """An aware datetime as the plugin's UTC ``Y-m-d H:i:s`` text."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: the domain uses aware UTC datetimes")
    return moment.astimezone(UTC).strftime(MYSQL_DATETIME)


def php_round(value: float, places: int = 2) -> float:
    """PHP ``round()``: half away from zero; keeps the sign of a zero (``round(-0.0) == -0.0``)."""
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def encode_addon_products(addons: Mapping[int, int]) -> str:
    """``wu_memberships.addon_products``: ``a:N:{i:<id>;i:<qty>;…}``; ``a:0:{}`` when none.

    Ids ascending, quantities as ints; zero quantities are dropped. The value holds no
    quotes, so its slashed (column) form is the same text.
    """
    clean = {int(pid): int(qty) for pid, qty in sorted(addons.items()) if int(qty) > 0}
    return phpserial.dumps_column(clean)


# -- line items ----------------------------------------------------------------------


@dataclass(frozen=True)
class ProductFacts:
    """What a line item copies from its product (``Line_Item::set_product()``)."""

    slug: str | None = None
    description: str = ""
    taxable: bool = True  # productmeta ``taxable`` (absent = true)
    tax_category: str = "default"  # productmeta ``tax_category``
    billing_cycles: int = 0
    period: BillingPeriod | None = None
    is_plan: bool = False

    @classmethod
    def of(
        cls, product: Product, *, taxable: bool = True, tax_category: str = "default"
    ) -> ProductFacts:
        return cls(
            slug=product.slug,
            description=product.description,
            taxable=taxable,
            tax_category=tax_category or "default",
            billing_cycles=product.billing_cycles,
            period=product.period,
            is_plan=product.is_plan,
        )


@dataclass(frozen=True)
class DiscountFacts:
    """The discount a cart applied to its discountable lines (``Cart::apply_discounts_to_item``)."""

    rate: Decimal
    type: DiscountType = DiscountType.PERCENTAGE
    apply_to_renewals: bool = False
    label: str = ""

    @classmethod
    def of(cls, code: DiscountCode) -> DiscountFacts:
        return cls(code.value, code.type, code.apply_to_renewals, code.code.upper())


def _rate_value(rate: Decimal) -> int | float:
    # The plugin keeps 0 as the int default and a code's value as a float (d:33).
    return 0 if rate == 0 else float(rate)


def _php_totals(
    quantity: int, unit_price: float, rate: int | float, rate_type: str
) -> tuple[float, float, float, float]:
    """``Line_Item::recalculate_totals()`` in floats, tax rate 0: (sub, discount, tax, total)."""
    subtotal = quantity * unit_price
    discount = php_round(subtotal * (rate / 100) if rate_type == "percentage" else rate)
    discounted = subtotal - discount
    if subtotal > 0 and discounted < 0:
        discounted, discount = 0.0, subtotal
    tax = php_round(discounted * 0)  # no tax rates on planswitch's lines
    return subtotal, discount, tax, discounted + tax


def _same_cents(php_value: float, domain_value: Decimal) -> bool:
    return round_money(Decimal(repr(php_value))) == round_money(domain_value)


def line_id(type_: str, hash_: str | None) -> str:
    """``LN_<TYPE>_<hash>`` (``LN_CREDIT_`` without a hash), as ``Line_Item`` builds it."""
    return f"LN_{type_.upper()}_{hash_ or ''}"


@dataclass(frozen=True)
class _DiscountTerms:
    """The discount properties a line carries (``Line_Item`` discount_* fields)."""

    rate: int | float = 0
    type: str = "percentage"
    label: str = ""
    apply_to_renewals: bool = True


def _discount_terms(item: LineItem, discount: DiscountFacts | None) -> _DiscountTerms:
    if item.discount_total == 0:
        return _DiscountTerms(label=item.discount_label)
    if discount is None:  # an amount without its code: a flat discount of exactly that amount
        return _DiscountTerms(float(item.discount_total), "absolute", item.discount_label)
    return _DiscountTerms(
        _rate_value(discount.rate),
        discount.type.value,
        item.discount_label or discount.label,
        discount.apply_to_renewals,
    )


def _line_totals(item: LineItem, terms: _DiscountTerms) -> tuple[float, float, float, float]:
    """(subtotal, discount, tax, total) as PHP floats; the domain's amounts when PHP's
    arithmetic would land on other cents."""
    php = _php_totals(item.quantity, float(item.unit_price), terms.rate, terms.type)
    domain = (item.subtotal, item.discount_total, item.tax_total, item.total)
    if all(_same_cents(a, b) for a, b in zip(php, domain, strict=True)):
        return php
    subtotal, discount, tax, total = (float(v) for v in domain)
    return subtotal, discount, tax, total


def _description(item: LineItem, facts: ProductFacts, is_product_line: bool) -> str:
    """The line's description, else the plugin's: the product's own, or ``--`` for a fee."""
    if item.description:
        return item.description
    if is_product_line:
        return facts.description
    return "--" if item.type is LineItemType.FEE else item.description


def line_item_object(
    item: LineItem,
    product: ProductFacts | None = None,
    discount: DiscountFacts | None = None,
    *,
    hash_: str | None = None,
) -> PhpObject:
    """One ``WP_Ultimo\\Checkout\\Line_Item`` with its 31 protected properties, in order.

    ``hash_`` defaults to the product's Hashids hash for lines carrying a product.
    Empty descriptions take the plugin's: the product's own for product lines, ``--`` for fees.
    """
    type_ = item.type.value
    if hash_ is None and item.product_id is not None:
        hash_ = encode_id(item.product_id, "product")
    is_product_line = item.type is LineItemType.PRODUCT and item.product_id is not None
    has_product = item.product_id is not None and item.type in (
        LineItemType.PRODUCT,
        LineItemType.FEE,
    )
    facts = product or ProductFacts()
    period = (
        item.period
        or (facts.period if has_product else None)
        or BillingPeriod(1, DurationUnit.MONTH)
    )
    terms = _discount_terms(item, discount)
    subtotal, discount_total, tax_total, total = _line_totals(item, terms)
    properties: dict[str, Any] = {
        "hash": hash_,
        "id": line_id(type_, hash_),
        "type": type_,
        "product_id": item.product_id,
        "product_slug": facts.slug if is_product_line else None,
        "discount_code_id": None,
        "title": item.title,
        "description": _description(item, facts, is_product_line),
        "discountable": has_product,
        "taxable": facts.taxable if has_product else False,
        "recurring": bool(item.recurring),
        "duration": int(period.duration),
        "duration_unit": period.unit.value,
        "billing_cycles": int(facts.billing_cycles) if has_product else 0,
        "quantity": int(item.quantity),
        "unit_price": float(item.unit_price),
        "subtotal": subtotal,
        "discount_rate": terms.rate,
        "discount_type": terms.type,
        "discount_label": terms.label,
        "apply_discount_to_renewals": terms.apply_to_renewals,
        "discount_total": discount_total,
        "tax_category": facts.tax_category if has_product else "",
        "tax_label": "",
        "tax_type": "percentage",
        "tax_rate": 0,
        "tax_inclusive": False,
        "tax_exempt": False,
        "tax_total": tax_total,
        "total": total,
        "date_created": None,
    }
    return phpserial.make_object(LINE_ITEM_CLASS, properties)


def keyed_line_items(
    items: Sequence[LineItem],
    products: Mapping[int, ProductFacts] | None = None,
    discount: DiscountFacts | None = None,
) -> dict[str, Any]:
    """Line items keyed by line id and sorted by key in reverse (``krsort``).

    Two lines with the same id would overwrite each other in the plugin (two hashless
    credit lines are both ``LN_CREDIT_``); planswitch keeps both by giving the later one
    the hash ``2``, ``3``, … instead.
    """
    products = products or {}
    keyed: dict[str, Any] = {}
    for item in items:
        facts = products.get(item.product_id) if item.product_id is not None else None
        obj = line_item_object(item, facts, discount)
        key = phpserial.props(obj)["id"]
        if key in keyed:
            base_hash = phpserial.props(obj)["hash"] or ""
            n = 2
            while line_id(item.type.value, f"{base_hash}{n}") in keyed:
                n += 1
            obj = line_item_object(item, facts, discount, hash_=f"{base_hash}{n}")
            key = phpserial.props(obj)["id"]
        keyed[key] = obj
    return dict(sorted(keyed.items(), key=lambda kv: kv[0].encode("utf-8"), reverse=True))


def encode_line_items(
    items: Sequence[LineItem],
    products: Mapping[int, ProductFacts] | None = None,
    discount: DiscountFacts | None = None,
) -> str:
    """paymentmeta ``wu_line_items`` text (meta: serialized, not slashed)."""
    return phpserial.dumps_text(keyed_line_items(items, products, discount))


# -- the scheduled swap (wu_swap_order) ----------------------------------------------


def swap_line_items(change: ScheduledChange, products: Mapping[int, Product]) -> list[LineItem]:
    """The lines of the cart a downgrade schedules: the plan, each add-on, then a credit.

    Prices are each product's at the change's period. When their recurring sum differs
    from ``change.amount`` (a discount kept on renewals, a custom price), a recurring
    ``ADJUSTMENT`` line makes up the difference, as ``wu_get_membership_new_cart()`` does.
    The closing ``Scheduled Swap Credit`` cancels today's total, so nothing is charged now.
    Setup fees are left out: they are never due on a scheduled change, and the plugin's
    ``swap()`` would count an add-on's fee line as a second unit.
    """
    lines: list[LineItem] = []
    for product_id, quantity in [(change.plan_id, 1), *sorted(change.addons.items())]:
        if quantity <= 0:
            continue
        product = products[product_id]
        price = product.price_at(change.period)
        recurring = product.is_recurring
        if price is None:  # not sold at this period: its own price and period
            price, period = product.price, product.period
        else:
            period = change.period if recurring else product.period
        lines.append(
            LineItem(
                type=LineItemType.PRODUCT,
                title=product.name,
                unit_price=price,
                quantity=quantity,
                product_id=product_id,
                description=product.description,
                recurring=recurring,
                period=period,
            )
        )
    recurring_total = sum((li.total for li in lines if li.recurring), Decimal("0"))
    difference = round_money(change.amount - recurring_total)
    if difference != 0:
        lines.append(
            LineItem(
                type=LineItemType.CREDIT if difference < 0 else LineItemType.FEE,
                title="Adjustment credit" if difference < 0 else "Adjustment debit",
                unit_price=difference,
                description="Amount adjustment based on previous deal.",
                recurring=True,
                period=change.period,
            )
        )
    today = max(sum((li.total for li in lines), Decimal("0")), Decimal("0"))
    lines.append(
        LineItem(
            type=LineItemType.CREDIT,
            title=SWAP_CREDIT_TITLE,
            unit_price=-today,
            description=SWAP_CREDIT_DESCRIPTION,
        )
    )
    return lines


def _adjustment_hash(item: LineItem) -> str | None:
    # In a swap cart the only recurring line without a product is the amount adjustment.
    return "ADJUSTMENT" if item.product_id is None and item.recurring else None


@dataclass(frozen=True)
class CartAddress:
    country: str | None = None
    state: str | None = None
    city: str | None = None


def swap_cart(
    *,
    membership_id: int,
    change: ScheduledChange,
    lines: Sequence[LineItem],
    products: Mapping[int, ProductFacts],
    currency: str,
    plan_billing_cycles: int = 0,
    address: CartAddress = CartAddress(),
    cart_type: str = "downgrade",
) -> Any:
    """The ``WP_Ultimo\\Checkout\\Cart`` stored as ``wu_swap_order`` (23 properties).

    ``customer``, ``membership``, ``payment`` and ``discount_code`` are null and
    ``products`` empty: ``Membership::swap()`` and ``get_scheduled_swap()`` only read
    ``line_items``, ``duration``, ``duration_unit``, ``plan_id``, ``cart_type`` and
    ``currency``, and ``get_cart_descriptor()`` loads each line's product itself.
    """
    keyed: dict[str, Any] = {}
    for item in lines:
        facts = products.get(item.product_id) if item.product_id is not None else None
        obj = line_item_object(item, facts, hash_=_adjustment_hash(item))
        keyed[phpserial.props(obj)["id"]] = obj
    keyed = dict(sorted(keyed.items(), key=lambda kv: kv[0].encode("utf-8"), reverse=True))
    return cart_object(
        CartShape(
            cart_type=cart_type,
            membership_id=membership_id,
            plan_id=change.plan_id,
            addons=change.addons,
            period=change.period,
            plan_period=(products[change.plan_id].period if change.plan_id in products else None),
            currency=currency,
            plan_billing_cycles=plan_billing_cycles,
            address=address,
        ),
        keyed,
    )


@dataclass(frozen=True)
class CartShape:
    """What a stored Cart says besides its line items."""

    cart_type: str
    membership_id: int
    plan_id: int
    addons: Mapping[int, int]
    period: BillingPeriod
    plan_period: BillingPeriod | None  # the plan's own period (None: unknown plan)
    currency: str
    plan_billing_cycles: int = 0
    address: CartAddress = CartAddress()
    payment_id: int | None = None
    auto_renew: bool = True


def cart_object(shape: CartShape, keyed_lines: Mapping[str, Any]) -> Any:
    """A ``WP_Ultimo\\Checkout\\Cart`` (23 properties: public ``errors``, private
    ``attributes``, then the protected ones in declaration order) holding ``keyed_lines``
    (line id ⇒ ``Line_Item``, already in ``krsort`` order)."""
    wp_error = phpserial.phpobject(
        "WP_Error",
        {"errors": {}, "error_data": {}, "\0*\0additional_data": {}},
    )
    # The private $attributes: the constructor arguments after shortcode_atts(), in order;
    # a period is "posted" (as strings) only when it is not the plan's own.
    posted = shape.plan_period is None or shape.plan_period != shape.period
    attributes = phpserial.phpobject(
        "stdClass",
        {
            "cart_type": "new",  # the constructor's default; the type is set afterwards
            "products": [str(pid) for pid in [shape.plan_id, *sorted(shape.addons)]],
            "duration": str(shape.period.duration) if posted else False,
            "duration_unit": shape.period.unit.value if posted else False,
            "membership_id": str(shape.membership_id),
            "payment_id": str(shape.payment_id) if shape.payment_id else False,
            "discount_code": False,
            "auto_renew": False,
            "country": shape.address.country,
            "state": shape.address.state,
            "city": shape.address.city,
            "currency": "",
        },
    )
    protected: dict[str, Any] = {
        "cart_type": shape.cart_type,
        "customer": None,
        "membership": None,
        "payment": None,
        "recovered_payment": None,
        "discount_code": None,
        "country": shape.address.country,
        "state": shape.address.state,
        "city": shape.address.city,
        "currency": shape.currency,
        "duration": int(shape.period.duration),
        "duration_unit": shape.period.unit.value,
        "billing_cycles": int(shape.plan_billing_cycles),
        "plan_id": int(shape.plan_id),
        "products": [],
        "recurring_products": [],
        "additional_products": [],
        "line_items": dict(keyed_lines),
        "auto_renew": bool(shape.auto_renew),
        "extra": [],
        "cart_descriptor": "",
    }
    properties: dict[str, Any] = {
        "errors": wp_error,
        f"\0{CART_CLASS}\0attributes": attributes,
    }
    properties.update({f"\0*\0{name}": value for name, value in protected.items()})
    return phpserial.phpobject(CART_CLASS, properties)


def encode_swap_order(cart: Any) -> str:
    """membershipmeta ``wu_swap_order`` text (meta: serialized, not slashed)."""
    return phpserial.dumps_text(cart)


# -- Action Scheduler ----------------------------------------------------------------


def unix_time(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return int(moment.timestamp())


def encode_simple_schedule(moment: datetime) -> str:
    """``ActionScheduler_SimpleSchedule`` for ``moment``: its Unix time, protected then private."""
    stamp = unix_time(moment)
    schedule = phpserial.phpobject(
        SIMPLE_SCHEDULE_CLASS,
        {
            "\0*\0scheduled_timestamp": stamp,
            f"\0{SIMPLE_SCHEDULE_CLASS}\0timestamp": stamp,
        },
    )
    return phpserial.dumps_text(schedule)


def action_args(membership_id: int) -> str:
    """``{"membership_id":<int>}``: ``wp_json_encode`` of the args, the id an integer."""
    return f'{{"membership_id":{int(membership_id)}}}'


# -- events ----------------------------------------------------------------------------


def transition(old: Any, new: Any) -> dict[str, Any]:
    return {"old_value": old, "new_value": new}


def encode_event_payload(payload: Mapping[str, Any]) -> str:
    """``wu_events.payload``: ``addslashes(serialize(payload))`` (a main-table column)."""
    return phpserial.dumps_column(_php_value(payload))


def _php_value(value: Any) -> Any:
    """Domain values → PHP-serializable ones (Decimal → float, datetime → text, enums → value)."""
    if isinstance(value, Mapping):
        return {str(k) if not isinstance(k, int) else k: _php_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_php_value(v) for v in value]
    if isinstance(value, datetime):
        return mysql_datetime(value) if value.tzinfo else value.strftime(MYSQL_DATETIME)
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "value") and isinstance(getattr(value, "value", None), (str, int)):
        return value.value  # enums
    return value
