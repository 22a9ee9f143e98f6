"""Mappers accept every stored form the plugin produces (no database needed)."""

# Naive datetimes below are what PyMySQL returns for DATETIME columns: the mapper's input.
# ruff: noqa: DTZ001

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from planswitch.adapters.wordpress import phpserial
from planswitch.adapters.wordpress.mappers import (
    Mapper,
    RowError,
    SiteTime,
    amount,
    id_list,
    limitations,
    parse_datetime,
    version_of,
)
from planswitch.adapters.wordpress.names import TableNames
from planswitch.domain.money import Money, MoneyFormat
from planswitch.domain.network import NetworkSettings
from planswitch.domain.periods import BillingPeriod, DurationUnit

SITES_3 = {"sites": {"enabled": True, "limit": "3"}}
MAPPER = Mapper(TableNames())


def membership_row(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": 9,
        "customer_id": 1,
        "plan_id": 2,
        "addon_products": "a:0:{}",
        "status": "active",
        "currency": "USD",
        "amount": Decimal("49.0000"),
        "initial_amount": Decimal("49.0000"),
        "duration": 1,
        "duration_unit": "month",
        "recurring": 1,
        "auto_renew": 1,
        "date_created": datetime(2026, 1, 1),
        "date_expiration": "0000-00-00 00:00:00",
        "date_renewed": datetime(2026, 2, 1, 9, 0, 0),
        "date_modified": datetime(2026, 2, 1, 9, 0, 1),
        "times_billed": 1,
        "billing_cycles": 0,
    }
    row.update(overrides)
    return row


def test_limitations_as_array_object_and_json() -> None:
    as_array = phpserial.dumps_text(SITES_3)
    as_object = phpserial.dumps_text(
        phpserial.make_object("WP_Ultimo\\Objects\\Limitations", SITES_3, visibility="public")
    )
    as_json_modules = phpserial.dumps_text({"sites": '{"enabled":true,"limit":"3"}'})
    for stored in (as_array, as_object, as_json_modules, '{"sites":{"enabled":1,"limit":"3"}}'):
        assert limitations(stored).sites_limit() == 3, stored
    assert limitations(None).is_empty and limitations("").is_empty
    with pytest.raises(ValueError):
        limitations("not limitations")


@pytest.mark.parametrize(
    ("stored", "ids"),
    [
        ("6,7,8", (6, 7, 8)),
        ("8", (8,)),
        ('a:2:{i:0;s:1:"6";i:1;s:1:"7";}', (6, 7)),
        ("a:2:{i:0;i:6;i:1;i:7;}", (6, 7)),
        ("a:0:{}", ()),
        ("", ()),
        (" 6, 7 ,", (6, 7)),
    ],
)
def test_id_lists_in_every_shape(stored: str, ids: tuple[int, ...]) -> None:
    assert id_list(stored) == ids


def test_dates_zero_null_local_and_epoch() -> None:
    assert parse_datetime(None) is None
    assert parse_datetime("") is None
    assert parse_datetime("0000-00-00 00:00:00") is None
    assert parse_datetime("1970-01-01 23:59:59") == datetime(1970, 1, 1, 23, 59, 59, tzinfo=UTC)
    minus3 = timezone(timedelta(hours=-3))
    assert parse_datetime(datetime(2026, 6, 3, 14, 0), minus3) == datetime(
        2026, 6, 3, 17, 0, tzinfo=UTC
    )
    with pytest.raises(ValueError):
        parse_datetime("yesterday")


def test_site_time_from_wordpress_options() -> None:
    assert SiteTime.from_options("UTC", "0").tz is not None
    assert SiteTime.from_options("", "-3").tz.utcoffset(None) == timedelta(hours=-3)
    assert SiteTime.from_options("", "5.5").tz.utcoffset(None) == timedelta(hours=5, minutes=30)
    assert SiteTime.from_options("Not/AZone", "").tz is UTC
    berlin = SiteTime.from_options("Europe/Berlin", "0").tz
    assert datetime(2026, 6, 1, tzinfo=berlin).utcoffset() == timedelta(hours=2)


