"""Changes written through ``WordPressTransaction`` onto a fresh copy of the fixture network.

Each test loads its own copy (``load_wordpress_fixture()``), writes a change as the use case
would (built by hand here: the membership after, a payment, an event), then reads it back
through ``WordPressStore``, through raw SQL and through PHP's ``unserialize()``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from planswitch.adapters.wordpress import encoders
from planswitch.adapters.wordpress.store import WordPressStore
from planswitch.adapters.wordpress.transaction import WordPressTransaction
from planswitch.domain.errors import VersionConflict
from planswitch.domain.events import Event
from planswitch.domain.memberships import ScheduledChange
from planswitch.domain.payments import LineItem, LineItemType, Payment, PaymentStatus
from planswitch.domain.periods import BillingPeriod, DurationUnit
from planswitch.domain.ports import IdempotencyRecord
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.adapters.wordpress.test_php_roundtrip import php_read

pytestmark = pytest.mark.mariadb

NOW = datetime(2026, 6, 15, 0, 0, 0, tzinfo=UTC)
MONTH = BillingPeriod(1, DurationUnit.MONTH)
SWAP_DATE = datetime(2026, 7, 3, 23, 59, 59, tzinfo=UTC)
SCHEDULE_18904 = (
    'O:30:"ActionScheduler_SimpleSchedule":2:{s:22:"\0*\0scheduled_timestamp";i:1783123199;'
    's:41:"\0ActionScheduler_SimpleSchedule\0timestamp";i:1783123199;}'
)


@pytest.fixture
def store(load_wordpress_fixture: Callable[..., str]) -> Iterator[WordPressStore]:
    writable = WordPressStore(load_wordpress_fixture(), writes=True)
    yield writable
    writable.dispose()


def db(*parts: int) -> datetime:
    """A naive datetime as the driver returns the plugin's (UTC) datetime columns."""
    return datetime(*parts, tzinfo=UTC).replace(tzinfo=None)


def tx(store: WordPressStore, now: datetime = NOW) -> WordPressTransaction:
    return store.transaction(now)


def rows(store: WordPressStore, sql: str, **params: Any) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text(sql), params)]


def scalar(store: WordPressStore, sql: str, **params: Any) -> Any:
    with store.engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def swap_actions(store: WordPressStore, membership_id: int) -> list[dict[str, Any]]:
    return rows(
        store,
        "SELECT * FROM wp_actionscheduler_actions WHERE hook = 'wu_async_membership_swap' "
        "AND args = :args ORDER BY action_id",
        args=encoders.action_args(membership_id),
    )


# --------------------------------------------------------------- an immediate upgrade


def upgrade_membership_5(store: WordPressStore) -> tuple[Any, Payment, Event]:
    """Membership 5: Solo + Extra Disk Space → Premium keeping the add-on, applied now."""
    with tx(store) as t:
        before = t.lock_membership(5)
        assert before is not None
        after = replace(
            before,
            plan_id=2,
            addons={7: 1},
            amount=Decimal("54.00"),
            initial_amount=Decimal("51.70"),
            date_renewed=NOW,
            date_expiration=datetime(2026, 7, 15, 0, 0, 0, tzinfo=UTC),
        )
        saved = t.save_membership(before, after)
        lines = (
            LineItem(
                LineItemType.PRODUCT,
                "Premium",
                Decimal("49.00"),
                1,
                2,
                recurring=True,
                period=MONTH,
            ),
            LineItem(
                LineItemType.PRODUCT,
                "Extra Disk Space",
                Decimal("5.00"),
                1,
                7,
                recurring=True,
                period=MONTH,
            ),
            LineItem(
                LineItemType.CREDIT,
                "Credit",
                Decimal("-2.30"),
                description="Prorated amount based on the previous membership.",
            ),
        )
        payment = t.add_payment(
            Payment(
                0,
                4,
                5,
                PaymentStatus.PENDING,
                "USD",
                subtotal=Decimal("54.00"),
                total=Decimal("51.70"),
                line_items=lines,
                date_created=NOW,
            )
        )
        event = t.add_event(
            Event("plan_changed", "membership", 5, NOW, {"due_now": "51.70"}, actor="customer:4")
        )
    return saved, payment, event


