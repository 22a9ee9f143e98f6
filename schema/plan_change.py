"""GraphQL surface of plan changes: upgradeOptions, planChangeQuote, changePlan,
cancelScheduledChange, and the types they return (docs/plan-changes.md §2-§5, docs/api.md).

Resolvers translate inputs into domain requests and call the use cases in
``resolvers.plan_change`` in a worker thread (the stores are synchronous). Expected failures
come back as ``userErrors``; nothing raises to the client.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from planswitch.domain import plan_change as domain
from planswitch.domain.errors import DomainError, ErrorCode, UserError
from planswitch.domain.memberships import ScheduledChange
from planswitch.domain.periods import BillingPeriod as DomainPeriod
from planswitch.resolvers import plan_change as use_cases
from planswitch.resolvers.context import Info
from planswitch.schema.enums import ChangeKind, Direction, DurationUnit, Timing
from planswitch.schema.enums import ErrorCode as ErrorCodeEnum
from planswitch.schema.errors import UserErrorType
from planswitch.schema.node import decode_global_id
from planswitch.schema.scalars import Money
from starlette.concurrency import run_in_threadpool
from strawberry.scalars import JSON

if TYPE_CHECKING:
    from planswitch.schema.catalog import BillingPeriod, ProductNode
    from planswitch.schema.memberships import MembershipNode
    from planswitch.schema.payments import LineItemNode, PaymentNode

# schema.memberships imports this module (Membership.scheduledChange): lazy types avoid a cycle.
ProductRef = Annotated["ProductNode", strawberry.lazy("planswitch.schema.catalog")]
PeriodRef = Annotated["BillingPeriod", strawberry.lazy("planswitch.schema.catalog")]
MembershipRef = Annotated["MembershipNode", strawberry.lazy("planswitch.schema.memberships")]
PaymentRef = Annotated["PaymentNode", strawberry.lazy("planswitch.schema.payments")]
LineItemRef = Annotated["LineItemNode", strawberry.lazy("planswitch.schema.payments")]


async def _product(info: Info, product_id: int | None) -> ProductNode | None:
    from planswitch.schema.catalog import ProductNode

    if product_id is None:
        return None
    product = await info.context.loaders.products_by_id.load(product_id)
    return ProductNode.from_domain(product) if product else None


def _period(period: DomainPeriod | None) -> BillingPeriod | None:
    from planswitch.schema.catalog import BillingPeriod

    return BillingPeriod.from_domain(period) if period else None


def _utc(moment: datetime) -> datetime:
    """Inputs without an offset are read as UTC; others are converted to it."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _errors(errors: list[UserError] | tuple[UserError, ...]) -> list[UserErrorType]:
    return [UserErrorType.from_domain(error) for error in errors]


# --- inputs ---------------------------------------------------------------------------------


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
        default=None, description="Quote as of this instant (UTC); default: now."
    )


@strawberry.input(description="A change to commit: the quoted input plus an idempotency key.")
class ChangePlanInput(PlanChangeInput):
    idempotency_key: str = strawberry.field(
        description="Unique per intended change: a retry with the same key and input returns "
        "the first result and changes nothing; the same key with another input is refused."
    )
    quote_token: str | None = strawberry.field(
        default=None,
        description="The quoteToken of the quote shown to the customer: the commit is refused "
        "with QUOTE_EXPIRED if the amounts have changed since.",
    )


@strawberry.input(description="Which membership's scheduled change to cancel.")
class CancelScheduledChangeInput:
    membership_id: strawberry.ID = strawberry.field(
        description="Global id of the membership (a databaseId string is accepted too)."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Optional: a retry with the same key changes nothing."
    )


def to_request(data: PlanChangeInput) -> domain.PlanChangeRequest | list[UserError]:
    """The domain request for ``data``, or the input errors (bad ids, periods, quantities)."""
    errors: list[UserError] = []

    def decode(value: str, type_name: str, field: str) -> int:
        try:
            return decode_global_id(value, type_name, field)
        except DomainError as error:
            errors.append(error.error)
            return 0

    def selections(items: list[AddonSelectionInput] | None, field: str):
        return tuple(
            domain.AddonSelection(decode(item.product_id, "Product", field), item.quantity)
            for item in items or ()
        )

    membership_id = decode(data.membership_id, "Membership", "membershipId")
    plan_id = decode(data.plan_id, "Product", "planId") if data.plan_id is not None else None
    period = None
    if data.billing_period is not None:
        if data.billing_period.duration < 1:
            errors.append(
                UserError(
                    ErrorCode.INVALID_INPUT,
                    "A billing period must be at least 1 day, week, month or year long.",
                    "billingPeriod",
                )
            )
        else:
            period = DomainPeriod(data.billing_period.duration, data.billing_period.unit)
    request = domain.PlanChangeRequest(
        membership_id=membership_id,
        plan_id=plan_id,
        period=period,
        add_addons=selections(data.addons, "addons"),
        remove_addons=selections(data.remove_addons, "removeAddons"),
        discount_code=data.discount_code,
    )
    return errors or request


