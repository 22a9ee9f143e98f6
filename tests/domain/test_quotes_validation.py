"""Invalid requests give a BLOCKED quote with stable codes and the input field (camelCase)."""

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal as D

import pytest
from planswitch.domain.discounts import DiscountCode
from planswitch.domain.errors import ErrorCode
from planswitch.domain.memberships import Membership, MembershipStatus
from planswitch.domain.periods import BillingPeriod, DurationUnit
from planswitch.domain.plan_change import AddonSelection, ChangeKind, PlanChangeRequest
from planswitch.domain.products import Product, ProductType
from planswitch.domain.quotes import quote
from planswitch.domain.usage import Usage

NOW = datetime(2026, 6, 15, tzinfo=UTC)
MONTH = BillingPeriod(1, DurationUnit.MONTH)
YEAR = BillingPeriod(1, DurationUnit.YEAR)
CATALOG = {
    1: Product(
        1, "basic", "Basic", ProductType.PLAN, D("19"), plan_group="std", available_addons=(10, 11)
    ),
    2: Product(
        2, "pro", "Pro", ProductType.PLAN, D("49"), plan_group="std", available_addons=(10,)
    ),
    3: Product(3, "other", "Other", ProductType.PLAN, D("29"), plan_group="else"),
    4: Product(4, "old", "Old", ProductType.PLAN, D("39"), plan_group="std", active=False),
    5: Product(5, "euro", "Euro", ProductType.PLAN, D("39"), plan_group="std", currency="EUR"),
    10: Product(10, "disk", "Disk", ProductType.PACKAGE, D("5")),
    11: Product(11, "visits", "Visits", ProductType.PACKAGE, D("9"), active=False),
    12: Product(12, "seo", "SEO", ProductType.SERVICE, D("20")),
}
MEMBER = Membership(
    1,
    1,
    1,
    MembershipStatus.ACTIVE,
    D("24"),
    addons={10: 1},
    date_created=datetime(2026, 1, 1, tzinfo=UTC),
    date_expiration=datetime(2026, 7, 1, 23, 59, 59, tzinfo=UTC),
)


def _errors(membership=MEMBER, usage=Usage(), discount=None, **request):  # noqa: B008
    q = quote(
        membership, PlanChangeRequest(1, **request), CATALOG, NOW, usage=usage, discount=discount
    )
    assert q.change_kind is ChangeKind.BLOCKED
    assert q.message and all(e.message for e in q.errors)
    return [(e.code, e.field) for e in q.errors]


@pytest.mark.parametrize(
    ("request_kw", "expected"),
    [
        (dict(plan_id=99), [(ErrorCode.NOT_FOUND, "planId")]),
        (dict(plan_id=10), [(ErrorCode.NOT_A_PLAN, "planId")]),
        (dict(plan_id=3), [(ErrorCode.NOT_IN_PLAN_GROUP, "planId")]),
        (dict(plan_id=4), [(ErrorCode.PLAN_INACTIVE, "planId")]),
        (dict(plan_id=5), [(ErrorCode.CURRENCY_MISMATCH, "planId")]),
        (dict(plan_id=2, period=YEAR), [(ErrorCode.PERIOD_NOT_AVAILABLE, "billingPeriod")]),
        (dict(add_addons=(AddonSelection(99, 1),)), [(ErrorCode.NOT_FOUND, "addons[0].productId")]),
        (
            dict(add_addons=(AddonSelection(10, 1), AddonSelection(10, 2))),
            [(ErrorCode.INVALID_INPUT, "addons[1].productId")],
        ),
        (
            dict(remove_addons=(AddonSelection(10, 1), AddonSelection(10, 1))),
            [(ErrorCode.INVALID_INPUT, "removeAddons[1].productId")],
        ),
        (
            dict(add_addons=(AddonSelection(10, 0),)),
            [(ErrorCode.INVALID_QUANTITY, "addons[0].quantity")],
        ),
        (
            dict(add_addons=(AddonSelection(10, 1), AddonSelection(12, 1))),
            [(ErrorCode.ADDON_NOT_AVAILABLE, "addons[1].productId")],
        ),
        (
            dict(add_addons=(AddonSelection(11, 1),)),
            [(ErrorCode.ADDON_NOT_AVAILABLE, "addons[0].productId")],
        ),
        (
            dict(plan_id=2, add_addons=(AddonSelection(11, 1),)),
            [(ErrorCode.ADDON_NOT_AVAILABLE, "addons[0].productId")],
        ),
        (
            dict(remove_addons=(AddonSelection(12, 1),)),
            [(ErrorCode.ADDON_NOT_HELD, "removeAddons[0].productId")],
        ),
        (
            dict(remove_addons=(AddonSelection(10, 2),)),
            [(ErrorCode.ADDON_NOT_HELD, "removeAddons[0].quantity")],
        ),
        (
            dict(remove_addons=(AddonSelection(10, -1),)),
            [(ErrorCode.INVALID_QUANTITY, "removeAddons[0].quantity")],
        ),
    ],
)
def test_invalid_request_is_blocked_with_its_field(request_kw, expected):
    assert _errors(**request_kw) == expected


def test_discount_code_without_a_known_code_is_invalid():
    assert _errors(plan_id=2, discount_code="NOPE") == [
        (ErrorCode.INVALID_DISCOUNT_CODE, "discountCode")
    ]


def test_expired_discount_code_is_invalid_with_a_readable_message():
    code = DiscountCode(1, "OLD", D("10"), date_expiration=datetime(2026, 1, 1, tzinfo=UTC))
    q = quote(
        MEMBER, PlanChangeRequest(1, plan_id=2, discount_code="old"), CATALOG, NOW, discount=code
    )
    assert q.errors[0].message == "The code OLD does not exist or is no longer valid."


def test_pending_membership_is_not_changeable():
    pending = replace(MEMBER, status=MembershipStatus.PENDING)
    assert _errors(pending, plan_id=2) == [(ErrorCode.MEMBERSHIP_NOT_CHANGEABLE, "membershipId")]


def test_pending_payment_makes_the_membership_not_changeable():
    assert _errors(usage=Usage(pending_payment=True), add_addons=(AddonSelection(10, 1),)) == [
        (ErrorCode.MEMBERSHIP_NOT_CHANGEABLE, "membershipId")
    ]


def test_adding_and_removing_addons_together_must_be_split():
    codes = _errors(add_addons=(AddonSelection(10, 2),), remove_addons=(AddonSelection(10, 1),))
    assert codes == [(ErrorCode.INVALID_INPUT, "removeAddons")]


def test_adding_and_removing_the_same_quantity_is_no_change():
    q = quote(
        MEMBER,
        PlanChangeRequest(
            1, add_addons=(AddonSelection(10, 1),), remove_addons=(AddonSelection(10, 1),)
        ),
        CATALOG,
        NOW,
    )
    assert q.change_kind is ChangeKind.NO_CHANGE


def test_removal_can_accompany_a_plan_change():
    q = quote(
        MEMBER,
        PlanChangeRequest(1, plan_id=2, remove_addons=(AddonSelection(10, 1),)),
        CATALOG,
        NOW,
    )
    assert q.change_kind is ChangeKind.UPGRADE
    assert dict(q.addons) == {} and dict(q.removed_addons) == {10: 1}


def test_blocked_quote_charges_nothing():
    q = quote(MEMBER, PlanChangeRequest(1, plan_id=3), CATALOG, NOW)
    assert (q.due_now, q.credit, q.line_items, q.ok) == (D("0.00"), D("0.00"), (), False)
