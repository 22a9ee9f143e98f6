"""The engine's own outcomes (``quote`` → ``apply_quote``) written through WordPressTransaction.

The use case's sequence, minus the API: lock, quote against the catalog read in the same
transaction, apply, save membership, add payment and event; then read everything back.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from planswitch.adapters.wordpress import own_schema
from planswitch.adapters.wordpress.store import WordPressStore
from planswitch.domain.apply import apply_quote, apply_scheduled_change
from planswitch.domain.events import Event
from planswitch.domain.periods import BillingPeriod, DurationUnit
from planswitch.domain.plan_change import AddonSelection, ChangeKind, PlanChangeRequest
from planswitch.domain.quotes import quote
from sqlalchemy import text

from tests.adapters.wordpress.test_php_roundtrip import php_read

pytestmark = pytest.mark.mariadb

NOW = datetime(2026, 6, 15, 0, 0, 0, tzinfo=UTC)
MONTH = BillingPeriod(1, DurationUnit.MONTH)
ARGS_2 = '{"membership_id":2}'


@pytest.fixture
def store(load_wordpress_fixture: Callable[..., str]) -> Iterator[WordPressStore]:
    writable = WordPressStore(load_wordpress_fixture(), writes=True)
    yield writable
    writable.dispose()


def commit(store: WordPressStore, request: PlanChangeRequest, now: datetime = NOW):
    with store.transaction(now) as t:
        before = t.lock_membership(request.membership_id)
        assert before is not None
        catalog = {p.id: p for p in t.list_products()}
        # As if a provider kept the membership's gateway subscription in step (issue 10):
        # these tests are about the rows written, not about the gateway refusal.
        q = quote(
            before,
            request,
            catalog,
            now,
            usage=t.usage(before.id),
            syncable_gateways={before.gateway},
        )
        outcome = apply_quote(before, q, now)
        saved = t.save_membership(before, outcome.membership)
        payment = t.add_payment(outcome.payment)
        event = t.add_event(
            Event(outcome.event_kind, "membership", before.id, now, outcome.event_payload)
        )
    return q, saved, payment, event


def test_engine_upgrade_of_membership_5_reads_back_through_store_and_php(
    store: WordPressStore,
) -> None:
    q, saved, payment, event = commit(store, PlanChangeRequest(5, plan_id=2))
    assert q.change_kind is ChangeKind.UPGRADE
    membership = store.memberships_by_id([5])[5]
    assert membership == saved
    assert (membership.plan_id, membership.amount) == (2, q.next_billing_amount)
    assert membership.date_expiration == q.next_billing_date
    stored = store.payments_by_id([payment.id])[payment.id]
    assert stored == payment
    assert stored.total == q.due_now
    assert sorted((li.product_id or 0, li.total) for li in stored.line_items) == sorted(
        (li.product_id or 0, li.total) for li in q.line_items
    )
    with store.engine.connect() as conn:
        lines_text = conn.execute(
            text("SELECT meta_value FROM wp_wu_paymentmeta WHERE wu_payment_id = :id"),
            {"id": payment.id},
        ).scalar_one()
        own_payload, wu_event_id = conn.execute(
            text("SELECT payload, wu_event_id FROM wp_planswitch_events WHERE id = :id"),
            {"id": event.id},
        ).one()
        payload_text = conn.execute(
            text("SELECT payload FROM wp_wu_events WHERE id = :id"), {"id": wu_event_id}
        ).scalar_one()
    lines = php_read(lines_text)
    assert all(line["__class__"] == "WP_Ultimo\\Checkout\\Line_Item" for line in lines.values())
    assert round(sum(line["total"] for line in lines.values()), 2) == float(q.due_now)
    payload = php_read(payload_text, slashed=True)
    assert payload["plan_id"] == {"old_value": 5, "new_value": 2}
    assert "changeKind" not in payload  # planswitch's data is in its own table
    assert json.loads(own_payload)["changeKind"] == "UPGRADE"


def test_engine_addon_purchase_keeps_existing_addons(store: WordPressStore) -> None:
    q, saved, payment, _ = commit(store, PlanChangeRequest(1, add_addons=(AddonSelection(7, 1),)))
    assert q.change_kind is ChangeKind.ADDON
    assert dict(store.memberships_by_id([1])[1].addons) == {6: 1, 7: 3}
    assert store.memberships_by_id([1])[1] == saved
    assert store.payments_by_id([payment.id])[payment.id] == payment
    assert payment.total == q.due_now


def test_engine_scheduled_downgrade_then_its_application(store: WordPressStore) -> None:
    with store.engine.begin() as conn:  # Basic maps no domains: Marco removes his first
        conn.execute(text("DELETE FROM wp_wu_domain_mappings WHERE blog_id = 5"))
    q, saved, payment, _ = commit(store, PlanChangeRequest(2, plan_id=3, period=MONTH))
    assert q.scheduled and saved.scheduled_change is not None
    assert payment.total == Decimal("0.0000")
    with store.engine.connect() as conn:
        pending = (
            conn.execute(
                text(
                    "SELECT schedule FROM wp_actionscheduler_actions WHERE status = 'pending' "
                    "AND hook = 'wu_async_membership_swap' AND args = :args"
                ),
                {"args": ARGS_2},
            )
            .scalars()
            .all()
        )
    assert len(pending) == 1
    assert php_read(pending[0])["timestamp"] == int(saved.scheduled_change.effective_at.timestamp())

    due = saved.scheduled_change.effective_at
    assert store.due_scheduled_changes(due) == [1, 2]  # membership 1's swap is due too
    with store.transaction(due) as t:
        before = t.lock_membership(2)
        assert before is not None
        outcome = apply_scheduled_change(before, t.products_by_id([3, 8]), due)
        assert outcome is not None
        t.save_membership(before, outcome.membership)
    applied = store.memberships_by_id([2])[2]
    assert (applied.plan_id, applied.scheduled_change) == (3, None)
    assert store.due_scheduled_changes(due) == [1]
    with store.engine.connect() as conn:
        statuses = (
            conn.execute(
                text(
                    "SELECT status FROM wp_actionscheduler_actions "
                    "WHERE hook = 'wu_async_membership_swap' AND args = :args"
                ),
                {"args": ARGS_2},
            )
            .scalars()
            .all()
        )
    assert statuses == ["canceled"]  # applied by planswitch: the plugin's job is canceled


def test_planswitch_tables_from_before_are_migrated_by_writers_never_by_reads(
    load_wordpress_fixture: Callable[..., str],
) -> None:
    # A network whose planswitch_pending_changes predates membership_fingerprint and
    # renewal_baseline, made by a planswitch that kept no schema version (issue 10).
    url = load_wordpress_fixture()
    show = "SHOW COLUMNS FROM wp_planswitch_pending_changes WHERE Field IN " + (
        "('membership_fingerprint', 'renewal_baseline')"
    )
    store = WordPressStore(url, writes=True)
    try:
        assert store.ensure_own_tables() == own_schema.SCHEMA_VERSION
        with store.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE wp_planswitch_schema")
            for column in ("membership_fingerprint", "renewal_baseline"):
                conn.exec_driver_sql(
                    f"ALTER TABLE wp_planswitch_pending_changes DROP COLUMN {column}"
                )
            conn.exec_driver_sql(
                "INSERT INTO wp_planswitch_pending_changes (payment_id, membership_id, status, "
                "quote, membership_version, created_at, expires_at, reason) VALUES (99, 5, "
                "'pending', '{}', 'v', '2026-06-15 00:00:00', '2026-06-16 00:00:00', '')"
            )
        assert own_schema.version(store.engine, store.tables) == 0
        # Reads use what is there and alter nothing.
        assert store.pending_change_payments() == [99]
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql(show).all() == []
        # A writer migrates: both columns, then the version.
        assert store.ensure_own_tables() == own_schema.SCHEMA_VERSION
        with store.engine.connect() as conn:
            assert len(conn.exec_driver_sql(show).all()) == 2
            rows = conn.exec_driver_sql("SELECT id, version FROM wp_planswitch_schema").all()
        assert [tuple(r) for r in rows] == [(1, own_schema.SCHEMA_VERSION)]
        assert store.ensure_own_tables() == own_schema.SCHEMA_VERSION  # nothing left to do
    finally:
        store.dispose()


def test_processes_migrating_at_once_all_succeed(
    load_wordpress_fixture: Callable[..., str],
) -> None:
    # Several workers start together on a network planswitch never wrote to.
    url = load_wordpress_fixture()
    stores = [WordPressStore(url, writes=True) for _ in range(4)]
    start = threading.Barrier(len(stores))

    def migrate(store: WordPressStore) -> int:
        start.wait()
        return store.ensure_own_tables()

    try:
        with ThreadPoolExecutor(len(stores)) as pool:
            versions = list(pool.map(migrate, stores))
        assert versions == [own_schema.SCHEMA_VERSION] * len(stores)
        assert own_schema.version(stores[0].engine, stores[0].tables) == own_schema.SCHEMA_VERSION
    finally:
        for store in stores:
            store.dispose()