# --- output types ---------------------------------------------------------------------------


@strawberry.type(description="One module's effective limit before and after the change.")
class LimitChange:
    module: str = strawberry.field(description="Limitation module, e.g. sites or post_types.")
    key: str | None = strawberry.field(description="Role or post type for per-key modules.")
    before: JSON | None = strawberry.field(description="The limit now (null = unlimited).")
    after: JSON | None = strawberry.field(description="The limit after (null = unlimited).")

    @classmethod
    def from_domain(cls, change: domain.LimitChange) -> LimitChange:
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


@strawberry.type(name="PlanChangeAddon", description="An add-on product and its quantity.")
class PlanChangeAddon:
    product_id: strawberry.Private[int]
    quantity: int = strawberry.field(description="How many.")

    @strawberry.field(description="The add-on product.")
    async def product(self, info: Info) -> ProductRef | None:
        return await _product(info, self.product_id)


def _addons(addons: Mapping[int, int]) -> list[PlanChangeAddon]:
    return [PlanChangeAddon(product_id=pid, quantity=qty) for pid, qty in sorted(addons.items())]


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
    def line_items(self) -> list[LineItemRef]:
        from planswitch.schema.payments import LineItemNode

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
    async def plan(self, info: Info) -> ProductRef | None:
        return await _product(info, self.value.plan_id)

    @strawberry.field(description="The billing period after the change.")
    def billing_period(self) -> PeriodRef | None:
        return _period(self.value.period)

    @strawberry.field(description="The add-ons held after the change.")
    def addons(self) -> list[PlanChangeAddon]:
        return _addons(self.value.addons)

    @strawberry.field(description="Add-ons the change removes (dropped or asked to remove).")
    def removed_addons(self) -> list[PlanChangeAddon]:
        return _addons(self.value.removed_addons)

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
            user_errors=_errors(errors if errors is not None else list(quote.errors)),
            next_billing_date=quote.next_billing_date,
            effective_at=effective,
            scheduled=quote.scheduled,
        )


@strawberry.type(
    name="Blocker", description="Why an option is not allowed (docs/plan-changes.md §5)."
)
class BlockerType:
    code: ErrorCodeEnum = strawberry.field(description="Stable code, e.g. OVER_LIMIT.")
    message: str = strawberry.field(description="A sentence for the customer.")
    module: str | None = strawberry.field(description="The limit module at fault (OVER_LIMIT).")
    current: int | None = strawberry.field(description="Current usage (OVER_LIMIT).")
    allowed: int | None = strawberry.field(description="What the new plan allows (OVER_LIMIT).")

    @classmethod
    def from_domain(cls, blocker: domain.Blocker) -> BlockerType:
        return cls(
            code=blocker.code,
            message=blocker.message,
            module=blocker.module,
            current=blocker.current,
            allowed=blocker.allowed,
        )


@strawberry.type(description="The price of a plan at one billing period.")
class PeriodPrice:
    value: strawberry.Private[domain.PeriodPrice]

    @strawberry.field(description="The billing period.")
    def billing_period(self) -> PeriodRef:
        return _period(self.value.period)

    @strawberry.field(description="The recurring price at that period.")
    def price(self) -> Money:
        return Money.from_domain(self.value.price)