def test_upgrade_updates_the_membership_row_as_the_plugin_stores_it(store: WordPressStore) -> None:
    saved, _, _ = upgrade_membership_5(store)
    (row,) = rows(store, "SELECT * FROM wp_wu_memberships WHERE id = 5")
    assert row["plan_id"] == 2
    assert row["addon_products"] == "a:1:{i:7;i:1;}"
    assert (row["amount"], row["initial_amount"]) == (Decimal("54.0000"), Decimal("51.7000"))
    assert (row["duration"], row["duration_unit"], row["recurring"]) == (1, "month", 1)
    assert row["date_expiration"] == db(2026, 7, 15, 0, 0, 0)
    assert row["date_renewed"] == db(2026, 6, 15, 0, 0, 0)
    assert row["date_modified"] == db(2026, 6, 15, 0, 0, 0)
    assert row["status"] == "active"
    assert saved.version == "2026-06-15 00:00:00"
    assert php_read(row["addon_products"]) == {7: 1}


def test_upgrade_reads_back_identically_through_the_store(store: WordPressStore) -> None:
    saved, payment, _ = upgrade_membership_5(store)
    fresh = WordPressStore(str(store.engine.url.render_as_string(hide_password=False)))
    try:
        membership = fresh.memberships_by_id([5])[5]
        stored_payment = fresh.payments_by_id([payment.id])[payment.id]
    finally:
        fresh.dispose()
    assert membership == saved
    assert (membership.plan_id, dict(membership.addons), membership.amount) == (
        2,
        {7: 1},
        Decimal("54.0000"),
    )
    assert stored_payment == payment
    assert [(li.type, li.product_id, li.quantity, li.total) for li in payment.line_items] == [
        (LineItemType.PRODUCT, 2, 1, Decimal("49.0")),
        (LineItemType.PRODUCT, 7, 1, Decimal("5.0")),
        (LineItemType.CREDIT, None, 1, Decimal("-2.3")),
    ]
    assert (payment.status, payment.total, payment.subtotal) == (
        PaymentStatus.PENDING,
        Decimal("51.7000"),
        Decimal("54.0000"),
    )


def test_upgrade_payment_and_line_items_read_back_in_php(store: WordPressStore) -> None:
    _, payment, _ = upgrade_membership_5(store)
    (row,) = rows(store, "SELECT * FROM wp_wu_payments WHERE id = :id", id=payment.id)
    assert (row["status"], row["customer_id"], row["membership_id"], row["gateway"]) == (
        "pending",
        4,
        5,
        "",
    )
    assert (row["refund_total"], row["discount_total"], row["tax_total"]) == (
        Decimal("0.0000"),
        Decimal("0.0000"),
        Decimal("0.0000"),
    )
    meta = scalar(
        store,
        "SELECT meta_value FROM wp_wu_paymentmeta WHERE wu_payment_id = :id "
        "AND meta_key = 'wu_line_items'",
        id=payment.id,
    )
    lines = php_read(meta)
    assert list(lines) == ["LN_PRODUCT_O34J5YJK7Q", "LN_PRODUCT_17ENOVGKL9", "LN_CREDIT_"]
    premium = lines["LN_PRODUCT_O34J5YJK7Q"]
    assert premium["__class__"] == "WP_Ultimo\\Checkout\\Line_Item" and premium["__count__"] == 31
    assert (premium["product_id"], premium["quantity"], premium["unit_price"]) == (2, 1, 49.0)
    assert premium["description"] == "Ten sites, unlimited visits and 10 GB of storage."
    assert lines["LN_CREDIT_"]["total"] == -2.3


def test_upgrade_event_is_a_changed_row_with_a_slashed_transition_payload(
    store: WordPressStore,
) -> None:
    _, _, event = upgrade_membership_5(store)
    (own,) = rows(store, "SELECT * FROM wp_planswitch_events WHERE id = :id", id=event.id)
    (row,) = rows(store, "SELECT * FROM wp_wu_events WHERE id = :id", id=own["wu_event_id"])
    assert (row["slug"], row["severity"], row["object_type"], row["object_id"]) == (
        "changed",
        3,
        "membership",
        5,
    )
    assert (row["initiator"], row["author_id"]) == ("manual", 5)  # customer 4 is user 5
    assert '\\"plan_id\\"' in row["payload"]
    payload = php_read(row["payload"], slashed=True)
    assert payload["plan_id"] == {"old_value": 5, "new_value": 2}
    assert "addon_products" not in payload  # unchanged fields are not logged
    assert payload["date_expiration"] == {
        "old_value": "2026-06-20 23:59:59",
        "new_value": "2026-07-15 00:00:00",
    }
    assert payload["amount"] == {"old_value": 14.0, "new_value": 54.0}
    # planswitch's own data stays in planswitch's table, not in the plugin's row (issue 10).
    assert "due_now" not in payload
    assert (own["kind"], own["object_id"], own["actor"]) == ("plan_changed", 5, "customer:4")
    assert json.loads(own["payload"]) == {"due_now": "51.70"}


