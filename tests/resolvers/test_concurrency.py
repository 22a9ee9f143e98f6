"""Racing commits on one membership: one change applies once, never a lost update."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from planswitch.domain.errors import ErrorCode
from planswitch.domain.plan_change import Direction, PlanChangeRequest
from planswitch.resolvers.payments import complete_payment
from planswitch.resolvers.plan_change import ChangePlanResult, change_plan

from tests.resolvers.conftest import call, find_option

THREADS = 12
SECRET = "concurrency-secret"
T = TypeVar("T")


def race(count: int, call: Callable[[int], T]) -> list[T]:
    """Run ``call(i)`` in ``count`` threads released at the same instant."""
    barrier = threading.Barrier(count)

    def run(index: int) -> T:
        barrier.wait()
        return call(index)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def summary(result: ChangePlanResult) -> tuple:
    return (
        result.payment.id if result.payment else None,
        result.membership.plan_id if result.membership else None,
        result.quote,
        result.user_errors,
    )


def test_same_key_racing_writes_one_payment_and_returns_identical_results(any_store):
    store = any_store
    membership, plan_id = find_option(store, Direction.UPGRADE)
    before = len(store.payments_by_membership([membership.id]).get(membership.id, []))
    request = PlanChangeRequest(membership.id, plan_id=plan_id)

    results = race(
        THREADS,
        lambda _: call(change_plan, store, request, "same-key"),
    )

    assert [r.user_errors for r in results] == [[]] * THREADS
    assert all(summary(r) == summary(results[0]) for r in results)
    assert sum(not r.replayed for r in results) == 1
    payments = store.payments_by_membership([membership.id])[membership.id]
    assert len(payments) == before + 1
    assert results[0].payment.id == max(p.id for p in payments)
    # Something is due: one pending change waits for that one payment (issue 8).
    waiting = store.pending_changes_by_membership([membership.id])[membership.id]
    assert waiting.payment_id == results[0].payment.id
    assert store.memberships_by_id([membership.id])[membership.id].plan_id == membership.plan_id


def test_different_keys_racing_leave_one_pending_change_that_applies_once(any_store):
    store = any_store
    membership, plan_id = find_option(store, Direction.UPGRADE)
    before = len(store.payments_by_membership([membership.id]).get(membership.id, []))
    request = PlanChangeRequest(membership.id, plan_id=plan_id)

    results = race(
        THREADS,
        lambda i: call(change_plan, store, request, f"key-{i}"),
    )

    # Each commit replaces the one pending before it (its payment cancelled), one at a time.
    winners = [r for r in results if not r.user_errors]
    losers = [r for r in results if r.user_errors]
    assert {e.code for r in losers for e in r.user_errors} <= {ErrorCode.VERSION_CONFLICT}
    assert all(r.payment is None for r in losers)
    payments = store.payments_by_membership([membership.id])[membership.id][before:]
    assert len(payments) == len(winners) >= 1
    statuses = sorted(p.status.value for p in payments)
    assert statuses == ["cancelled"] * (len(winners) - 1) + ["pending"]
    waiting = store.pending_changes_by_membership([membership.id])[membership.id]
    [pending] = [p for p in payments if p.status.value == "pending"]
    assert waiting.payment_id == pending.id
    paid = call(complete_payment, store, pending.id)
    assert paid.user_errors == [] and paid.membership.plan_id == plan_id
    assert store.memberships_by_id([membership.id])[membership.id].plan_id == plan_id
