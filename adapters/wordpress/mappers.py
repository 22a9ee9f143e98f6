"""Rows of the plugin's tables → domain objects.

Every stored form the plugin produces is accepted here (tests/fixtures/wordpress/README.md,
docs/wordpress.md §9): serialized arrays and objects, slashed columns, comma-separated add-on
lists, zero dates, decimal strings, limitations as array or object. This is also the only
place where the plugin's naive datetimes become aware UTC datetimes.

A value that cannot be decoded raises :class:`RowError`; the store skips that row and
reports it instead of failing the whole request.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from planswitch.adapters.wordpress import phpserial
from planswitch.domain.customers import Customer
from planswitch.domain.discounts import DiscountCode, DiscountType
from planswitch.domain.limits import Limitations
from planswitch.domain.memberships import Membership, MembershipStatus, ScheduledChange
from planswitch.domain.money import MONEY_PATTERNS, MoneyFormat, to_decimal
from planswitch.domain.network import DEFAULT_ROLE, NetworkSettings
from planswitch.domain.payments import LineItem, LineItemType, Payment, PaymentStatus
from planswitch.domain.periods import BillingPeriod, DurationUnit
from planswitch.domain.products import PriceVariation, PricingType, Product, ProductType
from planswitch.domain.usage import Site

ZERO_DATE = "0000-00-00 00:00:00"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
DEFAULT_PERIOD = BillingPeriod(1, DurationUnit.MONTH)

# Meta keys (docs/wordpress.md §4).
SWAP_ORDER = "wu_swap_order"
SWAP_DATE = "wu_swap_scheduled_date"
LIMITATIONS = "wu_limitations"
LINE_ITEMS = "wu_line_items"


class RowError(Exception):
    """A stored row that cannot be decoded: which table, which id, and why."""

    def __init__(self, table: str, id: int | str | None, reason: str) -> None:
        super().__init__(f"{table} #{id}: {reason}")
        self.table = table
        self.id = id
        self.reason = reason

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RowError) and (self.table, self.id, self.reason) == (
            other.table,
            other.id,
            other.reason,
        )

    def __hash__(self) -> int:
        return hash((self.table, self.id, self.reason))


# ------------------------------------------------------------------------------ time


@dataclass(frozen=True)
class SiteTime:
    """The main site's time zone, for the few values the plugin writes in local time."""

    tz: tzinfo = UTC

    @classmethod
    def from_options(cls, timezone_string: str | None, gmt_offset: str | None) -> SiteTime:
        """WordPress's ``wp_timezone()``: ``timezone_string`` first, else ``gmt_offset`` hours."""
        if timezone_string:
            try:
                return cls(ZoneInfo(timezone_string))
            except (ZoneInfoNotFoundError, ValueError):
                pass
        try:
            hours = float(gmt_offset or 0)
        except ValueError:
            hours = 0.0
        if hours == 0:
            return cls(UTC)
        return cls(timezone(timedelta(hours=hours)))