@strawberry.type(name="PlanOption", description="A plan the membership may move to.")
class PlanOptionType:
    value: strawberry.Private[domain.PlanOption]
    direction: Direction = strawberry.field(description="UPGRADE, DOWNGRADE or CROSSGRADE.")
    timing: Timing = strawberry.field(description="IMMEDIATE or END_OF_TERM.")
    allowed: bool = strawberry.field(description="False when a blocker forbids the change.")
    blockers: list[BlockerType] = strawberry.field(description="Why it is not allowed.")

    @strawberry.field(description="The plan.")
    async def plan(self, info: Info) -> ProductRef | None:
        return await _product(info, self.value.plan_id)

    @strawberry.field(description="Price at the membership's current period (null: not sold so).")
    def price(self) -> Money | None:
        return Money.from_domain(self.value.price) if self.value.price else None

    @strawberry.field(description="Price at each of the plan's periods.")
    def prices(self) -> list[PeriodPrice]:
        return [PeriodPrice(value=price) for price in self.value.prices]

    @classmethod
    def from_domain(cls, option: domain.PlanOption) -> PlanOptionType:
        return cls(
            value=option,
            direction=option.direction,
            timing=option.timing,
            allowed=option.allowed,
            blockers=[BlockerType.from_domain(b) for b in option.blockers],
        )


@strawberry.type(name="AddonOption", description="An add-on the membership's plan allows.")
class AddonOptionType:
    product_id: strawberry.Private[int]
    price_value: strawberry.Private[Any]
    held: bool = strawberry.field(description="Whether the membership already holds it.")
    quantity: int = strawberry.field(description="Held quantity (0 when not held).")

    @strawberry.field(description="The add-on product.")
    async def product(self, info: Info) -> ProductRef | None:
        return await _product(info, self.product_id)

    @strawberry.field(description="Price at the membership's period (one-time: its price).")
    def price(self) -> Money | None:
        return Money.from_domain(self.price_value) if self.price_value else None

    @classmethod
    def from_domain(cls, option: domain.AddonOption) -> AddonOptionType:
        return cls(
            product_id=option.product_id,
            price_value=option.price,
            held=option.held,
            quantity=option.quantity,
        )


@strawberry.type(
    name="UpgradeOptions",
    description="What the membership may change to (docs/plan-changes.md §2).",
)
class UpgradeOptionsType:
    membership_id: strawberry.Private[int | None]
    plans: list[PlanOptionType] = strawberry.field(
        description="Other plans of the family, by list order."
    )
    addons: list[AddonOptionType] = strawberry.field(description="Add-ons the plan allows.")
    user_errors: list[UserErrorType] = strawberry.field(
        description="Why the options cannot be shown (not found, not allowed)."
    )

    @strawberry.field(description="The membership the options are for.")
    async def membership(self, info: Info) -> MembershipRef | None:
        from planswitch.schema.memberships import MembershipNode

        if self.membership_id is None:
            return None
        membership = await info.context.loaders.memberships_by_id.load(self.membership_id)
        return MembershipNode.from_domain(membership) if membership else None


@strawberry.type(name="ScheduledChange", description="A change waiting for the end of the term.")
class ScheduledChangeNode:
    value: strawberry.Private[ScheduledChange]
    effective_at: datetime = strawberry.field(description="When the change applies.")
    description: str = strawberry.field(description="What changes, in words.")

    @strawberry.field(description="The plan it switches to.")
    async def plan(self, info: Info) -> ProductRef | None:
        return await _product(info, self.value.plan_id)

    @strawberry.field(description="The add-ons held after the change.")
    def addons(self) -> list[PlanChangeAddon]:
        return _addons(self.value.addons)

    @strawberry.field(description="The billing period after the change.")
    def billing_period(self) -> PeriodRef:
        return _period(self.value.period)

    @strawberry.field(description="The new recurring total (in the plan's currency).")
    async def amount(self, info: Info) -> Money:
        plan = await info.context.loaders.products_by_id.load(self.value.plan_id)
        return Money.of(self.value.amount, plan.currency if plan else "USD")

    @classmethod
    def from_domain(cls, change: ScheduledChange) -> ScheduledChangeNode:
        return cls(value=change, effective_at=change.effective_at, description=change.description)


@strawberry.type(description="Result of changePlan.")
class ChangePlanPayload:
    membership: MembershipRef | None = strawberry.field(
        description="The membership after the change (its new plan and limits)."
    )
    payment: PaymentRef | None = strawberry.field(
        description="The payment created: pending when something is due, else completed."
    )
    quote: PlanChangeQuote | None = strawberry.field(description="The quote that was applied.")
    user_errors: list[UserErrorType] = strawberry.field(
        description="Why nothing was changed (empty on success)."
    )


