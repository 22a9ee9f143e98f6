"""The demo network lets a newcomer see every kind of answer: an allowed scheduled downgrade."""

from __future__ import annotations

import httpx

from tests.api.conftest import OPERATOR, data, gql

OPTIONS = """query { upgradeOptions(membershipId: "2") {
  plans { plan { name } direction timing allowed blockers { code } } } }"""

COMMIT = """mutation { changePlan(input: {
  membershipId: "2", planId: "3", billingPeriod: {duration: 1, unit: MONTH},
  idempotencyKey: "demo-downgrade" }) {
  quote { changeKind dueNow { formatted } nextBillingAmount { formatted } effectiveAt }
  payment { status total { amount } }
  membership { plan { name } scheduledChange { plan { name } effectiveAt } }
  userErrors { code message } } }"""


async def test_business_to_basic_is_an_allowed_downgrade_at_the_end_of_the_year(
    client: httpx.AsyncClient,
) -> None:
    plans = data(await gql(client, OPTIONS, headers=OPERATOR))["upgradeOptions"]["plans"]
    assert plans == [
        {
            "plan": {"name": "Basic"},
            "direction": "DOWNGRADE",
            "timing": "END_OF_TERM",
            "allowed": True,
            "blockers": [],
        }
    ]

    result = data(await gql(client, COMMIT, headers=OPERATOR))["changePlan"]
    assert result["userErrors"] == []
    assert result["quote"]["changeKind"] == "DOWNGRADE"
    assert result["quote"]["dueNow"]["formatted"] == "$0.00"
    assert result["quote"]["nextBillingAmount"]["formatted"] == "$19.00"
    # A scheduled change charges nothing now and writes no payment (issue 8).
    assert result["payment"] is None
    # Nothing changes until the end of the paid year; then Basic applies.
    membership = result["membership"]
    assert membership["plan"] == {"name": "Business"}
    assert membership["scheduledChange"]["plan"] == {"name": "Basic"}
    assert membership["scheduledChange"]["effectiveAt"] == result["quote"]["effectiveAt"]