def parse_datetime(value: Any, tz: tzinfo = UTC) -> datetime | None:
    """A stored datetime as aware UTC; NULL, ``''`` and the zero date mean None.

    ``tz`` is the zone the value was written in (UTC for almost every column).
    """
    if value is None or value == "" or value == ZERO_DATE:
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value).strip()
        if not text or text.startswith("0000-00-00"):
            return None
        try:
            # naive on purpose: the zone is the caller's ``tz``, attached just below
            moment = datetime.strptime(text[:19], DATE_FORMAT)  # noqa: DTZ007
        except ValueError:
            try:
                moment = datetime.fromisoformat(text)
            except ValueError as exc:
                raise ValueError(f"not a date: {text!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(UTC)


def render_datetime(value: Any) -> str:
    """A stored datetime as the plugin's ``Y-m-d H:i:s`` text (NULL → ``''``)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(DATE_FORMAT)
    return str(value)


def version_of(date_modified: Any) -> str:
    """The optimistic-concurrency token of a WordPress row: its ``date_modified`` as text."""
    return render_datetime(date_modified)


# ------------------------------------------------------------------------------ scalars


def amount(value: Any) -> Decimal:
    """A stored amount (decimal string, int, PHP float) as Decimal; NULL → 0; -0 → 0."""
    if value is None or value == "":
        return Decimal("0")
    try:
        number = to_decimal(value)
    except (InvalidOperation, TypeError) as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    return number + 0 if number.is_zero() else number  # -0.0 becomes 0.0


def flag(value: Any) -> bool:
    """A stored boolean: ``"1"``/``""``, 0/1, PHP bools."""
    if isinstance(value, str):
        return value.strip() not in ("", "0")
    return bool(value)


def integer(value: Any, default: int = 0) -> int:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return int(value)
    return int(str(value).strip()) if isinstance(value, str) else int(value)


def period(
    duration: Any, unit: Any, default: BillingPeriod | None = DEFAULT_PERIOD
) -> BillingPeriod | None:
    """``duration`` + ``duration_unit`` as a period (string durations accepted).

    Returns ``default`` when the duration or unit is unset or invalid.
    """
    try:
        count = integer(duration)
    except ValueError:
        return default
    if count < 1 or not unit:
        return default
    try:
        return BillingPeriod(count, DurationUnit(str(unit)))
    except ValueError:
        return default


def id_list(value: Any) -> tuple[int, ...]:
    """A list of ids in any stored form: serialized array, ``"6,7,8"``, a single id, empty."""
    if isinstance(value, str) and not phpserial.is_serialized(value):
        parts = [p.strip() for p in value.split(",")]
        return tuple(int(p) for p in parts if p)
    decoded = phpserial.maybe_loads(value)
    if isinstance(decoded, str):
        return id_list(decoded) if decoded else ()
    return tuple(integer(item) for item in phpserial.as_list(decoded) if item not in (None, ""))


def limitations(value: Any) -> Limitations:
    """``wu_limitations`` meta: an array, a ``Limitations`` object, JSON, or nothing."""
    if value is None or value == "":
        return Limitations.empty()
    decoded = phpserial.maybe_loads(value)
    if isinstance(decoded, phpserial.phpobject):
        decoded = phpserial.props(decoded)  # __serialize() stores the raw array as properties
    if isinstance(decoded, str) and decoded.strip() and not decoded.strip().startswith(("{", "[")):
        raise ValueError("limitations are neither serialized nor JSON")
    if isinstance(decoded, str):
        try:
            json.loads(decoded)
        except ValueError as exc:
            raise ValueError("limitations are not valid JSON") from exc
    return Limitations.from_raw(decoded)


def plugin_settings(value: Any, site_name: Any = "") -> NetworkSettings:
    """The plugin's settings array (network option ``wp-ultimo_v2_settings``); what is
    missing or unreadable takes the plugin's default (``site_name``: the network's name)."""
    try:
        decoded = phpserial.maybe_loads(value) if isinstance(value, str) else value
    except phpserial.PhpSerialError:
        decoded = None
    settings = decoded if isinstance(decoded, Mapping) else {}
    role = settings.get("default_role")
    company = settings.get("company_name", site_name)  # wu_get_setting($key, $default)
    currency = settings.get("currency_symbol", "USD")  # wu_create_payment()'s default
    return NetworkSettings(
        default_role=role if isinstance(role, str) and role else DEFAULT_ROLE,
        company_name=str(company or ""),
        money_format=money_format(settings),
        currency=str(currency or ""),
    )


def money_format(settings: Mapping[str, Any]) -> MoneyFormat:
    """The network's currency settings as ``wu_format_currency`` reads them
    (inc/functions/currency.php:386-395; fields and defaults inc/class-settings.php:655-710).

    A stored value is taken as it is (``wu_get_setting`` falls back only when the key is
    missing, inc/class-settings.php:207), except a position that is none of the four the
    settings page offers, which takes the default. ``precision`` is cast as PHP's ``(int)``
    does: its leading digits, else 0.
    """
    default = MoneyFormat()
    pattern = settings.get("currency_position", default.pattern)
    decimal = settings.get("decimal_separator", default.decimal_separator)
    thousands = settings.get("thousand_separator", default.thousand_separator)
    return MoneyFormat(
        pattern=pattern if pattern in MONEY_PATTERNS else default.pattern,
        decimal_separator=str(decimal) if decimal is not None else "",
        thousand_separator=str(thousands) if thousands is not None else "",
        precision=_php_int(settings.get("precision", default.precision)),
    )


def _php_int(value: Any) -> int:
    """PHP's ``(int)`` of a setting: ``"2"`` -> 2, ``"3 places"`` -> 3, ``""`` -> 0."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    match = re.match(r"\s*([+-]?\d+)", str(value if value is not None else ""))
    return int(match.group(1)) if match else 0


