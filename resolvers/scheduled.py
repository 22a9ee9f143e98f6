"""Apply scheduled changes when they fall due (``planswitch apply-due`` and the server loop).

Safe with several processes at once: each membership is applied in its own transaction on
its locked row, and the change is re-checked after the lock (another process may have
applied or cancelled it meanwhile); the version check in ``save_membership`` catches a
store without row locks.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from planswitch.domain.apply import apply_scheduled_change
from planswitch.domain.errors import DomainError
from planswitch.domain.events import Event
from planswitch.domain.payment_provider import PaymentProvider
from planswitch.domain.ports import Store
from planswitch.resolvers.context import Context
from planswitch.resolvers.settlement import sync_subscription

log = logging.getLogger(__name__)


BATCH_SIZE = 100


async def apply_due_changes(ctx: Context, batch_size: int = BATCH_SIZE) -> list[int]:
    """Apply every scheduled change due now, in batches; return the ids applied.

    Run by the CLI and the server's own loop, each with an operator context. A membership
    renewing through its gateway subscription gets that subscription moved to the new
    recurring amount as the change takes effect (the context's payment provider).
    """
    provider = ctx.checkout.provider if ctx.checkout is not None else None
    return await asyncio.to_thread(
        drain_due_changes, ctx.store, ctx.clock.now(), batch_size, provider
    )


def drain_due_changes(
    store: Store,
    now: datetime,
    batch_size: int = BATCH_SIZE,
    provider: PaymentProvider | None = None,
) -> list[int]:
    """Apply every change due at ``now``, in batches, until none is left (issue 11, defect 8).

    Each change is applied once across processes: its own transaction, on its locked row,
    re-checked after the lock. A change this run could not apply (a conflict, or it no
    longer applies) stays due for the next run and is skipped by the next batches of this
    one, which ask for that many more rows, so a backlog of any size drains and a stuck
    change never loops.
    """
    applied: list[int] = []
    skipped: set[int] = set()
    while True:
        batch = [
            membership_id
            for membership_id in store.due_scheduled_changes(now, batch_size + len(skipped))
            if membership_id not in skipped
        ]
        if not batch:
            return applied
        for membership_id in batch:
            try:
                if _apply_one(store, membership_id, now, provider):
                    applied.append(membership_id)
                else:
                    skipped.add(membership_id)  # gone meanwhile, or nothing to apply
            except DomainError as error:  # a conflict, or the change can no longer apply
                skipped.add(membership_id)
                log.warning(
                    "scheduled change of membership %s skipped: %s",
                    membership_id,
                    error.error.message,
                )


def _apply_one(
    store: Store, membership_id: int, now: datetime, provider: PaymentProvider | None
) -> bool:
    with store.transaction(now) as tx:
        membership = tx.lock_membership(membership_id)
        change = membership.scheduled_change if membership else None
        if membership is None or change is None or change.effective_at > now:
            return False  # applied, cancelled or moved by another process meanwhile
        catalog = {product.id: product for product in tx.list_products()}
        outcome = apply_scheduled_change(membership, catalog, now)
        if outcome is None:
            return False
        saved = tx.save_membership(membership, outcome.membership)
        payload = {
            **outcome.event_payload,
            "plan_id": change.plan_id,
            "effective_at": change.effective_at.isoformat(),
        }
        tx.add_event(Event("scheduled_change_applied", "membership", saved.id, now, payload))
        sync_subscription(tx, provider, membership, saved, now, "system")
    # Logged once committed: every change planswitch applies, what it was and why.
    log.info(
        "applied the scheduled change of membership %s: plan %s, add-ons %s -> plan %s, "
        "add-ons %s, %s %s (why: scheduled for %s, due at %s)",
        membership.id,
        membership.plan_id,
        dict(membership.addons),
        saved.plan_id,
        dict(saved.addons),
        saved.amount,
        saved.currency,
        change.effective_at.isoformat(),
        now.isoformat(),
    )
    return True
