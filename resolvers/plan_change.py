"""Plan-change use cases: upgrade options, preview (quote), commit, cancel a scheduled change.

No GraphQL here. As every use case in ``planswitch.resolvers``, each public function is
``async def name(ctx, ...)``: it reads the viewer, clock and settings from the context and
runs its blocking store work in one worker thread itself. Results carry domain objects plus
``list[UserError]`` (errors as data). The request's input rules are the domain's
(``domain.quote_request``, applied by ``quote()``); nothing here checks them again. The
same ``quote()`` serves preview and commit; the commit re-quotes inside its transaction, on
the locked row.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from planswitch.domain.apply import apply_quote
from planswitch.domain.apply import cancel_scheduled_change as cancel_domain
from planswitch.domain.customers import Customer
from planswitch.domain.discounts import DiscountCode
from planswitch.domain.errors import DomainError, ErrorCode, UserError
from planswitch.domain.events import Event
from planswitch.domain.memberships import Membership
from planswitch.domain.money import MoneyFormat
from planswitch.domain.payment_provider import (
    PaymentAction,
    PaymentProvider,
    PaymentProviderUnavailable,
)
from planswitch.domain.payments import Payment
from planswitch.domain.pending_change import (
    DiscardReason,
    PendingChange,
    needs_payment,
    open_pending_change,
    writes_payment,
)
from planswitch.domain.plan_change import ChangeKind, PlanChangeRequest, Quote, UpgradeOptions
from planswitch.domain.ports import Catalog, ChangeInputs, IdempotencyRecord, Store
from planswitch.domain.products import Product
from planswitch.domain.quote_request import bounds_problems
from planswitch.domain.quotes import quote as compute_quote
from planswitch.domain.upgrade_options import upgrade_options
from planswitch.domain.usage import Usage
from planswitch.resolvers import idempotency, policy, quote_token, settlement
from planswitch.resolvers.checkout import Checkout
from planswitch.resolvers.context import Context, Viewer
from planswitch.resolvers.currencies import minor_units
from planswitch.resolvers.gateways import syncable_gateways
from planswitch.resolvers.loaders import read_soon, settled, then
from planswitch.resolvers.membership_locks import MEMBERSHIP_CHANGES
from planswitch.resolvers.settlement import Effect

log = logging.getLogger(__name__)

R = TypeVar("R", "OptionsResult", "PreviewResult")

MAX_KEY_LENGTH = 200  # the stored key adds the caller's scope (column: 255)


# --- results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionsResult:
    membership: Membership | None = None
    options: UpgradeOptions | None = None
    user_errors: list[UserError] = field(default_factory=list)
    catalog: Catalog | None = None  # what the options were computed on (the loaders reuse it)


@dataclass(frozen=True)
class PreviewResult:
    quote: Quote
    membership: Membership | None = None
    token: str | None = None
    user_errors: list[UserError] = field(default_factory=list)
    catalog: Catalog | None = None


@dataclass(frozen=True)
class ChangePlanResult:
    membership: Membership | None = None
    payment: Payment | None = None
    quote: Quote | None = None
    user_errors: list[UserError] = field(default_factory=list)
    replayed: bool = False  # True: the stored first result of this idempotency key
    pending_change: PendingChange | None = None  # set when the change waits for its payment
    payment_action: PaymentAction | None = None  # how to pay it
    catalog: Catalog | None = None


@dataclass(frozen=True)
class CancelResult:
    membership: Membership | None = None
    user_errors: list[UserError] = field(default_factory=list)
    replayed: bool = False


# --- shared loading and checks -----------------------------------------------------------


@dataclass(frozen=True)
class _Inputs:
    catalog: Mapping[int, Product]
    usage: Usage
    customer: Customer | None
    discount: DiscountCode | None
    syncable_gateways: frozenset[str] = frozenset()
    money_format: MoneyFormat | None = None  # the network's (messages), from the store


def _authorize(
    viewer: Viewer, membership: Membership | None, membership_id: int
) -> list[UserError]:
    # The policy decides; someone else's membership reads exactly like a missing one.
    owner = membership.customer_id if membership is not None else None
    return policy.membership_refusal(viewer, owner, membership_id)


def _actor(viewer: Viewer) -> str:
    return f"customer:{viewer.customer_id}" if viewer.kind == "customer" else viewer.kind


def _provider(ctx: Context) -> PaymentProvider | None:
    """The payment provider of the context (checkout), if one is configured."""
    return ctx.checkout.provider if ctx.checkout is not None else ctx.payment_provider


def _inputs(
    read: ChangeInputs,
    provider: PaymentProvider | None = None,
    money_format: MoneyFormat | None = None,
) -> _Inputs:
    """What ``quote()`` needs besides the membership (read with it in one session by
    ``change_inputs``); it judges the request itself."""
    assert read.membership is not None
    syncable = syncable_gateways(provider, read.membership)
    return _Inputs(
        read.catalog.by_id, read.usage, read.customer, read.discount, syncable, money_format
    )


def _quote(
    membership: Membership, request: PlanChangeRequest, inputs: _Inputs, now: datetime
) -> Quote:
    return compute_quote(
        membership,
        request,
        inputs.catalog,
        now,
        usage=inputs.usage,
        customer=inputs.customer,
        discount=inputs.discount,
        syncable_gateways=inputs.syncable_gateways,
        digits=minor_units(membership.currency),
        money_format=inputs.money_format,
    )


def blocked_quote(
    membership: Membership | None, now: datetime, errors: Sequence[UserError]
) -> Quote:
    """A BLOCKED quote carrying only errors (the API's quote fields are never null)."""
    currency = membership.currency if membership else "USD"
    message = " ".join(error.message for error in errors)
    return Quote(
        ChangeKind.BLOCKED, currency, effective_at=now, errors=tuple(errors), message=message
    )


def quote_errors(quote: Quote) -> list[UserError]:
    """The errors a commit reports for a quote: its own, or NO_CHANGE with the exact message."""
    if quote.errors:
        return list(quote.errors)
    if quote.change_kind is ChangeKind.NO_CHANGE:
        return [UserError(ErrorCode.NO_CHANGE, quote.message or "", None)]
    if quote.change_kind is ChangeKind.BLOCKED:
        return [UserError(ErrorCode.MEMBERSHIP_NOT_CHANGEABLE, quote.message or "", None)]
    return []


# --- queries -------------------------------------------------------------------------------


async def get_upgrade_options(ctx: Context, membership_id: int) -> OptionsResult:
    """The plans of the membership's family and the add-ons its plan allows
    (docs/plan-changes.md §2)."""
    return await settled(upgrade_options_soon(ctx, membership_id))


def upgrade_options_soon(
    ctx: Context, membership_id: int
) -> OptionsResult | Awaitable[OptionsResult]:
    """``get_upgrade_options``, answered at once where the store's reads are inline
    (``loaders.read_soon``): a resolver returning it keeps graphql-core synchronous."""
    found = read_soon(
        ctx.store,
        _upgrade_options,
        ctx.store,
        ctx.viewer,
        membership_id,
        ctx.clock.now(),
        _provider(ctx),
    )
    return then(found, partial(_primed, ctx))


def _primed(ctx: Context, result: R) -> R:
    _prime(ctx, result.membership, result.catalog)
    return result


def _prime(ctx: Context, membership: Membership | None, catalog: Catalog | None) -> None:
    """Let the request's loaders answer from what the use case just read (issue 12): the
    payload's ``membership`` and products then cost no statement and no thread hop."""
    if membership is not None:
        ctx.loaders.memberships_by_id.prime(membership.id, membership)
    if catalog is not None:
        ctx.loaders.prime_catalog(catalog)


def _upgrade_options(
    store: Store,
    viewer: Viewer,
    membership_id: int,
    now: datetime,
    provider: PaymentProvider | None = None,
) -> OptionsResult:
    # One session: the membership, its usage and the cached catalog (issue 12).
    read = store.change_inputs(membership_id)
    membership = read.membership
    errors = _authorize(viewer, membership, membership_id)
    if errors or membership is None:
        return OptionsResult(user_errors=errors)
    options = upgrade_options(
        membership,
        dict(read.catalog.by_id),
        now,
        usage=read.usage,
        syncable_gateways=syncable_gateways(provider, membership),
    )
    return OptionsResult(membership, options, catalog=read.catalog)


async def preview_change(
    ctx: Context, request: PlanChangeRequest, *, as_of: datetime | None = None
) -> PreviewResult:
    """Quote ``request`` at ``as_of`` (default: now) without writing anything
    (docs/plan-changes.md §3).

    A quote that can be committed carries a token signed with the settings' secret, pinning
    its amounts; ``change_plan`` refuses it with QUOTE_EXPIRED if they move. ``as_of`` is an
    operator's preview (issue 8): customers always get the present, and a quote of another
    instant carries no token (a change never applies at another instant).
    """
    return await settled(preview_soon(ctx, request, as_of=as_of))


def preview_soon(
    ctx: Context, request: PlanChangeRequest, *, as_of: datetime | None = None, token: bool = True
) -> PreviewResult | Awaitable[PreviewResult]:
    """``preview_change``, answered at once where the store's reads are inline (as
    ``upgrade_options_soon``). ``token=False``: the caller shows no token, so none is
    signed (``token`` is then None)."""
    out_of_bounds = _bounds_errors(ctx, request, as_of)
    if out_of_bounds:  # before any read, and before any limits are merged
        quote = blocked_quote(None, ctx.clock.now(), out_of_bounds)
        return PreviewResult(quote, user_errors=out_of_bounds)
    preview = as_of is not None and policy.may_preview_another_instant(ctx.viewer)
    now = as_of if preview and as_of is not None else ctx.clock.now()
    secret = "" if preview or not token else ctx.settings.secret_key
    found = read_soon(
        ctx.store, _preview, ctx.store, ctx.viewer, request, now, secret, _provider(ctx)
    )
    return then(found, partial(_primed, ctx))


def _bounds_errors(
    ctx: Context, request: PlanChangeRequest, as_of: datetime | None
) -> list[UserError]:
    found = bounds_problems(request, ctx.settings.max_addon_quantity, as_of)
    return [item.error() for item in found]


def _preview(
    store: Store,
    viewer: Viewer,
    request: PlanChangeRequest,
    now: datetime,
    secret: str,
    provider: PaymentProvider | None = None,
) -> PreviewResult:
    # One session: everything the quote reads, the catalog from the cache (issue 12).
    read = store.change_inputs(request.membership_id, request.discount_code)
    membership = read.membership
    errors = _authorize(viewer, membership, request.membership_id)
    if errors or membership is None:
        return PreviewResult(blocked_quote(membership, now, errors), user_errors=errors)
    money_format = store.network_settings().money_format
    quote = _quote(membership, request, _inputs(read, provider, money_format), now)
    token = quote_token.issue(request, quote, now, secret) if secret and quote.ok else None
    return PreviewResult(quote, membership, token, list(quote.errors), read.catalog)


# --- commit --------------------------------------------------------------------------------


class _Refused(Exception):
    """Leave the transaction without writing, returning these errors."""

    def __init__(
        self,
        errors: list[UserError],
        quote: Quote | None = None,
        membership: Membership | None = None,
    ) -> None:
        super().__init__(errors[0].message if errors else "refused")
        self.errors = errors
        self.quote = quote
        self.membership = membership


class _Replay(Exception):
    def __init__(self, record: IdempotencyRecord) -> None:
        super().__init__(record.key)
        self.record = record


def _check_key(key: str | None, required: bool) -> list[UserError]:
    if key is None or not key.strip():
        if not required:
            return []
        return [
            UserError(ErrorCode.INVALID_INPUT, "An idempotency key is required.", "idempotencyKey")
        ]
    if len(key) > MAX_KEY_LENGTH:
        return [
            UserError(
                ErrorCode.INVALID_INPUT,
                f"The idempotency key may be at most {MAX_KEY_LENGTH} characters long.",
                "idempotencyKey",
            )
        ]
    return []


def _scoped_key(viewer: Viewer, key: str) -> str:
    """Keys are scoped per caller, as Stripe scopes them per account: another caller's key
    neither replays their result nor collides with yours."""
    return f"{_actor(viewer)}/{key.strip()}"


def _replay_or_raise(record: IdempotencyRecord | None, incoming_hash: str) -> None:
    if record is None:
        return
    error = idempotency.replay_error(record, incoming_hash)
    if error:
        raise _Refused([error])
    raise _Replay(record)


AS_OF_REFUSED = (
    "asOf is an operator's preview of planChangeQuote; a change always applies at the present."
)


async def change_plan(
    ctx: Context,
    request: PlanChangeRequest,
    idempotency_key: str,
    quote_token_value: str | None = None,
    *,
    as_of: datetime | None = None,
) -> ChangePlanResult:
    """Commit ``request`` exactly as quoted, once per idempotency key (issue 8).

    Rules: docs/plan-changes.md §4.

    One transaction: lock the membership row, re-quote on what the transaction reads, check
    the quote token, then:

    * nothing due: apply (or schedule) at once;
    * something due: the membership does not move. A PENDING payment is opened at the
      provider (``ctx.checkout``) and the quote becomes the membership's pending change,
      applied when the payment completes (``resolvers.payments``). A change already pending
      is replaced: its payment is cancelled at its provider first, and if the provider
      reports it paid, that change is applied and this request is refused with
      VERSION_CONFLICT.

    ``as_of`` is refused (INVALID_INPUT): a change never applies at another instant than
    now (the context's clock).
    """
    if as_of is not None:
        return ChangePlanResult(
            user_errors=[UserError(ErrorCode.INVALID_INPUT, AS_OF_REFUSED, "asOf")]
        )
    out_of_bounds = _bounds_errors(ctx, request, as_of)
    if out_of_bounds:  # before any read, and before any limits are merged
        return ChangePlanResult(user_errors=out_of_bounds)
    checkout = ctx.checkout
    if checkout is None:
        raise RuntimeError("the context has no checkout (payment provider and TTL)")
    # Waiters on this membership queue here, not in worker threads (membership_locks);
    # the clock is read once the change's turn comes.
    async with MEMBERSHIP_CHANGES(request.membership_id):
        result = await asyncio.to_thread(
            _change_plan,
            ctx.store,
            ctx.viewer,
            request,
            ctx.clock.now(),
            idempotency_key,
            _Commit("", "", quote_token_value, ctx.settings.secret_key, checkout),
        )
    if result.payment is not None and result.payment.id:
        ctx.loaders.payments_by_id.prime(result.payment.id, result.payment)
    _prime(ctx, None, result.catalog)
    return result


def _change_plan(
    store: Store,
    viewer: Viewer,
    request: PlanChangeRequest,
    now: datetime,
    idempotency_key: str,
    commit: _Commit,
) -> ChangePlanResult:
    errors = _check_key(idempotency_key, required=True)
    if errors:
        return ChangePlanResult(user_errors=errors)
    request_hash = idempotency.request_hash(request, None, "changePlan")
    idempotency_key = _scoped_key(viewer, idempotency_key)
    commit = replace(commit, key=idempotency_key, request_hash=request_hash)
    try:
        return _commit_change(store, viewer, request, now, commit)
    except _Refused as refused:
        return ChangePlanResult(refused.membership, None, refused.quote, refused.errors)
    except _Replay as replay:
        return _replayed_change(store, replay.record)
    except DomainError as error:  # VersionConflict, provider errors: rolled back
        return ChangePlanResult(user_errors=[error.error])
    except PaymentProviderUnavailable as error:  # nothing written; safe to retry
        return ChangePlanResult(user_errors=[settlement.provider_unavailable(error).error])
    except Exception:
        # A racing retry inserted the same key first (unique key violation at insert or
        # commit). Our transaction rolled back; the first result is now committed.
        record = _stored_record(store, idempotency_key)
        if record is None:
            raise
        reused = idempotency.replay_error(record, request_hash)
        if reused:
            return ChangePlanResult(user_errors=[reused])
        return _replayed_change(store, record)


@dataclass(frozen=True)
class _Commit:
    key: str
    request_hash: str
    token: str | None
    secret: str
    checkout: Checkout


def _commit_change(
    store: Store, viewer: Viewer, request: PlanChangeRequest, now: datetime, commit: _Commit
) -> ChangePlanResult:
    actor = _actor(viewer)
    with store.transaction(now) as tx:
        # Lock first, then look the key up: a retry waiting on the lock sees the first
        # attempt's committed record (a locking read comes before any snapshot is taken).
        # The quote's inputs come with the locked row (one statement more than the lock).
        read = tx.change_inputs(request.membership_id, request.discount_code)
        membership = read.membership
        errors = _authorize(viewer, membership, request.membership_id)
        if errors or membership is None:
            raise _Refused(errors)
        _replay_or_raise(tx.get_idempotency(commit.key), commit.request_hash)
        money_format = store.network_settings().money_format
        inputs = _inputs(read, commit.checkout.provider, money_format)
        fresh = _quote(membership, request, inputs, now)
        errors = quote_errors(fresh)
        if not errors and commit.token:
            token_error = quote_token.verify(commit.token, request, fresh, commit.secret)
            errors = [token_error] if token_error else []
        if errors:
            raise _Refused(errors, fresh, membership)
        waiting = tx.pending_change(membership.id)
        if waiting is not None:
            paid = _replace(tx, commit.checkout, membership, waiting, now, actor)
            if paid is not None:  # committed: the paid change applied, this one refused
                return ChangePlanResult(paid, user_errors=[_paid_meanwhile(membership.id)])
        if needs_payment(fresh):
            opened = _open_pending(tx, membership, fresh, inputs.customer, now, actor, commit)
            return replace(opened, catalog=read.catalog)
        outcome = apply_quote(membership, fresh, now)
        saved = tx.save_membership(membership, outcome.membership)
        # Scheduled changes and add-on removals write no payment (issues 8 and 10).
        payment = tx.add_payment(outcome.payment) if writes_payment(fresh) else None
        payment_id = payment.id if payment else None
        payload: dict[str, Any] = {
            **outcome.event_payload,
            "payment_id": payment_id,
            "idempotency_key": commit.key,
        }
        tx.add_event(Event(outcome.event_kind, "membership", saved.id, now, payload, actor))
        # Nothing due, so no payment will sync it later: a gateway subscription follows
        # now (a scheduled change bills from its swap date on, docs/wordpress.md §11.5).
        settlement.sync_subscription(tx, commit.checkout.provider, membership, saved, now, actor)
        _remember(tx, commit, saved.id, payment_id, fresh, now)
    return ChangePlanResult(saved, payment, fresh, catalog=read.catalog)


def _remember(
    tx: Any,
    commit: _Commit,
    membership_id: int,
    payment_id: int | None,
    quote: Quote,
    now: datetime,
) -> None:
    result = idempotency.result_to_json(membership_id, payment_id, quote)
    tx.put_idempotency(
        IdempotencyRecord(commit.key, commit.request_hash, membership_id, result, now)
    )


def _replace(
    tx: Any,
    checkout: Checkout,
    membership: Membership,
    waiting: PendingChange,
    now: datetime,
    actor: str,
) -> Membership | None:
    """Cancel the waiting change's payment at its provider; the membership after it when
    the provider reported it paid (the paid change applied), else None (discarded)."""
    payment = tx.lock_payment(waiting.payment_id)
    if payment is None:
        return None
    settled = settlement.cancel_at_provider(
        tx, checkout.provider, membership, payment, DiscardReason.REPLACED, now, actor
    )
    return settled.membership if settled.effect is Effect.APPLIED else None


def _paid_meanwhile(membership_id: int) -> UserError:
    return UserError(
        ErrorCode.VERSION_CONFLICT,
        f"Membership {membership_id}'s previous change was paid meanwhile and has been "
        "applied; reload and quote again.",
        "membershipId",
    )


def _open_pending(
    tx: Any,
    membership: Membership,
    quote: Quote,
    customer: Customer | None,
    now: datetime,
    actor: str,
    commit: _Commit,
) -> ChangePlanResult:
    """Store the PENDING payment, open it at the provider, and record the pending change.

    The membership does not move: plan, add-ons, amounts, dates and limits stay until the
    payment completes.
    """
    if customer is None:
        raise _Refused(
            [UserError(ErrorCode.NOT_FOUND, "The membership's customer does not exist.", None)]
        )
    outcome = apply_quote(membership, quote, now)
    stored = tx.add_payment(outcome.payment)
    opened = commit.checkout.provider.open(stored, membership, customer, f"planswitch/{commit.key}")
    change = tx.add_pending_change(
        open_pending_change(membership, quote, stored.id, now, commit.checkout.ttl, opened.action)
    )
    # Saved after the change: a WordPress store writes the payment of a pending change as the
    # plugin's checkout would, and this returns it as stored.
    payment = tx.save_payment(
        replace(
            stored,
            gateway=opened.gateway,
            gateway_payment_id=opened.gateway_payment_id or stored.gateway_payment_id,
        )
    )
    payload: dict[str, Any] = {
        **outcome.event_payload,
        "payment_id": payment.id,
        "expires_at": change.expires_at.isoformat(),
        "idempotency_key": commit.key,
    }
    tx.add_event(Event("change_pending", "membership", membership.id, now, payload, actor))
    _remember(tx, commit, membership.id, payment.id, quote, now)
    return ChangePlanResult(membership, payment, quote, [], False, change, opened.action)


def _stored_record(store: Store, key: str) -> IdempotencyRecord | None:
    try:
        with store.transaction() as tx:
            return tx.get_idempotency(key)
    except Exception:  # the store itself is failing: let the original error surface
        log.exception("could not read idempotency key after a failed commit")
        return None


def _replayed_change(store: Store, record: IdempotencyRecord) -> ChangePlanResult:
    """The first result of a key: the committed quote and payment (and its pending change,
    as it is now), the membership as it is now."""
    result = record.result
    membership = store.memberships_by_id([record.membership_id]).get(record.membership_id)
    payment_id = result.get("payment_id")
    payment = store.payments_by_id([payment_id]).get(payment_id) if payment_id else None
    quote = idempotency.quote_from_json(result["quote"]) if result.get("quote") else None
    change = store.pending_changes_by_payment([payment_id]).get(payment_id) if payment_id else None
    action = change.action if change is not None and change.is_pending else None
    return ChangePlanResult(membership, payment, quote, [], True, change, action)


# --- cancel a scheduled change -------------------------------------------------------------


async def cancel_scheduled_change(
    ctx: Context, membership_id: int, idempotency_key: str | None = None
) -> CancelResult:
    """Drop the membership's scheduled change; NO_SCHEDULED_CHANGE when there is none.

    With an idempotency key, a retry returns the membership and changes nothing.
    """
    async with MEMBERSHIP_CHANGES(membership_id):  # see change_plan
        return await asyncio.to_thread(
            _cancel,
            ctx.store,
            ctx.viewer,
            membership_id,
            ctx.clock.now(),
            idempotency_key,
            _provider(ctx),
        )


def _cancel(
    store: Store,
    viewer: Viewer,
    membership_id: int,
    now: datetime,
    idempotency_key: str | None,
    provider: PaymentProvider | None = None,
) -> CancelResult:
    errors = _check_key(idempotency_key, required=False)
    if errors:
        return CancelResult(user_errors=errors)
    key = (
        _scoped_key(viewer, idempotency_key)
        if idempotency_key and idempotency_key.strip()
        else None
    )
    request_hash = idempotency.canonical_hash(
        {"operation": "cancelScheduledChange", "membership_id": membership_id}
    )
    try:
        with store.transaction() as tx:
            membership = tx.lock_membership(membership_id)
            errors = _authorize(viewer, membership, membership_id)
            if errors or membership is None:
                raise _Refused(errors)
            if key:
                _replay_or_raise(tx.get_idempotency(key), request_hash)
            change = membership.scheduled_change
            if change is None:
                raise _Refused(
                    [
                        UserError(
                            ErrorCode.NO_SCHEDULED_CHANGE,
                            "This membership has no scheduled change to cancel.",
                            "membershipId",
                        )
                    ],
                    membership=membership,
                )
            saved = tx.save_membership(membership, cancel_domain(membership))
            tx.add_event(
                Event(
                    "scheduled_change_cancelled",
                    "membership",
                    saved.id,
                    now,
                    {"plan_id": change.plan_id, "effective_at": change.effective_at.isoformat()},
                    _actor(viewer),
                )
            )
            # The subscription was set to bill the scheduled change from its date: back.
            settlement.sync_subscription(tx, provider, membership, saved, now, _actor(viewer))
            if key:
                tx.put_idempotency(
                    IdempotencyRecord(key, request_hash, saved.id, {"membership_id": saved.id}, now)
                )
        return CancelResult(saved)
    except _Refused as refused:
        return CancelResult(refused.membership, refused.errors)
    except _Replay as replay:
        current = store.memberships_by_id([membership_id]).get(membership_id)
        return CancelResult(current, replayed=bool(replay.record))
    except DomainError as error:
        return CancelResult(user_errors=[error.error])
    except Exception:
        record = _stored_record(store, key) if key else None
        if record is None:
            raise
        reused = idempotency.replay_error(record, request_hash)
        current = store.memberships_by_id([membership_id]).get(membership_id)
        return CancelResult(current, [reused] if reused else [], replayed=reused is None)


__all__ = [
    "CancelResult",
    "ChangePlanResult",
    "OptionsResult",
    "PreviewResult",
    "cancel_scheduled_change",
    "change_plan",
    "get_upgrade_options",
    "preview_change",
    "quote_errors",
]