def _enum(kind: type, value: Any, what: str) -> Any:
    try:
        return kind(value)
    except ValueError as exc:
        raise ValueError(f"unknown {what} {value!r}") from exc


# ------------------------------------------------------------------------------ mappers


class Mapper:
    """Builds domain objects from rows of one network (``tables`` names the tables in errors)."""

    def __init__(
        self,
        table_names: Any,
        site_time: SiteTime | None = None,
        company_name: str = "",
        network_currency: str = "",
    ) -> None:
        self.names = table_names
        self.site_time = site_time or SiteTime()
        self.company_name = company_name
        # The network's currency setting (NetworkSettings.currency), for the payments written.
        self.network_currency = network_currency

    # Products ---------------------------------------------------------------------------
    def product(self, row: Mapping[str, Any], meta: Mapping[str, Any]) -> Product:
        """A ``wu_products`` row plus its ``wu_productmeta`` (key → value)."""
        try:
            return self._product(row, meta)
        except RowError:
            raise
        except Exception as exc:
            raise RowError(self.names.products, row.get("id"), str(exc)) from exc

    def _product(self, row: Mapping[str, Any], meta: Mapping[str, Any]) -> Product:
        variations = []
        for item in phpserial.as_list(phpserial.maybe_loads(meta.get("price_variations") or "")):
            if not isinstance(item, Mapping):
                raise ValueError("a price variation is not an array")
            var_period = period(item.get("duration"), item.get("duration_unit"), None)
            if var_period is None:
                continue  # an unfinished admin row: no period, nothing to sell
            variations.append(PriceVariation(var_period, amount(item.get("amount"))))
        trial = period(row.get("trial_duration"), row.get("trial_duration_unit"), None)
        return Product(
            id=int(row["id"]),
            slug=str(row.get("slug") or ""),
            name=str(row.get("name") or ""),
            type=_enum(ProductType, row.get("type") or "plan", "product type"),
            amount=amount(row.get("amount")),
            currency=str(row.get("currency") or "USD"),
            description=str(row.get("description") or ""),
            pricing_type=_enum(PricingType, row.get("pricing_type") or "paid", "pricing type"),
            setup_fee=amount(row.get("setup_fee")),
            recurring=flag(row.get("recurring")),
            period=period(row.get("duration"), row.get("duration_unit")) or DEFAULT_PERIOD,
            trial=trial,
            billing_cycles=integer(row.get("billing_cycles")),
            list_order=integer(row.get("list_order"), 10),
            active=flag(row.get("active")),
            plan_group=str(row.get("product_group") or ""),
            limitations=limitations(meta.get(LIMITATIONS)),
            available_addons=id_list(meta.get("wu_available_addons") or ""),
            price_variations=tuple(variations),
            date_created=parse_datetime(row.get("date_created")),
            date_modified=parse_datetime(row.get("date_modified")),
        )

    # Customers --------------------------------------------------------------------------
    def customer(self, row: Mapping[str, Any], user: Mapping[str, Any] | None) -> Customer:
        """A ``wu_customers`` row joined to its WordPress user (None when the user is gone)."""
        try:
            user = user or {}
            return Customer(
                id=int(row["id"]),
                user_id=integer(row.get("user_id")),
                email=str(user.get("user_email") or ""),
                display_name=str(user.get("display_name") or ""),
                login=str(user.get("user_login") or ""),
                vip=flag(row.get("vip")),
                has_trialed=flag(row.get("has_trialed")),
                date_registered=parse_datetime(row.get("date_registered")),
                date_modified=parse_datetime(row.get("date_modified")),
            )
        except Exception as exc:
            raise RowError(self.names.customers, row.get("id"), str(exc)) from exc

    # Memberships ------------------------------------------------------------------------
    def membership(self, row: Mapping[str, Any], meta: Mapping[str, Any]) -> Membership:
        """A ``wu_memberships`` row plus its ``wu_membershipmeta`` (key → value)."""
        try:
            addons = self._addon_products(row.get("addon_products"))
        except Exception as exc:
            raise RowError(self.names.memberships, row.get("id"), f"addon_products: {exc}") from exc
        try:
            scheduled = self.scheduled_change(meta)
        except Exception as exc:
            raise RowError(
                self.names.membershipmeta, row.get("id"), f"{SWAP_ORDER}: {exc}"
            ) from exc
        try:
            return Membership(
                id=int(row["id"]),
                customer_id=integer(row.get("customer_id")),
                plan_id=integer(row.get("plan_id")),
                status=_enum(MembershipStatus, row.get("status"), "membership status"),
                amount=amount(row.get("amount")),
                addons=addons,
                currency=str(row.get("currency") or "USD"),
                initial_amount=amount(row.get("initial_amount")),
                period=period(row.get("duration"), row.get("duration_unit")) or DEFAULT_PERIOD,
                recurring=flag(row.get("recurring")),
                auto_renew=flag(row.get("auto_renew")),
                date_created=parse_datetime(row.get("date_created")),
                date_activated=parse_datetime(row.get("date_activated")),
                date_trial_end=parse_datetime(row.get("date_trial_end")),
                # renew() stamps date_renewed with current_time('mysql'): site-local time.
                date_renewed=parse_datetime(row.get("date_renewed"), self.site_time.tz),
                date_cancellation=parse_datetime(row.get("date_cancellation")),
                date_expiration=parse_datetime(row.get("date_expiration")),
                date_modified=parse_datetime(row.get("date_modified")),
                times_billed=integer(row.get("times_billed")),
                billing_cycles=integer(row.get("billing_cycles")),
                gateway=str(row.get("gateway") or ""),
                gateway_customer_id=str(row.get("gateway_customer_id") or ""),
                gateway_subscription_id=str(row.get("gateway_subscription_id") or ""),
                limitations_override=limitations(meta.get(LIMITATIONS)),
                scheduled_change=scheduled,
                version=version_of(row.get("date_modified")),
            )
        except RowError:
            raise
        except Exception as exc:
            raise RowError(self.names.memberships, row.get("id"), str(exc)) from exc

    @staticmethod
    def _addon_products(value: Any) -> dict[int, int]:
        # A column: serialize() + addslashes(); '' / NULL / false mean none
        # (docs/wordpress.md §9.2).
        if value is None or value == "":
            return {}
        if isinstance(value, str | bytes):
            return dict(_addon_products_of_text(value))  # a copy: the cached one is shared
        return _decode_addon_products(value)

    def scheduled_change(self, meta: Mapping[str, Any]) -> ScheduledChange | None:
        """The swap stored as ``wu_swap_order`` (a serialized Cart) + ``wu_swap_scheduled_date``.

        The plugin ignores the swap when either row is missing, so do we. What ``swap()``
        applies: the cart's product lines (its plan line → plan, others → add-ons with their
        quantity), the sum of the recurring lines' totals, the cart's duration.
        """
        order, when = meta.get(SWAP_ORDER), meta.get(SWAP_DATE)
        if not order or not when:
            return None
        effective_at = parse_datetime(when)
        if effective_at is None:
            raise ValueError(f"{SWAP_DATE} is not a date")
        cart = phpserial.maybe_loads(order)
        if not isinstance(cart, phpserial.phpobject):
            raise ValueError("not a serialized Cart")
        fields = phpserial.props(cart)
        lines = [phpserial.props(line) for line in phpserial.as_list(fields.get("line_items"))]
        description = self._cart_descriptor(fields, lines)
        plan_id = integer(fields.get("plan_id"), 0) or None
        addons: dict[int, int] = {}
        total = Decimal("0")
        chosen_plan: int | None = None
        for line in lines:
            if flag(line.get("recurring")):
                total += amount(line.get("total"))
            product_id = line.get("product_id")
            if line.get("type") != "product" or product_id in (None, ""):
                continue
            product_id = integer(product_id)
            if chosen_plan is None and (plan_id is None or product_id == plan_id):
                chosen_plan = product_id
            else:
                addons[product_id] = addons.get(product_id, 0) + integer(line.get("quantity"), 1)
        if chosen_plan is None:
            raise ValueError("the cart has no plan line")
        cart_period = period(fields.get("duration"), fields.get("duration_unit"))
        return ScheduledChange(
            plan_id=chosen_plan,
            addons=addons,
            period=cart_period or DEFAULT_PERIOD,
            amount=total,
            effective_at=effective_at,
            description=description,
        )

    def _cart_descriptor(self, cart: Mapping[str, Any], lines: Sequence[Mapping[str, Any]]) -> str:
        """``Cart::get_cart_descriptor()``: the stored descriptor, else "{company} - {titles of
        the lines that carry a product}" trimmed (inc/checkout/class-cart.php:504-527)."""
        stored = cart.get("cart_descriptor")
        if stored:
            return str(stored)
        titles = [
            str(line.get("title") or "")
            for line in lines
            if line.get("product_id") not in (None, "", 0, "0")
        ]
        return f"{self.company_name} - {', '.join(titles)}".strip()

    # Payments ---------------------------------------------------------------------------
    def payment(self, row: Mapping[str, Any], meta: Mapping[str, Any]) -> Payment:
        """A ``wu_payments`` row plus its ``wu_paymentmeta`` (line items in ``wu_line_items``)."""
        try:
            lines = self.line_items(meta.get(LINE_ITEMS))
        except Exception as exc:
            raise RowError(self.names.paymentmeta, row.get("id"), f"{LINE_ITEMS}: {exc}") from exc
        try:
            return Payment(
                id=int(row["id"]),
                customer_id=integer(row.get("customer_id")),
                membership_id=integer(row.get("membership_id")),
                status=_enum(PaymentStatus, row.get("status"), "payment status"),
                currency=str(row.get("currency") or "USD"),
                subtotal=amount(row.get("subtotal")),
                total=amount(row.get("total")),
                discount_total=amount(row.get("discount_total")),
                tax_total=amount(row.get("tax_total")),
                refund_total=amount(row.get("refund_total")),
                line_items=lines,
                discount_code=str(row.get("discount_code") or ""),
                gateway=str(row.get("gateway") or ""),
                gateway_payment_id=str(row.get("gateway_payment_id") or ""),
                date_created=parse_datetime(row.get("date_created")),
                date_modified=parse_datetime(row.get("date_modified")),
            )
        except Exception as exc:
            raise RowError(self.names.payments, row.get("id"), str(exc)) from exc

    @staticmethod
    def line_items(value: Any) -> tuple[LineItem, ...]:
        """``wu_line_items``: a serialized array of ``Line_Item`` objects, in stored order."""
        if value is None or value == "":
            return ()
        if isinstance(value, str | bytes):
            return _line_items_of_text(value)
        return _decode_line_items(value)

    # Discount codes ---------------------------------------------------------------------
    def discount_code(self, row: Mapping[str, Any], meta: Mapping[str, Any]) -> DiscountCode:
        """A ``wu_discount_codes`` row plus ``wu_allowed_products`` / ``wu_limit_products`` meta."""
        try:
            max_uses = row.get("max_uses")
            return DiscountCode(
                id=int(row["id"]),
                code=str(row.get("code") or ""),
                value=amount(row.get("value")),
                type=_enum(DiscountType, row.get("type") or "percentage", "discount type"),
                setup_fee_value=amount(row.get("setup_fee_value")),
                setup_fee_type=_enum(
                    DiscountType, row.get("setup_fee_type") or "percentage", "discount type"
                ),
                apply_to_renewals=flag(row.get("apply_to_renewals")),
                active=flag(row.get("active")),
                uses=integer(row.get("uses")),
                max_uses=None if max_uses in (None, "") else integer(max_uses),
                date_start=parse_datetime(row.get("date_start")),
                date_expiration=parse_datetime(row.get("date_expiration")),
                allowed_products=id_list(meta.get("wu_allowed_products") or ""),
                limit_products=flag(phpserial.maybe_loads(meta.get("wu_limit_products") or "")),
            )
        except Exception as exc:
            raise RowError(self.names.discount_codes, row.get("id"), str(exc)) from exc

    # Sites ------------------------------------------------------------------------------
    def site(self, row: Mapping[str, Any], meta: Mapping[str, Any], main_site_id: int = 1) -> Site:
        """A ``wp_blogs`` row plus its blogmeta (``wu_membership_id``, ``wu_customer_id``,
        ``wu_type``)."""
        try:
            blog_id = int(row["blog_id"])
            membership_id = meta.get("wu_membership_id")
            customer_id = meta.get("wu_customer_id")
            site_type = "main" if blog_id == main_site_id else str(meta.get("wu_type") or "default")
            return Site(
                id=blog_id,
                membership_id=integer(membership_id) if membership_id not in (None, "") else None,
                customer_id=integer(customer_id) if customer_id not in (None, "") else None,
                domain=str(row.get("domain") or ""),
                path=str(row.get("path") or "/"),
                type=site_type,
                published=is_published(row),
            )
        except Exception as exc:
            raise RowError(self.names.blogs, row.get("blog_id"), str(exc)) from exc


