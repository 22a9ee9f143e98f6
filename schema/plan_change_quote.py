"""The ``planChangeQuote`` query: the plan-change input, its translation into a domain
request, and the ``PlanChangeQuote`` it returns (docs/plan-changes.md §3, docs/api.md)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any

import strawberry
from planswitch.domain import limit_changes
from planswitch.domain import plan_change as domain
from planswitch.domain.errors import DomainError, UserError
from planswitch.domain.quote_request import requested_period
from planswitch.resolvers import plan_change as use_cases
from planswitch.resolvers.context import Context, Info
from planswitch.resolvers.loaders import then
from planswitch.schema.catalog import BillingPeriod, ProductNode, product_node
from planswitch.schema.connections import selects
from planswitch.schema.enums import ChangeKind, DurationUnit
from planswitch.schema.errors import UserErrorType, user_errors
from planswitch.schema.fast_fields import context_only
from planswitch.schema.node import decode_global_id
from planswitch.schema.payments import LineItemNode
from planswitch.schema.scalars import Money, utc
from planswitch.schema.scheduled_change import PlanChangeAddon
from strawberry.scalars import JSON

QUOTE_TOKEN = frozenset({"quoteToken"})

# --- input ----------------------------------------------------------------------------------


@strawberry.input(description="A billing period: `duration` units, e.g. 1 YEAR.")
class BillingPeriodInput:
    duration: int = strawberry.field(description="How many units (at least 1).")
    unit: DurationUnit = strawberry.field(description="DAY, WEEK, MONTH or YEAR.")


@strawberry.input(description="An add-on product and how many of it.")
class AddonSelectionInput:
    product_id: strawberry.ID = strawberry.field(
        description="Global id (or databaseId string) of a package or service."
    )
    quantity: int = strawberry.field(description="How many (at least 1).")


@strawberry.input(description="The change to quote: target plan, period and add-ons.")
class PlanChangeInput:
    membership_id: strawberry.ID = strawberry.field(
        description="Global id of the membership (a databaseId string is accepted too)."
    )
    plan_id: strawberry.ID | None = strawberry.field(
        default=None, description="Target plan; default: the current plan."
    )
    billing_period: BillingPeriodInput | None = strawberry.field(
        default=None, description="Target billing period; default: the membership's period."
    )
    addons: list[AddonSelectionInput] | None = strawberry.field(
        default=None, description="Add-ons to add (quantities add up to what is held)."
    )
    remove_addons: list[AddonSelectionInput] | None = strawberry.field(
        default=None, description="Add-ons to remove (at the end of the term)."
    )
    discount_code: str | None = strawberry.field(default=None, description="A discount code.")
    as_of: datetime | None = strawberry.field(
        default=None,
        description="Operators: preview the quote as of this instant (UTC; no quoteToken). "
        "Customers always get the present. changePlan refuses it (INVALID_INPUT).",
    )


def to_request(data: PlanChangeInput) -> domain.PlanChangeRequest | list[UserError]:
    """The domain request for ``data``, or why it cannot be read (ids, period).

    Only translation: the ids are decoded and the period built by the domain's
    ``requested_period``; every other input rule is ``quote()``'s (domain.quote_request).
    """
    errors: list[UserError] = []

    def attempt(read: Any, *args: Any) -> Any:
        try:
            return read(*args)
        except DomainError as error:
            errors.append(error.error)
            return None

    def selections(
        items: list[AddonSelectionInput] | None, field: str
    ) -> tuple[domain.AddonSelection, ...]:
        return tuple(
            domain.AddonSelection(
                attempt(decode_global_id, item.product_id, "Product", f"{field}[{i}].productId")
                or 0,
                item.quantity,
            )
            for i, item in enumerate(items or ())
        )

    membership_id = attempt(decode_global_id, data.membership_id, "Membership", "membershipId")
    plan_id = (
        attempt(decode_global_id, data.plan_id, "Product", "planId")
        if data.plan_id is not None
        else None
    )
    period = (
        attempt(requested_period, data.billing_period.duration, data.billing_period.unit)
        if data.billing_period is not None
        else None
    )
    request = domain.PlanChangeRequest(
        membership_id=membership_id or 0,
        plan_id=plan_id,
        period=period,
        add_addons=selections(data.addons, "addons"),
        remove_addons=selections(data.remove_addons, "removeAddons"),
        discount_code=data.discount_code,
    )
    return errors or request


# --- output ---------------------------------------------------------------------------------


@strawberry.type(description="One module's effective limit before and after the change.")
class LimitChange:
    module: str = strawberry.field(description="Limitation module, e.g. sites or post_types.")
    key: str | None = strawberry.field(description="Role or post type for per-key modules.")
    before: JSON | None = strawberry.field(description="The limit now (null = unlimited).")
    after: JSON | None = strawberry.field(description="The limit after (null = unlimited).")

    @classmethod
    def from_domain(cls, change: limit_changes.LimitChange) -> LimitChange:
        return cls(
            module=change.module,
            key=change.key,
            before=_plain(change.before),
            after=_plain(change.after),
        )


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


@strawberry.type(description="The price of a change (docs/plan-changes.md §3); side-effect free.")
class PlanChangeQuote:
    value: strawberry.Private[domain.Quote]
    change_kind: ChangeKind = strawberry.field(description="What kind of change this is.")
    message: str | None = strawberry.field(description="A sentence for the customer.")
    quote_token: str | None = strawberry.field(
        description="Pass to changePlan to commit exactly these amounts (null if not committable)."
    )
    user_errors: list[UserErrorType] = strawberry.field(
        description="Why the change cannot be made as asked (empty when it can)."
    )
    next_billing_date: datetime | None = strawberry.field(
        description="Next billing date after the change (null: never, e.g. lifetime or free)."
    )
    effective_at: datetime = strawberry.field(description="When the change takes effect.")
    scheduled: bool = strawberry.field(
        description="True when the change waits for the end of the term."
    )

    def _money(self, amount: Decimal) -> Money:
        return Money.of(amount, self.value.currency)

    @strawberry.field(description="What is charged or credited now, line by line.")
    def line_items(self) -> list[LineItemNode]:
        currency = self.value.currency
        return [LineItemNode.from_domain(item, currency) for item in self.value.line_items]

    @strawberry.field(description="Sum of the charged lines before credit and discount.")
    def subtotal(self) -> Money:
        return self._money(self.value.subtotal)

    @strawberry.field(description="Proration credit for the unused part of the current plan.")
    def credit(self) -> Money:
        return self._money(self.value.credit)

    @strawberry.field(description="Discount from the discount code.")
    def discount(self) -> Money:
        return self._money(self.value.discount)

    @strawberry.field(description="Charged now: subtotal − credit − discount, never below 0.")
    def due_now(self) -> Money:
        return self._money(self.value.due_now)

    @strawberry.field(description="Credit the amount due could not absorb (never silently lost).")
    def unused_credit(self) -> Money:
        return self._money(self.value.unused_credit)

    @strawberry.field(description="The recurring total from the next billing date.")
    def next_billing_amount(self) -> Money | None:
        amount = self.value.next_billing_amount
        return None if amount is None else self._money(amount)

    @strawberry.field(description="Effective limits before → after, per module.")
    def limit_changes(self) -> list[LimitChange]:
        return [LimitChange.from_domain(change) for change in self.value.limit_changes]

    @strawberry.field(description="The plan the membership will be on.")
    @context_only
    def plan(self, info: Info) -> ProductNode | None:
        plan_id = self.value.plan_id
        return None if plan_id is None else product_node(info, plan_id)  # type: ignore[return-value]

    @strawberry.field(description="The billing period after the change.")
    def billing_period(self) -> BillingPeriod | None:
        period = self.value.period
        return BillingPeriod.from_domain(period) if period else None

    @strawberry.field(description="The add-ons held after the change.")
    def addons(self) -> list[PlanChangeAddon]:
        return PlanChangeAddon.list_of(self.value.addons)

    @strawberry.field(description="Add-ons the change removes (dropped or asked to remove).")
    def removed_addons(self) -> list[PlanChangeAddon]:
        return PlanChangeAddon.list_of(self.value.removed_addons)

    @classmethod
    def from_domain(
        cls,
        quote: domain.Quote,
        token: str | None = None,
        errors: list[UserError] | None = None,
        now: datetime | None = None,
    ) -> PlanChangeQuote:
        effective = quote.effective_at or now
        assert effective is not None, "a quote without effective_at needs now"
        return cls(
            value=quote,
            change_kind=quote.change_kind,
            message=quote.message,
            quote_token=token,
            user_errors=user_errors(errors if errors is not None else quote.errors),
            next_billing_date=quote.next_billing_date,
            effective_at=effective,
            scheduled=quote.scheduled,
        )


# --- root field -----------------------------------------------------------------------------


@strawberry.type
class PlanChangeQuoteQuery:
    @strawberry.field(
        description="Price a change without making it: what is due now, the next billing, "
        "the limits after; side-effect free."
    )
    def plan_change_quote(self, info: Info, input: PlanChangeInput) -> PlanChangeQuote:
        ctx = info.context
        as_of = utc(input.as_of) if input.as_of else None
        request = to_request(input)
        if isinstance(request, list):
            now = as_of or ctx.clock.now()
            return PlanChangeQuote.from_domain(use_cases.blocked_quote(None, now, request))
        # A payload or an awaitable of one: on an inline store, answered synchronously.
        # The token is signed only when asked for (a preview showing prices needs none).
        token = selects(info, QUOTE_TOKEN, direct=True)
        found = use_cases.preview_soon(ctx, request, as_of=as_of, token=token)
        return then(found, partial(_payload, ctx))  # type: ignore[return-value]


def _payload(ctx: Context, result: use_cases.PreviewResult) -> PlanChangeQuote:
    now = result.quote.effective_at or ctx.clock.now()
    return PlanChangeQuote.from_domain(result.quote, result.token, result.user_errors, now)