def test_amounts_from_strings_floats_and_negative_zero() -> None:
    assert amount("49.0000") == Decimal("49.0000")
    assert amount(6.029999999999999) == Decimal("6.029999999999999")
    assert not amount(-0.0).is_signed()
    assert amount(None) == Decimal("0")


def test_version_is_date_modified_as_stored_text() -> None:
    assert version_of(datetime(2026, 6, 3, 14, 22, 38)) == "2026-06-03 14:22:38"
    assert version_of(None) == ""
    membership = MAPPER.membership(membership_row(), {})
    assert membership.version == "2026-02-01 09:00:01"


@pytest.mark.parametrize("stored", ["", None, "a:0:{}"])
def test_no_addons_in_any_stored_form(stored: str | None) -> None:
    assert dict(MAPPER.membership(membership_row(addon_products=stored), {}).addons) == {}


def test_slashed_addon_products_still_read() -> None:
    membership = MAPPER.membership(membership_row(addon_products="a:1:{i:12;i:3;}"), {})
    assert dict(membership.addons) == {12: 3}


def test_garbage_addon_products_raise_a_row_error() -> None:
    with pytest.raises(RowError) as raised:
        MAPPER.membership(membership_row(addon_products="a:1:{i:12;"), {})
    assert (raised.value.table, raised.value.id) == ("wp_wu_memberships", 9)


def test_unknown_status_raises_a_row_error() -> None:
    with pytest.raises(RowError, match="membership status"):
        MAPPER.membership(membership_row(status="paused"), {})


def _cart(plan_id: int | None, lines: list[dict[str, Any]]) -> str:
    line_objects = {
        f"LN_{i}": phpserial.make_object("WP_Ultimo\\Checkout\\Line_Item", line)
        for i, line in enumerate(lines)
    }
    cart = {
        "cart_type": "downgrade",
        "duration": "1",
        "duration_unit": "month",
        "line_items": line_objects,
    }
    if plan_id is not None:
        cart["plan_id"] = plan_id
    return phpserial.dumps_text(phpserial.make_object("WP_Ultimo\\Checkout\\Cart", cart))


LINES = [
    {"type": "product", "product_id": 7, "quantity": 2, "total": 10.0, "recurring": True},
    {"type": "product", "product_id": 3, "quantity": 1, "total": 19.0, "recurring": True},
    {"type": "fee", "product_id": 3, "quantity": 1, "total": 30.0, "recurring": False},
    {"type": "credit", "product_id": None, "quantity": 1, "total": -59.0, "recurring": False},
]


def test_scheduled_change_from_the_cart_plan_line() -> None:
    meta = {"wu_swap_order": _cart(3, LINES), "wu_swap_scheduled_date": "2026-07-03 23:59:59"}
    change = MAPPER.membership(membership_row(), meta).scheduled_change
    assert change is not None
    assert (change.plan_id, dict(change.addons)) == (3, {7: 2})
    assert change.amount == Decimal("29.0")
    assert change.period == BillingPeriod(1, DurationUnit.MONTH)
    assert change.effective_at == datetime(2026, 7, 3, 23, 59, 59, tzinfo=UTC)


def test_a_swap_with_a_missing_row_is_ignored() -> None:
    assert (
        MAPPER.membership(membership_row(), {"wu_swap_order": _cart(3, LINES)}).scheduled_change
        is None
    )
    assert (
        MAPPER.membership(
            membership_row(), {"wu_swap_scheduled_date": "2026-07-03 23:59:59"}
        ).scheduled_change
        is None
    )


def test_an_unreadable_swap_order_is_a_row_error_of_the_meta_table() -> None:
    meta = {"wu_swap_order": 'O:4:"Cart', "wu_swap_scheduled_date": "2026-07-03 23:59:59"}
    with pytest.raises(RowError) as raised:
        MAPPER.membership(membership_row(), meta)
    assert raised.value.table == "wp_wu_membershipmeta"


