"""32 concurrent completions and expiries of one payment apply its change exactly once
(issue 8: money moves once), on PostgreSQL (row locks) and SQLite (one writer)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from planswitch.adapters.native import NativeStore
from planswitch.domain.payments import PaymentStatus
from planswitch.domain.pending_change import DEFAULT_TTL, PendingStatus
from planswitch.domain.plan_change import PlanChangeRequest
from planswitch.resolvers.payments import complete_payment, expire_overdue
from planswitch.resolvers.plan_change import change_plan

from tests.conftest import REFERENCE_NOW
from tests.resolvers.conftest import PREMIUM, call, seeded_store

THREADS = 32
FREE_MEMBERSHIP = 5


@dataclass
class Race:
    effects: Counter
    seconds: float
    payment_status: PaymentStatus
    change_status: PendingStatus
    plan_changes: int
    version_moves: int
    plan_id: int


def _pending_upgrade(store: NativeStore) -> int:
    result = call(change_plan, store, PlanChangeRequest(FREE_MEMBERSHIP, plan_id=PREMIUM), "race")
    assert result.user_errors == [] and result.pending_change is not None
    return result.payment.id


def _race(store: NativeStore, expirers: int) -> Race:
    payment_id = _pending_upgrade(store)
    version = int(store.memberships_by_id([FREE_MEMBERSHIP])[FREE_MEMBERSHIP].version)
    start = threading.Barrier(THREADS)
    late = REFERENCE_NOW + DEFAULT_TTL  # expiries see it overdue; completions arrive then too

    def complete() -> str:
        start.wait()
        result = call(complete_payment, store, payment_id, "pi_1", now=late)
        assert result.user_errors == [], result.user_errors
        return f"complete:{result.effect.value}"

    def expire() -> str:
        start.wait()
        report = call(expire_overdue, store, now=late)
        return "expire:discarded" if report.expired else "expire:none"

    began = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        jobs = [pool.submit(expire if i < expirers else complete) for i in range(THREADS)]
        effects = Counter(job.result() for job in jobs)
    seconds = time.perf_counter() - began
    membership = store.memberships_by_id([FREE_MEMBERSHIP])[FREE_MEMBERSHIP]
    change = store.pending_changes_by_payment([payment_id])[payment_id]
    return Race(
        effects=effects,
        seconds=seconds,
        payment_status=store.payments_by_id([payment_id])[payment_id].status,
        change_status=change.status,
        plan_changes=sum(e.kind == "plan_changed" for e in store.events("membership")),
        version_moves=int(membership.version) - version,
        plan_id=membership.plan_id,
    )


@pytest.fixture(
    params=[
        pytest.param("postgres_url", marks=pytest.mark.postgres, id="postgres"),
        pytest.param("sqlite_url", id="sqlite"),
    ]
)
def store(request):
    url = request.getfixturevalue(request.param)
    store = seeded_store(url)
    if url.startswith("postgresql"):
        # One connection per thread, so the race happens in the database, not in the pool.
        store.close()
        store = NativeStore(url, pool_size=THREADS, max_overflow=0)
    yield store
    store.close()


@pytest.mark.parametrize("expirers", [0, THREADS // 2], ids=["32-completions", "16-and-16"])
def test_concurrent_completions_and_expiries_apply_once(store, expirers, capsys):
    race = _race(store, expirers)

    with capsys.disabled():
        print(f"\n{THREADS} threads ({expirers} expiries): {dict(race.effects)}, "
              f"{race.seconds:.2f}s")  # fmt: skip
    applied = race.effects["complete:applied"]
    assert applied == 1  # exactly one completion applied the change (directly or late)
    assert race.plan_changes == 1 and race.version_moves == 1
    assert race.plan_id == PREMIUM
    assert race.payment_status is PaymentStatus.COMPLETED
    assert race.change_status is PendingStatus.APPLIED
    assert race.effects["expire:discarded"] <= 1
    assert race.effects["complete:none"] == THREADS - expirers - 1
