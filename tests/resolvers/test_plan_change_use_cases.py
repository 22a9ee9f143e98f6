"""The use cases without GraphQL: authorization, idempotent cancel, replays, nothing written."""

from __future__ import annotations

from dataclasses import replace

from planswitch.domain.errors import ErrorCode
from planswitch.domain.plan_change import AddonSelection, ChangeKind, PlanChangeRequest
from planswitch.resolvers.context import Viewer
from planswitch.resolvers.plan_change import (
    cancel_scheduled_change,
    change_plan,
    get_upgrade_options,
    preview_change,
)

from tests.conftest import REFERENCE_NOW
from tests.resolvers.conftest import LITE, PREMIUM, call, seeded_store

NOW = REFERENCE_NOW


def codes(result) -> list[ErrorCode]:
    return [error.code for error in result.user_errors]


def test_anonymous_callers_learn_nothing_and_change_nothing(sqlite_url):
    store = seeded_store(sqlite_url)
    nobody = Viewer.anonymous()
    assert codes(call(get_upgrade_options, store, 1, viewer=nobody)) == [ErrorCode.NOT_ALLOWED]
    assert codes(call(get_upgrade_options, store, 999, viewer=nobody)) == [ErrorCode.NOT_ALLOWED]
    preview = call(preview_change, store, PlanChangeRequest(5, plan_id=PREMIUM), viewer=nobody)
    assert codes(preview) == [ErrorCode.NOT_ALLOWED] and preview.token is None
    result = call(change_plan, store, PlanChangeRequest(5, plan_id=PREMIUM), "k", viewer=nobody)
    assert codes(result) == [ErrorCode.NOT_ALLOWED]
    assert store.memberships_by_id([5])[5].plan_id == 1
    assert store.payments_by_membership([5]).get(5, []) == []


def test_a_customer_sees_their_own_options_only(sqlite_url):
    store = seeded_store(sqlite_url)
    olivia = Viewer.customer(1)
    assert call(get_upgrade_options, store, 1, viewer=olivia).options is not None
    # Someone else's membership reads exactly like a missing one (issue 11, defect 5).
    others = call(get_upgrade_options, store, 2, viewer=olivia).user_errors
    missing = call(get_upgrade_options, store, 999, viewer=olivia).user_errors
    assert [e.code for e in others] == [ErrorCode.NOT_FOUND] == [e.code for e in missing]
    assert others[0].message.replace("2", "N") == missing[0].message.replace("999", "N")


def test_cancel_with_a_key_is_idempotent(sqlite_url):
    store = seeded_store(sqlite_url)
    scheduled = call(change_plan, store, PlanChangeRequest(1, plan_id=LITE), "down")
    assert scheduled.quote.change_kind is ChangeKind.DOWNGRADE
    version = scheduled.membership.version

    first = call(cancel_scheduled_change, store, 1, "cancel-1")
    assert first.user_errors == [] and first.membership.scheduled_change is None
    retry = call(cancel_scheduled_change, store, 1, "cancel-1")
    assert retry.user_errors == [] and retry.replayed
    assert retry.membership.version == first.membership.version != version
    without_key = call(cancel_scheduled_change, store, 1)
    assert codes(without_key) == [ErrorCode.NO_SCHEDULED_CHANGE]
    reused = call(cancel_scheduled_change, store, 2, "cancel-1")
    assert codes(reused) == [ErrorCode.IDEMPOTENCY_KEY_REUSED]


def test_a_change_key_cannot_be_reused_for_a_cancel_or_another_membership(sqlite_url):
    store = seeded_store(sqlite_url)
    upgrade = call(change_plan, store, PlanChangeRequest(5, plan_id=PREMIUM), "k1")
    assert upgrade.user_errors == [] and upgrade.payment.total == upgrade.quote.due_now
    assert codes(call(cancel_scheduled_change, store, 5, "k1")) == [
        ErrorCode.IDEMPOTENCY_KEY_REUSED
    ]
    other = call(change_plan, store, PlanChangeRequest(1, plan_id=LITE), "k1")
    assert codes(other) == [ErrorCode.IDEMPOTENCY_KEY_REUSED]
    assert store.memberships_by_id([1])[1].scheduled_change is None


def test_a_blank_or_overlong_key_is_refused(sqlite_url):
    store = seeded_store(sqlite_url)
    request = PlanChangeRequest(5, plan_id=PREMIUM)
    for key in ("", "   ", "k" * 201):
        result = call(change_plan, store, request, key)
        assert codes(result) == [ErrorCode.INVALID_INPUT]
        assert result.user_errors[0].field == "idempotencyKey"
    assert store.memberships_by_id([5])[5].plan_id == 1


def test_a_pending_change_is_replaced_but_another_pending_payment_blocks(sqlite_url):
    store = seeded_store(sqlite_url)
    bought = call(change_plan, store, PlanChangeRequest(1, add_addons=(AddonSelection(6, 1),)), "a")
    assert bought.user_errors == [] and bought.payment.status.value == "pending"
    # The membership's own pending change is replaced (its payment cancelled)...
    again = call(change_plan, store, PlanChangeRequest(1, plan_id=LITE), "b")
    assert again.user_errors == []
    assert store.payments_by_id([bought.payment.id])[bought.payment.id].status.value == "cancelled"
    # ...but a pending payment planswitch is not waiting for (the plugin's renewal) blocks.
    store.upsert_payment(replace(bought.payment, id=900, line_items=()))
    request = PlanChangeRequest(1, add_addons=(AddonSelection(8, 1),))
    blocked = call(change_plan, store, request, "c")
    assert codes(blocked) == [ErrorCode.MEMBERSHIP_NOT_CHANGEABLE]
    assert blocked.payment is None


def test_keys_are_scoped_to_the_caller(sqlite_url):
    store = seeded_store(sqlite_url)
    request = PlanChangeRequest(5, plan_id=PREMIUM)
    sam = call(change_plan, store, request, "shared-key", viewer=Viewer.customer(5))
    assert sam.user_errors == [] and not sam.replayed
    # Another customer with the same key and input neither sees Sam's result...
    intruder = call(change_plan, store, request, "shared-key", viewer=Viewer.customer(1))
    assert codes(intruder) == [ErrorCode.NOT_FOUND] and intruder.payment is None
    # ...and the operator's same key is a request of its own: it replaces Sam's pending one.
    operator = call(change_plan, store, request, "shared-key")
    assert not operator.replayed and operator.user_errors == []
    assert operator.payment.id != sam.payment.id
    retry = call(change_plan, store, request, "shared-key", viewer=Viewer.customer(5))
    assert retry.replayed and retry.payment.id == sam.payment.id