def test_an_event_without_changes_writes_no_plugin_row_and_operators_are_system(
    store: WordPressStore,
) -> None:
    before = scalar(store, "SELECT COUNT(*) FROM wp_wu_events")
    with tx(store) as t:
        event = t.add_event(Event("noted", "membership", 5, NOW, {"why": "x"}, actor="operator"))
    assert scalar(store, "SELECT COUNT(*) FROM wp_wu_events") == before
    (own,) = rows(store, "SELECT * FROM wp_planswitch_events WHERE id = :id", id=event.id)
    assert own["wu_event_id"] is None and own["actor"] == "operator"
    with tx(store) as t:
        current = t.lock_membership(6)
        assert current is not None
        t.save_membership(current, replace(current, amount=current.amount + 1))
        event = t.add_event(Event("changed", "membership", 6, NOW, {}, actor="operator"))
    (own,) = rows(store, "SELECT * FROM wp_planswitch_events WHERE id = :id", id=event.id)
    (row,) = rows(store, "SELECT * FROM wp_wu_events WHERE id = :id", id=own["wu_event_id"])
    assert (row["initiator"], row["author_id"]) == ("system", 0)


# --------------------------------------------------------------------- an add-on purchase


def test_addon_purchase_keeps_existing_addons_and_stores_a_one_time_line(
    store: WordPressStore,
) -> None:
    with tx(store) as t:
        before = t.lock_membership(5)
        assert before is not None
        after = replace(before, addons={7: 1, 8: 1}, initial_amount=Decimal("99.00"))
        t.save_membership(before, after)
        payment = t.add_payment(
            Payment(
                0,
                4,
                5,
                PaymentStatus.PENDING,
                "USD",
                Decimal("99.00"),
                Decimal("99.00"),
                line_items=(
                    LineItem(
                        LineItemType.PRODUCT,
                        "Site Migration",
                        Decimal("99.00"),
                        1,
                        8,
                        recurring=False,
                    ),
                ),
            )
        )
    membership = store.memberships_by_id([5])[5]
    assert (dict(membership.addons), membership.amount, membership.plan_id) == (
        {7: 1, 8: 1},
        Decimal("14.0000"),
        5,
    )
    assert scalar(store, "SELECT addon_products FROM wp_wu_memberships WHERE id = 5") == (
        "a:2:{i:7;i:1;i:8;i:1;}"
    )
    meta = scalar(
        store,
        "SELECT meta_value FROM wp_wu_paymentmeta WHERE wu_payment_id = :id",
        id=payment.id,
    )
    (line,) = php_read(meta).values()
    # Site Migration: one-time and not taxable (its productmeta), like payment 4's line.
    assert (line["id"], line["recurring"], line["taxable"], line["total"]) == (
        "LN_PRODUCT_4X3N9DJP8V",
        False,
        False,
        99.0,
    )


# ------------------------------------------------------------------ scheduled downgrades


