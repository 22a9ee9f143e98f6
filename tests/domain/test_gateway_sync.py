"""A change never leaves a gateway subscription billing the old amount (issue 10)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from planswitch.domain.errors import ErrorCode
from planswitch.domain.gateway_sync import renews_through_gateway
from planswitch.domain.plan_change import AddonSelection, ChangeKind, PlanChangeRequest
from planswitch.domain.quotes import quote
from planswitch.domain.upgrade_options import upgrade_options

from tests.domain.test_upgrade_options import CATALOG, MEMBER, NOW

# Plan 3 costs what plan 1 costs; here it also offers the held add-on, so it keeps it.
SAME_PRICE = {**CATALOG, 3: replace(CATALOG[3], available_addons=(10,))}
SUBSCRIBED = replace(MEMBER, gateway="stripe", gateway_subscription_id="sub_1", auto_renew=True)


def _codes(result):
    return [error.code for error in result.errors]


@pytest.mark.parametrize("gateway", ["stripe", "stripe-checkout", "paypal"])
def test_a_change_of_the_recurring_amount_is_refused_naming_the_gateway(gateway):
    member = replace(SUBSCRIBED, gateway=gateway)
    result = quote(member, PlanChangeRequest(1, plan_id=2), CATALOG, NOW)
    assert result.change_kind is ChangeKind.BLOCKED
    assert _codes(result) == [ErrorCode.GATEWAY_SYNC_UNAVAILABLE]
    assert f"({gateway})" in result.errors[0].message


def test_scheduled_downgrades_and_addon_changes_are_refused_too():
    downgrade = quote(SUBSCRIBED, PlanChangeRequest(1, plan_id=4), CATALOG, NOW)
    assert _codes(downgrade) == [ErrorCode.GATEWAY_SYNC_UNAVAILABLE]
    more = PlanChangeRequest(1, add_addons=(AddonSelection(10, 1),))
    assert _codes(quote(SUBSCRIBED, more, CATALOG, NOW)) == [ErrorCode.GATEWAY_SYNC_UNAVAILABLE]


def test_a_provider_that_can_sync_the_gateway_lifts_the_refusal():
    result = quote(
        SUBSCRIBED, PlanChangeRequest(1, plan_id=2), CATALOG, NOW, syncable_gateways={"stripe"}
    )
    assert result.change_kind is ChangeKind.UPGRADE and result.errors == ()
    options = upgrade_options(SUBSCRIBED, CATALOG, NOW, syncable_gateways={"stripe"})
    assert {o.plan_id: o.allowed for o in options.plans}[2] is True


@pytest.mark.parametrize(
    "member",
    [
        replace(SUBSCRIBED, auto_renew=False),
        replace(SUBSCRIBED, gateway_subscription_id=""),
        replace(SUBSCRIBED, gateway="manual"),
    ],
)
def test_memberships_the_plugin_bills_itself_are_not_concerned(member):
    assert not renews_through_gateway(member)
    assert quote(member, PlanChangeRequest(1, plan_id=2), CATALOG, NOW).errors == ()


def test_a_crossgrade_at_the_same_amount_keeps_the_subscription_right():
    # Plan 3 costs what plan 1 costs and the add-ons stay: the renewal amount is unchanged.
    result = quote(SUBSCRIBED, PlanChangeRequest(1, plan_id=3), SAME_PRICE, NOW)
    assert result.change_kind is ChangeKind.CROSSGRADE
    assert result.next_billing_amount == SUBSCRIBED.amount
    assert result.errors == ()


def test_options_carry_the_same_blocker_as_the_quote():
    options = {o.plan_id: o for o in upgrade_options(SUBSCRIBED, SAME_PRICE, NOW).plans}
    assert options[2].allowed is False
    assert [b.code for b in options[2].blockers] == [ErrorCode.GATEWAY_SYNC_UNAVAILABLE]
    assert options[3].allowed is True
    for plan_id, option in options.items():
        refused = quote(SUBSCRIBED, PlanChangeRequest(1, plan_id=plan_id), SAME_PRICE, NOW)
        assert option.allowed is (not refused.errors), plan_id
