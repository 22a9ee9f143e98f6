"""Transactions: optimistic versions, row locks, idempotency keys and rollback."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from decimal import Decimal

import pytest
from planswitch.domain.errors import VersionConflict
from planswitch.domain.events import Event
from planswitch.domain.ports import IdempotencyRecord
from sqlalchemy.exc import IntegrityError

from .conftest import NOW, make_membership, make_payment


def test_save_membership_bumps_the_version_and_replaces_addons_and_scheduled_change(store):
    store.upsert_membership(make_membership())

    with store.transaction() as tx:
        before = tx.lock_membership(1)
        saved = tx.save_membership(
            before, replace(before, addons={8: 1}, amount=Decimal("49"), scheduled_change=None)
        )

    assert saved.version == "2"
    stored = store.memberships_by_id([1])[1]
    assert stored == saved
    assert stored.addons == {8: 1} and stored.scheduled_change is None
    assert store.due_scheduled_changes(NOW.replace(year=2030)) == []


def test_a_save_from_a_stale_read_raises_version_conflict_and_writes_nothing(store):
    store.upsert_membership(make_membership())
    stale = store.memberships_by_id([1])[1]
    with store.transaction() as tx:
        tx.save_membership(stale, replace(stale, amount=Decimal("70")))

    with pytest.raises(VersionConflict), store.transaction() as tx:
        tx.save_membership(stale, replace(stale, amount=Decimal("99"), addons={}))

    stored = store.memberships_by_id([1])[1]
    assert stored.amount == Decimal("70") and stored.version == "2"
    assert stored.addons == {6: 1, 7: 2}


def test_lock_membership_of_a_missing_id_returns_none(store):
    with store.transaction() as tx:
        assert tx.lock_membership(404) is None


def test_an_idempotency_key_is_stored_once(store):
    first = IdempotencyRecord("key-1", "hash-a", 1, {"paymentId": 1}, NOW)
    with store.transaction() as tx:
        tx.put_idempotency(first)

    with pytest.raises(IntegrityError), store.transaction() as tx:
        tx.put_idempotency(IdempotencyRecord("key-1", "hash-b", 2, {"paymentId": 2}, NOW))

    assert store.get_idempotency("key-1") == first


def test_a_transaction_that_raises_leaves_nothing_written(store):
    store.upsert_membership(make_membership())

    with pytest.raises(RuntimeError, match="boom"), store.transaction() as tx:
        before = tx.lock_membership(1)
        tx.save_membership(before, replace(before, amount=Decimal("1"), scheduled_change=None))
        tx.add_payment(make_payment(id=0))
        tx.add_event(Event("plan_changed", "membership", 1, NOW))
        tx.put_idempotency(IdempotencyRecord("key-1", "h", 1, {}, NOW))
        raise RuntimeError("boom")

    stored = store.memberships_by_id([1])[1]
    assert stored == replace(make_membership(), version="1")
    assert store.payments_by_membership([1]) == {1: []}
    assert store.events() == []
    assert store.get_idempotency("key-1") is None


def test_a_second_locker_waits_for_the_first_commit_and_sees_its_version(store):
    """Two threads lock the same membership: the second blocks until the first commits."""
    store.upsert_membership(make_membership())
    first_locked = threading.Event()
    timeline: dict[str, float] = {}
    seen: dict[str, str] = {}
    errors: list[BaseException] = []
    hold = 0.6

    def first() -> None:
        try:
            with store.transaction() as tx:
                before = tx.lock_membership(1)
                first_locked.set()
                time.sleep(hold)
                tx.save_membership(before, replace(before, amount=Decimal("70")))
                timeline["first_commits"] = time.monotonic()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
            first_locked.set()

    def second() -> None:
        try:
            first_locked.wait(5)
            with store.transaction() as tx:
                timeline["second_asks"] = time.monotonic()
                before = tx.lock_membership(1)
                timeline["second_locked"] = time.monotonic()
                seen["version"], seen["amount"] = before.version, str(before.amount)
                tx.save_membership(before, replace(before, amount=Decimal("80")))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)

    assert errors == []
    assert timeline["second_locked"] >= timeline["first_commits"]
    assert timeline["second_locked"] - timeline["second_asks"] > hold / 2
    assert seen == {"version": "2", "amount": "70.0000"}
    final = store.memberships_by_id([1])[1]
    assert final.version == "3" and final.amount == Decimal("80")
