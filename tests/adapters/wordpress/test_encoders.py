"""Encoders: the values planswitch writes are the plugin's, byte for byte where inputs match."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from planswitch.adapters.wordpress import encoders, phpserial, reads
from planswitch.adapters.wordpress.hashing import decode_id, encode_id
from planswitch.adapters.wordpress.mappers import flag
from planswitch.adapters.wordpress.store import WordPressStore
from planswitch.domain.memberships import ScheduledChange
from planswitch.domain.payments import LineItem, LineItemType
from planswitch.domain.periods import BillingPeriod, DurationUnit
from planswitch.domain.products import Product, ProductType
from sqlalchemy import select

MONTH = BillingPeriod(1, DurationUnit.MONTH)
SWAP_DATE = datetime(2026, 7, 3, 23, 59, 59, tzinfo=UTC)
# Action 18904's schedule as stored (README: "The pending action that applies it").
SCHEDULE_18904 = (
    'O:30:"ActionScheduler_SimpleSchedule":2:{s:22:"\0*\0scheduled_timestamp";i:1783123199;'
    's:41:"\0ActionScheduler_SimpleSchedule\0timestamp";i:1783123199;}'
)

# ------------------------------------------------------------------------------- pure


@pytest.mark.parametrize(
    ("product_id", "expected"),
    [
        (1, "ZDRNXRN5M0"),
        (2, "O34J5YJK7Q"),
        (12, "ZP9GK5N70W"),
        (3, "ZQEJ4YNX8O"),
        (6, "05LJ14J9K7"),
    ],
)
def test_product_hashes_are_the_plugins(product_id: int, expected: str) -> None:
    assert encode_id(product_id, "product") == expected
    assert decode_id(expected, "product") == product_id


def test_membership_and_payment_hashes_use_their_model_salt() -> None:
    assert encode_id(1, "membership") == "03NW02P5JE"
    assert encode_id(1, "payment") == "VED87L8K2M"


def test_addon_products_are_int_keyed_int_quantities_in_id_order() -> None:
    assert encoders.encode_addon_products({7: 2, 6: 1}) == "a:2:{i:6;i:1;i:7;i:2;}"
    assert encoders.encode_addon_products({}) == "a:0:{}"
    assert encoders.encode_addon_products({8: 0, 12: 1}) == "a:1:{i:12;i:1;}"


def test_simple_schedule_is_action_18904s_bytes() -> None:
    assert encoders.encode_simple_schedule(SWAP_DATE) == SCHEDULE_18904


def test_action_args_hold_an_integer_id() -> None:
    assert encoders.action_args(1) == '{"membership_id":1}'


def test_credit_line_matches_the_reference_example() -> None:
    """docs/wordpress.md §9.2's credit line: hashless id, -0 discount and tax, float amounts."""
    credit = LineItem(
        LineItemType.CREDIT,
        "Credit",
        Decimal("-10.51"),
        description="Prorated amount based on the previous membership.",
    )
    text = phpserial.dumps_text(encoders.line_item_object(credit))
    assert text == (
        'O:28:"WP_Ultimo\\Checkout\\Line_Item":31:{s:7:"\0*\0hash";N;s:5:"\0*\0id";'
        's:10:"LN_CREDIT_";s:7:"\0*\0type";s:6:"credit";s:13:"\0*\0product_id";N;'
        's:15:"\0*\0product_slug";N;s:19:"\0*\0discount_code_id";N;s:8:"\0*\0title";'
        's:6:"Credit";s:14:"\0*\0description";s:49:"Prorated amount based on the previous '
        'membership.";s:15:"\0*\0discountable";b:0;s:10:"\0*\0taxable";b:0;'
        's:12:"\0*\0recurring";b:0;s:11:"\0*\0duration";i:1;s:16:"\0*\0duration_unit";'
        's:5:"month";s:17:"\0*\0billing_cycles";i:0;s:11:"\0*\0quantity";i:1;'
        's:13:"\0*\0unit_price";d:-10.51;s:11:"\0*\0subtotal";d:-10.51;'
        's:16:"\0*\0discount_rate";i:0;s:16:"\0*\0discount_type";s:10:"percentage";'
        's:17:"\0*\0discount_label";s:0:"";s:29:"\0*\0apply_discount_to_renewals";b:1;'
        's:17:"\0*\0discount_total";d:-0;s:15:"\0*\0tax_category";s:0:"";'
        's:12:"\0*\0tax_label";s:0:"";s:11:"\0*\0tax_type";s:10:"percentage";'
        's:11:"\0*\0tax_rate";i:0;s:16:"\0*\0tax_inclusive";b:0;s:13:"\0*\0tax_exempt";b:0;'
        's:12:"\0*\0tax_total";d:-0;s:8:"\0*\0total";d:-10.51;s:15:"\0*\0date_created";N;}'
    )