def test_replacing_membership_1s_downgrade_cancels_action_18904(store: WordPressStore) -> None:
    with tx(store) as t:
        before = t.lock_membership(1)
        assert before is not None and before.scheduled_change is not None
        change = ScheduledChange(3, {}, MONTH, Decimal("19.00"), SWAP_DATE)
        saved = t.save_membership(before, replace(before, scheduled_change=change))
    assert saved.scheduled_change is not None
    assert (saved.scheduled_change.plan_id, dict(saved.scheduled_change.addons)) == (3, {})
    assert saved.scheduled_change.amount == Decimal("19")

    actions = swap_actions(store, 1)
    assert [(a["action_id"], a["status"]) for a in actions[:2]] == [
        (18775, "canceled"),
        (18904, "canceled"),
    ]
    pending = [a for a in actions if a["status"] == "pending"]
    assert len(pending) == 1
    new = pending[0]
    assert new["action_id"] > 18904
    assert (new["hook"], new["priority"], new["group_id"], new["attempts"], new["claim_id"]) == (
        "wu_async_membership_swap",
        10,
        5,
        0,
        0,
    )
    assert new["schedule"] == SCHEDULE_18904
    assert new["scheduled_date_gmt"] == new["scheduled_date_local"] == db(2026, 7, 3, 23, 59, 59)
    assert new["last_attempt_gmt"] == new["last_attempt_local"] == "0000-00-00 00:00:00"
    assert new["extended_args"] is None
    logs = rows(
        store,
        "SELECT action_id, message, log_date_gmt FROM wp_actionscheduler_logs "
        "WHERE log_date_gmt >= '2026-06-15' ORDER BY log_id",
    )
    assert logs == [
        {"action_id": 18904, "message": "action canceled", "log_date_gmt": db(2026, 6, 15)},
        {
            "action_id": new["action_id"],
            "message": "action created",
            "log_date_gmt": db(2026, 6, 15),
        },
    ]
    # Same two meta rows, updated in place, in the plugin's shapes.
    meta = rows(
        store,
        "SELECT meta_id, meta_key, meta_value FROM wp_wu_membershipmeta "
        "WHERE wu_membership_id = 1 AND meta_key LIKE 'wu_swap%' ORDER BY meta_id",
    )
    assert [(m["meta_id"], m["meta_key"]) for m in meta] == [
        (7, "wu_swap_order"),
        (8, "wu_swap_scheduled_date"),
    ]
    assert meta[1]["meta_value"] == "2026-07-03 23:59:59"
    cart = php_read(meta[0]["meta_value"])
    assert cart["__class__"] == "WP_Ultimo\\Checkout\\Cart" and cart["__count__"] == 23
    assert (cart["plan_id"], cart["duration"], cart["duration_unit"], cart["currency"]) == (
        3,
        1,
        "month",
        "USD",
    )
    assert (cart["country"], cart["state"], cart["city"]) == ("US", "OR", "Portland")
    assert list(cart["line_items"]) == ["LN_PRODUCT_ZQEJ4YNX8O", "LN_CREDIT_"]
    assert cart["line_items"]["LN_CREDIT_"]["unit_price"] == -19.0


def test_scheduling_a_first_downgrade_creates_the_membership_group_when_missing(
    store: WordPressStore,
) -> None:
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM wp_actionscheduler_groups WHERE slug = 'membership'"))
    expiration = datetime(2027, 2, 10, 23, 59, 59, tzinfo=UTC)
    with tx(store) as t:
        before = t.lock_membership(2)
        assert before is not None and before.scheduled_change is None
        change = ScheduledChange(
            4, {}, BillingPeriod(1, DurationUnit.YEAR), Decimal("390.00"), expiration
        )
        t.save_membership(before, replace(before, plan_id=4, scheduled_change=change))
    group = scalar(
        store, "SELECT group_id FROM wp_actionscheduler_groups WHERE slug = 'membership'"
    )
    assert group is not None and group > 5
    (action,) = swap_actions(store, 2)
    assert (action["status"], action["group_id"], action["args"]) == (
        "pending",
        group,
        '{"membership_id":2}',
    )
    assert php_read(action["schedule"])["timestamp"] == int(expiration.timestamp())
    scheduled = store.memberships_by_id([2])[2].scheduled_change
    assert scheduled is not None and scheduled.period == BillingPeriod(1, DurationUnit.YEAR)
    assert (scheduled.plan_id, scheduled.amount, scheduled.effective_at) == (
        4,
        Decimal("390"),
        expiration,
    )


def test_clearing_the_scheduled_change_deletes_both_meta_rows_and_cancels_the_action(
    store: WordPressStore,
) -> None:
    with tx(store) as t:
        before = t.lock_membership(1)
        assert before is not None
        saved = t.save_membership(before, replace(before, scheduled_change=None))
    assert saved.scheduled_change is None
    assert (
        scalar(
            store,
            "SELECT COUNT(*) FROM wp_wu_membershipmeta WHERE wu_membership_id = 1 "
            "AND meta_key IN ('wu_swap_order', 'wu_swap_scheduled_date')",
        )
        == 0
    )
    assert [a["status"] for a in swap_actions(store, 1)] == ["canceled", "canceled"]
    assert (
        scalar(
            store,
            "SELECT message FROM wp_actionscheduler_logs WHERE action_id = 18904 "
            "ORDER BY log_id DESC LIMIT 1",
        )
        == "action canceled"
    )
    assert store.due_scheduled_changes(datetime(2030, 1, 1, tzinfo=UTC)) == []