def is_published(blog: Mapping[str, Any]) -> bool:
    """A site counts when it is not deleted, archived or marked spam."""
    return not (flag(blog.get("deleted")) or flag(blog.get("archived")) or flag(blog.get("spam")))


# Unserializing line items is most of the cost of reading a payment (pure-Python
# phpserialize), and payments of the same cart store the same text (a line's hash is its
# product's Hashids hash), so decoded values are shared: they are immutable tuples of
# frozen LineItems. Bounded; errors are not cached.
LINE_ITEMS_CACHE_SIZE = 4096


@lru_cache(maxsize=LINE_ITEMS_CACHE_SIZE)
def _line_items_of_text(value: str | bytes) -> tuple[LineItem, ...]:
    return _decode_line_items(value)


def _decode_line_items(value: Any) -> tuple[LineItem, ...]:
    decoded = phpserial.maybe_loads(value)
    if isinstance(decoded, str):
        raise ValueError("not serialized")
    items = []
    for obj in phpserial.as_list(decoded):
        if not isinstance(obj, (phpserial.phpobject, Mapping)):
            raise ValueError("a line item is not an object")
        line = phpserial.props(obj)
        product_id = line.get("product_id")
        items.append(
            LineItem(
                type=_enum(LineItemType, line.get("type"), "line item type"),
                title=str(line.get("title") or ""),
                unit_price=amount(line.get("unit_price")),
                quantity=integer(line.get("quantity"), 1),
                product_id=None if product_id in (None, "") else integer(product_id),
                description=str(line.get("description") or ""),
                recurring=flag(line.get("recurring")),
                period=period(line.get("duration"), line.get("duration_unit"), None),
                subtotal=amount(line.get("subtotal")),
                discount_total=amount(line.get("discount_total")),
                tax_total=amount(line.get("tax_total")),
                total=amount(line.get("total")),
                discount_label=str(line.get("discount_label") or ""),
            )
        )
    return tuple(items)


@lru_cache(maxsize=LINE_ITEMS_CACHE_SIZE)
def _addon_products_of_text(value: str | bytes) -> tuple[tuple[int, int], ...]:
    return tuple(_decode_addon_products(value).items())


def _decode_addon_products(value: Any) -> dict[int, int]:
    decoded = phpserial.loads_column(value)
    if decoded in (False, None, ""):
        return {}
    if not isinstance(decoded, Mapping):
        raise ValueError("not an array")
    return {integer(key): integer(quantity) for key, quantity in decoded.items()}