def test_line_items_are_keyed_by_id_in_reverse_order() -> None:
    items = [
        LineItem(LineItemType.CREDIT, "Credit", Decimal("-1")),
        LineItem(LineItemType.PRODUCT, "Free", Decimal("0"), product_id=1),
        LineItem(LineItemType.FEE, "Signup Fee for Premium", Decimal("5"), product_id=2),
        LineItem(LineItemType.PRODUCT, "Premium", Decimal("49"), product_id=2),
    ]
    keys = list(encoders.keyed_line_items(items))
    assert keys == [
        "LN_PRODUCT_ZDRNXRN5M0",
        "LN_PRODUCT_O34J5YJK7Q",
        "LN_FEE_O34J5YJK7Q",
        "LN_CREDIT_",
    ]


def test_two_hashless_credits_both_survive() -> None:
    items = [
        LineItem(LineItemType.CREDIT, "Credit", Decimal("-1")),
        LineItem(LineItemType.CREDIT, "Setup fee credit", Decimal("-2")),
    ]
    keyed = encoders.keyed_line_items(items)
    assert list(keyed) == ["LN_CREDIT_2", "LN_CREDIT_"]
    assert phpserial.props(keyed["LN_CREDIT_2"])["unit_price"] == -2.0


def test_amounts_follow_the_domain_when_php_arithmetic_disagrees() -> None:
    # A 10 % discount on 9.99 rounds to 1.00 in PHP; a domain total of 8.98 wins as given.
    item = LineItem(
        LineItemType.PRODUCT,
        "Odd",
        Decimal("9.99"),
        product_id=5,
        discount_total=Decimal("1.01"),
        total=Decimal("8.98"),
    )
    props = phpserial.props(
        encoders.line_item_object(item, discount=encoders.DiscountFacts(Decimal("10")))
    )
    assert (props["discount_total"], props["total"]) == (1.01, 8.98)


def test_swap_lines_end_with_a_credit_cancelling_todays_total() -> None:
    products = {
        3: Product(3, "basic", "Basic", ProductType.PLAN, Decimal("19")),
        8: Product(
            8,
            "site-migration",
            "Site Migration",
            ProductType.SERVICE,
            Decimal("99"),
            recurring=False,
        ),
    }
    change = ScheduledChange(3, {8: 1}, MONTH, Decimal("19.00"), SWAP_DATE)
    lines = encoders.swap_line_items(change, products)
    assert [(li.type, li.product_id, li.total, li.recurring) for li in lines] == [
        (LineItemType.PRODUCT, 3, Decimal("19"), True),
        (LineItemType.PRODUCT, 8, Decimal("99"), False),
        (LineItemType.CREDIT, None, Decimal("-118"), False),
    ]


def test_swap_lines_add_a_recurring_adjustment_for_a_custom_amount() -> None:
    products = {3: Product(3, "basic", "Basic", ProductType.PLAN, Decimal("19"))}
    change = ScheduledChange(3, {}, MONTH, Decimal("15.00"), SWAP_DATE)
    lines = encoders.swap_line_items(change, products)
    adjustment = lines[1]
    assert (adjustment.type, adjustment.unit_price, adjustment.recurring) == (
        LineItemType.CREDIT,
        Decimal("-4.00"),
        True,
    )
    cart = encoders.swap_cart(
        membership_id=9,
        change=change,
        lines=lines,
        products={3: encoders.ProductFacts.of(products[3])},
        currency="USD",
    )
    keys = list(phpserial.props(cart)["line_items"])
    assert keys == ["LN_PRODUCT_ZQEJ4YNX8O", "LN_CREDIT_ADJUSTMENT", "LN_CREDIT_"]