def test_lifetime_membership_keeps_the_zero_expiration_date(store: WordPressStore) -> None:
    with tx(store) as t:
        before = t.lock_membership(6)
        assert before is not None and before.date_expiration is None
        t.save_membership(before, replace(before, initial_amount=Decimal("0")))
    assert (
        scalar(store, "SELECT CAST(date_expiration AS CHAR) FROM wp_wu_memberships WHERE id = 6")
        == "0000-00-00 00:00:00"
    )


# ------------------------------------------------------------------------ concurrency


def test_a_stale_version_is_a_version_conflict(store: WordPressStore) -> None:
    stale = store.memberships_by_id([5])[5]
    with store.engine.begin() as conn:  # someone else saves the membership meanwhile
        conn.execute(
            text("UPDATE wp_wu_memberships SET date_modified = '2026-06-14 10:00:00' WHERE id = 5")
        )
    with pytest.raises(VersionConflict), tx(store) as t:
        t.save_membership(stale, replace(stale, plan_id=2))
    assert scalar(store, "SELECT plan_id FROM wp_wu_memberships WHERE id = 5") == 5


def test_two_saves_in_the_same_second_still_change_the_version(store: WordPressStore) -> None:
    with tx(store) as t:
        first = t.lock_membership(5)
        assert first is not None
        second = t.save_membership(first, replace(first, amount=Decimal("15")))
        third = t.save_membership(second, replace(second, amount=Decimal("16")))
    assert (second.version, third.version) == ("2026-06-15 00:00:00", "2026-06-15 00:00:01")
    with pytest.raises(VersionConflict), tx(store) as t:
        t.save_membership(second, replace(second, amount=Decimal("17")))


TABLES = (
    "wp_wu_memberships",
    "wp_wu_membershipmeta",
    "wp_wu_payments",
    "wp_wu_paymentmeta",
    "wp_wu_events",
    "wp_actionscheduler_actions",
    "wp_actionscheduler_logs",
    "wp_actionscheduler_groups",
)


def checksums(store: WordPressStore) -> dict[str, int]:
    with store.engine.connect() as conn:
        result = conn.execute(text(f"CHECKSUM TABLE {', '.join(TABLES)} EXTENDED"))
        return {row[0].split(".")[-1]: row[1] for row in result}


def test_an_error_rolls_every_write_back(store: WordPressStore) -> None:
    before_sums = checksums(store)
    with pytest.raises(RuntimeError, match="boom"), tx(store) as t:
        m = t.lock_membership(1)
        assert m is not None
        change = ScheduledChange(3, {}, MONTH, Decimal("19.00"), SWAP_DATE)
        t.save_membership(m, replace(m, plan_id=3, scheduled_change=change))
        t.add_payment(Payment(0, 1, 1, PaymentStatus.COMPLETED, "USD", Decimal("0"), Decimal("0")))
        t.add_event(Event("change_scheduled", "membership", 1, NOW))
        raise RuntimeError("boom")
    assert checksums(store) == before_sums


# ------------------------------------------------------------ idempotency and products


def test_idempotency_records_round_trip_and_refuse_duplicates(store: WordPressStore) -> None:
    record = IdempotencyRecord("key-1", "abc123", 5, {"paymentId": 14, "ok": True}, NOW)
    with tx(store) as t:
        assert t.get_idempotency("key-1") is None
        t.put_idempotency(record)
    with tx(store) as t:
        assert t.get_idempotency("key-1") == record
    with pytest.raises(IntegrityError), tx(store) as t:
        t.put_idempotency(record)


def test_save_product_keeps_the_stored_shape_of_available_addons(store: WordPressStore) -> None:
    premium, basic = (store.products_by_id([2, 3])[i] for i in (2, 3))
    with tx(store, datetime(2026, 6, 16, 8, 0, 0, tzinfo=UTC)) as t:
        t.save_product(replace(premium, available_addons=(6, 7), list_order=5))
        t.save_product(replace(basic, available_addons=(6,), plan_group="Legacy", active=False))
    addons = dict(
        (r["wu_product_id"], r["meta_value"])
        for r in rows(
            store,
            "SELECT wu_product_id, meta_value FROM wp_wu_productmeta "
            "WHERE meta_key = 'wu_available_addons' AND wu_product_id IN (2, 3)",
        )
    )
    assert addons == {2: "6,7", 3: 'a:1:{i:0;s:1:"6";}'}
    products = store.products_by_id([2, 3])
    assert (products[2].available_addons, products[2].list_order) == ((6, 7), 5)
    assert (products[3].plan_group, products[3].active, products[3].available_addons) == (
        "Legacy",
        False,
        (6,),
    )
    assert scalar(store, "SELECT date_modified FROM wp_wu_products WHERE id = 3") == db(
        2026, 6, 16, 8, 0, 0
    )


