"""apply-due drains a backlog of any size, in batches, exactly once across processes
(issue 11, defect 8: one run handled at most 100 and racing runs did not drain)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from planswitch.adapters.native import NativeStore
from planswitch.domain.plan_change import Direction, PlanChangeRequest
from planswitch.domain.ports import MembershipFilter
from planswitch.resolvers.plan_change import change_plan
from planswitch.resolvers.scheduled import drain_due_changes

from tests.resolvers.conftest import call, find_option, seeded_store
from tests.resolvers.test_concurrency import race

BACKLOG = 120  # more than one batch of the default 100; the tests use batches of 30-40


def with_backlog(store: NativeStore) -> tuple[list[int], object]:
    """BACKLOG memberships, each with a downgrade scheduled at the same instant."""
    membership, plan_id = find_option(store, Direction.DOWNGRADE)
    result = call(change_plan, store, PlanChangeRequest(membership.id, plan_id=plan_id), "d")
    scheduled = result.membership
    assert scheduled is not None and scheduled.scheduled_change is not None
    ids = [1000 + index for index in range(BACKLOG - 1)]
    with store.bulk() as batch:
        for new_id in ids:
            batch.upsert_membership(dataclasses.replace(scheduled, id=new_id))
    return [scheduled.id, *ids], scheduled.scheduled_change


def assert_drained(store: NativeStore, ids: list[int], applied: list[int], plan_id: int) -> None:
    assert sorted(applied) == sorted(ids)  # every one, once
    events = [e for e in store.events() if e.kind == "scheduled_change_applied"]
    assert sorted(e.object_id for e in events) == sorted(ids)
    page = store.list_memberships(MembershipFilter(), 0, 1000)
    for membership in page.items:
        if membership.id in ids:
            assert membership.scheduled_change is None and membership.plan_id == plan_id


def test_one_run_drains_more_than_a_batch(sqlite_url) -> None:
    store = seeded_store(sqlite_url)
    ids, change = with_backlog(store)
    assert drain_due_changes(store, change.effective_at - timedelta(seconds=1)) == []
    applied = drain_due_changes(store, change.effective_at, batch_size=40)
    assert_drained(store, ids, applied, change.plan_id)
    assert drain_due_changes(store, change.effective_at) == []
    store.close()


@pytest.mark.postgres
def test_racing_runs_drain_the_backlog_exactly_once(postgres_url) -> None:
    store = seeded_store(postgres_url)
    ids, change = with_backlog(store)
    runs = race(4, lambda _: drain_due_changes(store, change.effective_at, batch_size=30))
    applied = [membership_id for run in runs for membership_id in run]
    assert_drained(store, ids, applied, change.plan_id)
    store.close()