@strawberry.type(description="Result of cancelScheduledChange.")
class CancelScheduledChangePayload:
    membership: MembershipRef | None = strawberry.field(
        description="The membership, without its scheduled change."
    )
    user_errors: list[UserErrorType] = strawberry.field(
        description="Why nothing was changed (empty on success)."
    )


def _membership(membership) -> MembershipNode | None:
    from planswitch.schema.memberships import MembershipNode

    return MembershipNode.from_domain(membership) if membership else None


def _payment(payment) -> PaymentNode | None:
    from planswitch.schema.payments import PaymentNode

    return PaymentNode.from_domain(payment) if payment else None


# --- root fields ----------------------------------------------------------------------------


@strawberry.type
class PlanChangeQuery:
    @strawberry.field(
        description="Plans of the membership's family and add-ons its plan allows, with "
        "direction, timing, prices and blockers."
    )
    async def upgrade_options(self, info: Info, membership_id: strawberry.ID) -> UpgradeOptionsType:
        ctx = info.context
        try:
            database_id = decode_global_id(membership_id, "Membership", "membershipId")
        except DomainError as error:
            return UpgradeOptionsType(
                membership_id=None, plans=[], addons=[], user_errors=_errors([error.error])
            )
        result = await run_in_threadpool(
            use_cases.get_upgrade_options, ctx.store, ctx.viewer, database_id, ctx.clock.now()
        )
        options = result.options
        return UpgradeOptionsType(
            membership_id=result.membership.id if result.membership else None,
            plans=[PlanOptionType.from_domain(p) for p in options.plans] if options else [],
            addons=[AddonOptionType.from_domain(a) for a in options.addons] if options else [],
            user_errors=_errors(result.user_errors),
        )

    @strawberry.field(
        description="Price a change without making it: what is due now, the next billing, "
        "the limits after; side-effect free."
    )
    async def plan_change_quote(self, info: Info, input: PlanChangeInput) -> PlanChangeQuote:
        ctx = info.context
        now = _utc(input.as_of) if input.as_of else ctx.clock.now()
        request = to_request(input)
        if isinstance(request, list):
            return PlanChangeQuote.from_domain(use_cases.blocked_quote(None, now, request))
        result = await run_in_threadpool(
            lambda: use_cases.preview_change(
                ctx.store, ctx.viewer, request, now, secret=ctx.settings.secret_key
            )
        )
        return PlanChangeQuote.from_domain(result.quote, result.token, result.user_errors, now)


@strawberry.type
class PlanChangeMutation:
    @strawberry.mutation(
        description="Apply or schedule a change exactly as quoted: one transaction for the "
        "membership, a payment with line items and an event. Idempotent by idempotencyKey."
    )
    async def change_plan(self, info: Info, input: ChangePlanInput) -> ChangePlanPayload:
        ctx = info.context
        request = to_request(input)
        if isinstance(request, list):
            return ChangePlanPayload(
                membership=None, payment=None, quote=None, user_errors=_errors(request)
            )
        now = ctx.clock.now()
        result = await run_in_threadpool(
            lambda: use_cases.change_plan(
                ctx.store,
                ctx.viewer,
                request,
                now,
                input.idempotency_key,
                input.quote_token,
                ctx.settings.secret_key,
                as_of=_utc(input.as_of) if input.as_of else None,
            )
        )
        quote = PlanChangeQuote.from_domain(result.quote, None, [], now) if result.quote else None
        return ChangePlanPayload(
            membership=_membership(result.membership),
            payment=_payment(result.payment),
            quote=quote,
            user_errors=_errors(result.user_errors),
        )

    @strawberry.mutation(description="Cancel the membership's scheduled change, if it has one.")
    async def cancel_scheduled_change(
        self, info: Info, input: CancelScheduledChangeInput
    ) -> CancelScheduledChangePayload:
        ctx = info.context
        try:
            database_id = decode_global_id(input.membership_id, "Membership", "membershipId")
        except DomainError as error:
            return CancelScheduledChangePayload(membership=None, user_errors=_errors([error.error]))
        result = await run_in_threadpool(
            use_cases.cancel_scheduled_change,
            ctx.store,
            ctx.viewer,
            database_id,
            ctx.clock.now(),
            input.idempotency_key,
        )
        return CancelScheduledChangePayload(
            membership=_membership(result.membership), user_errors=_errors(result.user_errors)
        )