def test_product_with_limitations_object_and_string_variations() -> None:
    row = {
        "id": 4,
        "slug": "business",
        "name": "Business",
        "type": "plan",
        "amount": "390.0000",
        "setup_fee": "50.0000",
        "recurring": 1,
        "duration": 1,
        "duration_unit": "year",
        "trial_duration": 0,
        "trial_duration_unit": None,
        "list_order": 4,
        "active": 1,
        "pricing_type": "paid",
        "product_group": "Standard",
        "currency": "USD",
    }
    meta = {
        "wu_limitations": phpserial.dumps_text(
            phpserial.make_object("WP_Ultimo\\Objects\\Limitations", SITES_3, visibility="public")
        ),
        "price_variations": phpserial.dumps_text(
            [{"duration": "6", "duration_unit": "month", "amount": 200.5}]
        ),
        "wu_available_addons": "8",
        "taxable": "1",
    }
    product = MAPPER.product(row, meta)
    assert product.limitations.sites_limit() == 3
    assert product.price_variations[0].period == BillingPeriod(6, DurationUnit.MONTH)
    assert product.price_variations[0].amount == Decimal("200.5")
    assert product.trial is None and product.available_addons == (8,)
    with pytest.raises(RowError, match="product type"):
        MAPPER.product({**row, "type": "demo"}, meta)


def test_plugin_settings_fall_back_to_the_plugins_defaults() -> None:
    from planswitch.adapters.wordpress.mappers import plugin_settings

    plugin_default = MoneyFormat("%s %v", ".", ",", 2)  # inc/class-settings.php:655-710
    # currency_symbol: USD, inc/class-settings.php:644-650 and inc/functions/payment.php:112.
    assert plugin_settings(None, "My Network") == NetworkSettings(
        "administrator", "My Network", plugin_default, "USD"
    )
    assert plugin_settings("not serialized", "") == NetworkSettings(
        "administrator", "", plugin_default, "USD"
    )
    stored = (
        'a:3:{s:12:"default_role";s:6:"editor";s:12:"company_name";s:4:"Acme";'
        's:15:"currency_symbol";s:3:"EUR";}'
    )
    assert plugin_settings(stored, "My Network") == NetworkSettings(
        "editor", "Acme", plugin_default, "EUR"
    )


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ({}, MoneyFormat("%s %v", ".", ",", 2)),
        (
            {
                "currency_position": "%v %s",
                "decimal_separator": ",",
                "thousand_separator": ".",
                "precision": "3",
            },
            MoneyFormat("%v %s", ",", ".", 3),
        ),
        # Stored as stored: an empty thousands separator is no separator; the precision is
        # PHP's (int) cast; a position the settings page never offers takes the default.
        ({"thousand_separator": "", "precision": ""}, MoneyFormat("%s %v", ".", "", 0)),
        ({"currency_position": "left", "precision": "1 place"}, MoneyFormat(precision=1)),
        ({"precision": 0}, MoneyFormat(precision=0)),
    ],
)
def test_the_networks_currency_settings(stored: dict, expected: MoneyFormat) -> None:
    from planswitch.adapters.wordpress.mappers import money_format

    assert money_format(stored) == expected


@pytest.mark.parametrize(
    ("style", "amount", "currency", "shown"),
    [
        (MoneyFormat("%s%v", ".", ",", 2), "49", "USD", "$49.00"),
        (MoneyFormat("%s %v", ".", ",", 2), "1234567.005", "USD", "$ 1,234,567.01"),
        (MoneyFormat("%v%s", ",", ".", 2), "-1234.5", "EUR", "-1.234,50€"),
        (MoneyFormat("%v %s", ".", ",", 0), "1500.5", "JPY", "1,501 ¥"),
        (MoneyFormat("%v %s", ".", ",", 3), "1.2345", "KWD", "1.235 KWD"),
    ],
)
def test_a_network_format_writes_amounts_as_the_plugin_does(
    style: MoneyFormat, amount: str, currency: str, shown: str
) -> None:
    assert Money(Decimal(amount), currency).formatted(2, style) == shown