def test_event_payload_is_slashed() -> None:
    payload = {"status": encoders.transition("active", "on-hold")}
    assert encoders.encode_event_payload(payload) == (
        'a:1:{s:6:\\"status\\";a:2:{s:9:\\"old_value\\";s:6:\\"active\\";'
        's:9:\\"new_value\\";s:7:\\"on-hold\\";}}'
    )


def test_event_payload_converts_domain_values() -> None:
    text = encoders.encode_event_payload(
        {"amount": Decimal("54.00"), "at": datetime(2026, 6, 15, tzinfo=UTC), "name": "D'Arcy"}
    )
    assert phpserial.loads_column(text) == {
        "amount": 54.0,
        "at": "2026-06-15 00:00:00",
        "name": "D'Arcy",
    }
    assert "D\\'Arcy" in text


# ------------------------------------------------------------ against the fixture rows


def _facts(store: WordPressStore, product_ids: set[int]) -> dict[int, encoders.ProductFacts]:
    products = store.products_by_id(sorted(product_ids))
    with store.engine.connect() as conn:
        meta = reads.meta(conn, store.tables.productmeta, "wu_product_id", sorted(product_ids))
    return {
        pid: encoders.ProductFacts.of(
            p,
            taxable=flag(meta[pid]["taxable"]) if "taxable" in meta[pid] else True,
            tax_category=str(meta[pid].get("tax_category") or "default"),
        )
        for pid, p in products.items()
    }


def _stored_meta(store: WordPressStore, table: str, owner: str, object_id: int, key: str) -> str:
    t = getattr(store.tables, table)
    with store.engine.connect() as conn:
        return conn.execute(
            select(t.c.meta_value).where(t.c[owner] == object_id, t.c.meta_key == key)
        ).scalar_one()


# Payments without refund lines (a refund line's hash is a uniqid(), not derivable).
@pytest.mark.mariadb
@pytest.mark.parametrize("payment_id", [1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
def test_payment_line_items_reencode_byte_for_byte(
    wordpress_store: WordPressStore, payment_id: int
) -> None:
    payment = wordpress_store.payments_by_id([payment_id])[payment_id]
    ids = {li.product_id for li in payment.line_items if li.product_id is not None}
    code = wordpress_store.discount_code(payment.discount_code) if payment.discount_code else None
    discount = encoders.DiscountFacts.of(code) if code else None
    text = encoders.encode_line_items(payment.line_items, _facts(wordpress_store, ids), discount)
    assert text == _stored_meta(
        wordpress_store, "paymentmeta", "wu_payment_id", payment_id, "wu_line_items"
    )


@pytest.mark.mariadb
def test_swap_order_line_items_and_cart_state_match_membership_1s(
    wordpress_store: WordPressStore,
) -> None:
    stored = phpserial.props(
        phpserial.loads(
            _stored_meta(wordpress_store, "membershipmeta", "wu_membership_id", 1, "wu_swap_order")
        )
    )
    membership = wordpress_store.memberships_by_id([1])[1]
    change = membership.scheduled_change
    assert change is not None
    products = wordpress_store.products_by_id([3, 6])
    cart = encoders.swap_cart(
        membership_id=1,
        change=change,
        lines=encoders.swap_line_items(change, products),
        products=_facts(wordpress_store, {3, 6}),
        currency="USD",
        address=encoders.CartAddress("US", "OR", "Portland"),
    )
    mine = phpserial.props(cart)
    assert list(mine) == list(stored)  # the 23 properties in order
    assert phpserial.dumps(mine["line_items"]) == phpserial.dumps(stored["line_items"])
    for name in stored:
        if name in ("customer", "membership", "products", "line_items"):
            continue  # models the plugin embeds; swap() never reads them
        assert phpserial.dumps(mine[name]) == phpserial.dumps(stored[name]), name
