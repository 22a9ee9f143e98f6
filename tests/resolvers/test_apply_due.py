"""Scheduled downgrades apply when due, not before, and once even with racing workers."""

from __future__ import annotations

from datetime import timedelta

from planswitch.domain.plan_change import Direction, PlanChangeRequest
from planswitch.resolvers.plan_change import change_plan
from planswitch.resolvers.scheduled import apply_due_changes

from tests.resolvers.conftest import call, find_option
from tests.resolvers.test_concurrency import race


def schedule_downgrade(store):
    membership, plan_id = find_option(store, Direction.DOWNGRADE)
    result = call(
        change_plan, store, PlanChangeRequest(membership.id, plan_id=plan_id), "downgrade"
    )
    assert result.user_errors == []
    change = result.membership.scheduled_change
    assert change is not None and change.plan_id == plan_id
    assert result.membership.plan_id == membership.plan_id  # nothing changes before the date
    return membership, plan_id, change


def test_a_scheduled_downgrade_applies_at_its_instant_and_not_before(any_store):
    store = any_store
    membership, plan_id, change = schedule_downgrade(store)
    assert change.effective_at == membership.date_expiration

    assert call(apply_due_changes, store, now=change.effective_at - timedelta(seconds=1)) == []
    still = store.memberships_by_id([membership.id])[membership.id]
    assert still.plan_id == membership.plan_id and still.scheduled_change == change

    assert call(apply_due_changes, store, now=change.effective_at) == [membership.id]
    after = store.memberships_by_id([membership.id])[membership.id]
    assert after.plan_id == plan_id
    assert after.amount == change.amount
    assert after.scheduled_change is None
    assert call(apply_due_changes, store, now=change.effective_at + timedelta(days=1)) == []


def test_racing_workers_apply_a_due_change_once(any_store):
    store = any_store
    membership, plan_id, change = schedule_downgrade(store)
    version = store.memberships_by_id([membership.id])[membership.id].version

    applied = race(6, lambda _: call(apply_due_changes, store, now=change.effective_at))

    assert sorted(i for ids in applied for i in ids) == [membership.id]
    after = store.memberships_by_id([membership.id])[membership.id]
    assert after.plan_id == plan_id and after.scheduled_change is None
    assert after.version != version
