"""Every domain object comes back exactly as it was stored, on every backend."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from planswitch.domain.discounts import DiscountCode, DiscountType
from planswitch.domain.events import Event
from planswitch.domain.memberships import MembershipStatus
from planswitch.domain.ports import IdempotencyRecord
from planswitch.domain.products import PricingType, ProductType

from .conftest import (
    NOW,
    PREMIUM_LIMITS,
    limits,
    make_customer,
    make_membership,
    make_payment,
    make_product,
)


def test_product_round_trips_with_children_limitations_and_four_place_amounts(store):
    product = make_product()

    assert store.upsert_product(product) == "created"
    stored = store.products_by_id([2])[2]

    assert stored == product
    assert str(stored.amount) == "49.0000" and str(stored.setup_fee) == "12.3456"
    assert stored.available_addons == (8, 6, 7)
    assert stored.price_variations[0].amount == Decimal("490.00")
    assert stored.date_created == datetime(2025, 6, 2, 10, 7, 52, 123456, tzinfo=UTC)
    assert stored.date_created.utcoffset() == timedelta(0)
    assert stored.limitations == product.limitations
    assert store.product_by_slug("premium-2") == product


def test_free_one_time_product_without_children_round_trips(store):
    product = make_product(
        id=8, slug="site-migration", type=ProductType.SERVICE, recurring=False,
        pricing_type=PricingType.FREE, amount=Decimal("0"), setup_fee=Decimal("0"),
        trial=None, available_addons=(), price_variations=(), plan_group="",
        date_created=None, date_modified=None,
    )  # fmt: skip
    store.upsert_product(product)

    stored = store.products_by_id([8])[8]

    assert stored == product
    assert stored.trial is None and stored.price_variations == ()


def test_customer_round_trips(store):
    customer = make_customer()
    store.upsert_customer(customer)

    assert store.customers_by_id([1]) == {1: customer}


def test_membership_round_trips_with_addons_override_and_scheduled_change(store):
    membership = make_membership()

    store.upsert_membership(membership)
    stored = store.memberships_by_id([1])[1]

    assert stored == replace(membership, version="1")
    assert stored.addons == {6: 1, 7: 2}
    assert stored.scheduled_change.addons == {7: 1}
    assert str(stored.scheduled_change.amount) == "14.0000"
    assert stored.scheduled_change.effective_at == datetime(2026, 7, 3, 23, 59, 59, tzinfo=UTC)
    assert stored.limitations_override == membership.limitations_override
    assert stored.date_cancellation is None and stored.date_trial_end is None


def test_lifetime_membership_without_dates_or_change_round_trips(store):
    membership = make_membership(
        id=6, addons={}, recurring=False, date_expiration=None, scheduled_change=None,
        status=MembershipStatus.ACTIVE, amount=Decimal("0"),
    )  # fmt: skip
    store.upsert_membership(membership)

    stored = store.memberships_by_id([6])[6]

    assert stored == replace(membership, version="1")
    assert stored.is_lifetime


def test_payment_round_trips_with_line_items_in_order(store):
    payment = make_payment()
    store.upsert_payment(payment)

    stored = store.payments_by_id([1])[1]

    assert stored == payment
    assert [item.title for item in stored.line_items] == ["Premium", "Extra Disk Space", "Credit"]
    assert stored.line_items[1].quantity == 2 and stored.line_items[1].total == Decimal("5.00")
    assert stored.line_items[2].period is None
    assert str(stored.line_items[2].unit_price) == "-1.2345"


def test_add_payment_assigns_a_new_id_after_imported_ids(store):
    store.upsert_payment(make_payment(id=40))

    with store.transaction() as tx:
        added = tx.add_payment(make_payment(id=0))

    assert added.id > 40
    assert store.payments_by_id([added.id])[added.id] == added


def test_discount_code_round_trips_and_is_found_case_insensitively(store):
    code = DiscountCode(
        id=1, code="NEWYEAR33", value=Decimal("33.0000"), type=DiscountType.PERCENTAGE,
        setup_fee_value=Decimal("10"), setup_fee_type=DiscountType.ABSOLUTE, uses=1,
        max_uses=100, date_start=datetime(2026, 1, 1, tzinfo=UTC),
        date_expiration=datetime(2026, 1, 31, 23, 59, 59, tzinfo=UTC),
        allowed_products=(2, 3), limit_products=True,
    )  # fmt: skip
    assert store.upsert_discount_code(code) == "created"

    assert store.discount_code("newyear33") == code
    assert store.discount_code(" NewYear33 ") == code
    assert store.discount_code("OTHER") is None


def test_event_and_idempotency_record_round_trip(store):
    event = Event(
        kind="plan_changed", object_type="membership", object_id=1, date_created=NOW,
        payload={"from": 2, "to": 3, "amount": "19.00", "nested": {"ok": True}},
        actor="customer:1",
    )  # fmt: skip
    record = IdempotencyRecord(
        key="abc-123", request_hash="f" * 64, membership_id=1,
        result={"paymentId": 7, "status": "pending"}, created_at=NOW,
    )  # fmt: skip
    with store.transaction() as tx:
        added = tx.add_event(event)
        tx.put_idempotency(record)
        assert tx.get_idempotency("abc-123") == record

    assert added.id > 0
    assert store.events("membership", 1) == [replace(event, id=added.id)]
    assert store.get_idempotency("abc-123") == record
    assert store.get_idempotency("missing") is None


def test_amounts_beyond_four_places_round_half_up_and_floats_are_refused(store):
    store.upsert_product(make_product(amount=Decimal("1.23455")))

    assert store.products_by_id([2])[2].amount == Decimal("1.2346")
    with pytest.raises(Exception, match="Decimal"):
        store.upsert_product(make_product(id=3, amount=49.0))


def test_datetimes_in_other_zones_come_back_as_the_same_instant_in_utc(store):
    plus_two = timezone(timedelta(hours=2))
    store.upsert_customer(
        make_customer(date_registered=datetime(2026, 1, 1, 2, 0, tzinfo=plus_two))
    )

    stored = store.customers_by_id([1])[1].date_registered

    assert stored == datetime(2026, 1, 1, 0, 0, tzinfo=UTC)
    assert stored.tzinfo == UTC


def test_naive_datetimes_are_refused(store):
    with pytest.raises(Exception, match="naive"):
        store.upsert_customer(make_customer(date_registered=datetime(2026, 1, 1)))  # noqa: DTZ001


def test_upserts_report_created_unchanged_and_updated(store):
    assert store.upsert_product(make_product()) == "created"
    assert store.upsert_product(make_product()) == "unchanged"
    assert store.upsert_product(make_product(amount=Decimal("59"))) == "updated"
    assert store.products_by_id([2])[2].amount == Decimal("59")
    assert store.upsert_product(make_product(available_addons=(6,))) == "updated"
    assert store.products_by_id([2])[2].available_addons == (6,)

    assert store.upsert_membership(make_membership()) == "created"
    assert store.upsert_membership(make_membership()) == "unchanged"
    assert store.upsert_membership(make_membership(addons={6: 3})) == "updated"
    stored = store.memberships_by_id([1])[1]
    assert stored.addons == {6: 3} and stored.version == "2"

    assert store.upsert_payment(make_payment()) == "created"
    assert store.upsert_payment(make_payment()) == "unchanged"
    assert store.upsert_payment(make_payment(line_items=())) == "updated"
    assert store.payments_by_id([1])[1].line_items == ()

    assert store.upsert_customer(make_customer()) == "created"
    assert store.upsert_customer(make_customer()) == "unchanged"
    assert store.upsert_customer(make_customer(email="new@example.com")) == "updated"


def test_save_product_updates_the_row_and_its_children(store):
    store.upsert_product(make_product())
    changed = make_product(
        name="Premium+", price_variations=(), available_addons=(7,),
        limitations=limits({"sites": PREMIUM_LIMITS["sites"]}),
    )  # fmt: skip

    with store.transaction() as tx:
        saved = tx.save_product(changed)

    assert saved.name == "Premium+" and saved.available_addons == (7,)
    assert store.products_by_id([2])[2] == saved
    assert store.products_by_id([2])[2].price_variations == ()


def test_limitations_with_integer_keys_read_back_as_integer_keys_and_upsert_unchanged(store):
    raw = {"site_templates": {"enabled": True, "limit": {2: {"behavior": "available"}}}}
    product = make_product(limitations=limits(raw))
    assert store.upsert_product(product) == "created"

    stored = store.products_by_id([2])[2].limitations.to_raw()

    # JSON stores the key as "2"; Limitations turns it back into 2, as a PHP array would.
    assert stored["site_templates"]["limit"] == {2: {"behavior": "available"}}
    assert store.products_by_id([2])[2].limitations == product.limitations
    assert store.upsert_product(product) == "unchanged"


def test_an_in_memory_store_migrates_through_its_own_engine():
    from planswitch.adapters.native import NativeStore

    store = NativeStore("sqlite://")
    try:
        store.upgrade()
        store.upsert_customer(make_customer())
        store.check()
        assert store.customers_by_id([1]) == {1: make_customer()}
    finally:
        store.close()