def test_writes_need_a_writable_store(load_wordpress_fixture: Callable[..., str]) -> None:
    from planswitch.domain.errors import DomainError, ErrorCode

    read_only = WordPressStore(load_wordpress_fixture())
    try:
        with pytest.raises(DomainError) as caught:
            read_only.transaction()
        assert caught.value.error.code is ErrorCode.WRITES_DISABLED
    finally:
        read_only.dispose()


def test_store_transaction_is_a_wordpress_transaction(store: WordPressStore) -> None:
    with store.transaction() as t:
        assert isinstance(t, WordPressTransaction)
        assert t.usage(5).sites == 1
        assert sorted(t.products_by_id([2, 5])) == [2, 5]
        assert t.customers_by_id([4])[4].login == "nadia"
        code = t.discount_code("newyear33")
        assert code is not None and code.value == Decimal("33")


def test_one_commit_stamps_every_date_with_its_one_now(store: WordPressStore) -> None:
    """date_modified, Action Scheduler log dates and the payment's dates carry the same
    instant: the one the transaction was opened with (issue 7), not the system clock."""
    moment = datetime(2026, 6, 15, 10, 11, 12, 654321, tzinfo=UTC)
    with store.transaction(moment) as t:
        before = t.lock_membership(1)
        assert before is not None
        change = ScheduledChange(3, {}, MONTH, Decimal("19.00"), SWAP_DATE)
        t.save_membership(before, replace(before, scheduled_change=change))
        t.add_payment(
            Payment(0, 1, 1, PaymentStatus.PENDING, "USD", Decimal("1.00"), total=Decimal("1.00"))
        )
    stamped = db(2026, 6, 15, 10, 11, 12)
    assert scalar(store, "SELECT date_modified FROM wp_wu_memberships WHERE id = 1") == stamped
    logs = rows(
        store,
        "SELECT log_date_gmt FROM wp_actionscheduler_logs WHERE log_date_gmt >= '2026-06-15'",
    )
    assert [log["log_date_gmt"] for log in logs] == [stamped, stamped]  # canceled, created
    payment = rows(
        store, "SELECT date_created, date_modified FROM wp_wu_payments ORDER BY id DESC LIMIT 1"
    )[0]
    assert payment == {"date_created": stamped, "date_modified": stamped}


def test_a_transaction_refuses_a_naive_now(store: WordPressStore) -> None:
    with pytest.raises(ValueError, match="naive"):
        store.transaction(datetime(2026, 6, 15, 10, 0, 0))  # noqa: DTZ001 - the point


def test_payment_saves_owe_the_plugins_rows_even_without_an_event(store: WordPressStore) -> None:
    # Each Payment::save() is logged by log_transitions (class-event-manager.php:104-187):
    # written with the change's event, or at commit (system) when none follows.
    before = scalar(store, "SELECT COALESCE(MAX(id), 0) FROM wp_wu_events")
    with tx(store) as t:
        payment = t.add_payment(
            Payment(0, 4, 5, PaymentStatus.PENDING, "USD", Decimal("5"), Decimal("5"))
        )
    with tx(store) as t:
        t.save_payment(replace(payment, status=PaymentStatus.CANCELLED))
        t.save_payment(replace(payment, status=PaymentStatus.CANCELLED))  # nothing moves
    logged = rows(store, "SELECT * FROM wp_wu_events WHERE id > :id ORDER BY id", id=before)
    assert [(r["slug"], r["object_type"], r["object_id"]) for r in logged] == [
        ("created", "payment", payment.id),
        ("changed", "payment", payment.id),
    ]
    assert all((r["initiator"], r["author_id"]) == ("system", 0) for r in logged)
    assert php_read(logged[0]["payload"], slashed=True) == {}
    assert php_read(logged[1]["payload"], slashed=True) == {
        "status": {"old_value": "pending", "new_value": "cancelled"}
    }
