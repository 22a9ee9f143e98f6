"""Pending changes and payment locks in the native store (domain/pending_change.py).

Reads and writes over one open Session, used by ``NativeStore`` and ``NativeTransaction``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, cast

from planswitch.adapters.native import reads
from planswitch.adapters.native.tables import PaymentRow, PendingChangeRow
from planswitch.domain.payment_provider import PaymentAction
from planswitch.domain.payments import Payment
from planswitch.domain.pending_change import PendingChange, PendingStatus
from planswitch.domain.quote_codec import quote_from_json, quote_to_json
from sqlalchemy import CursorResult, insert, select, update
from sqlalchemy.orm import Session
from sqlmodel import col

PENDING = PendingStatus.PENDING.value


def _action_json(action: PaymentAction | None) -> dict[str, Any] | None:
    if action is None:
        return None
    return {
        "provider": action.provider,
        "client_secret": action.client_secret,
        "pay_url": action.pay_url,
    }


def _action(data: dict[str, Any] | None) -> PaymentAction | None:
    if not data:
        return None
    return PaymentAction(data["provider"], data.get("client_secret"), data.get("pay_url"))


def to_pending_change(row: Any) -> PendingChange:
    return PendingChange(
        id=row.id,
        membership_id=row.membership_id,
        payment_id=row.payment_id,
        quote=quote_from_json(row.quote or {}),
        membership_version=row.membership_version,
        created_at=row.created_at,
        expires_at=row.expires_at,
        status=PendingStatus(row.status),
        action=_action(row.action),
        resolved_at=row.resolved_at,
        reason=row.reason,
    )


def _columns(change: PendingChange) -> dict[str, Any]:
    return {
        "membership_id": change.membership_id,
        "payment_id": change.payment_id,
        "status": change.status.value,
        "quote": quote_to_json(change.quote),
        "membership_version": change.membership_version,
        "action": _action_json(change.action),
        "created_at": change.created_at,
        "expires_at": change.expires_at,
        "resolved_at": change.resolved_at,
        "reason": change.reason,
    }


# --- reads -------------------------------------------------------------------------------


def _changes(session: Session, query: Any) -> list[PendingChange]:
    return [to_pending_change(row) for row in session.scalars(query)]


def by_membership(session: Session, membership_ids: Sequence[int]) -> dict[int, PendingChange]:
    """The change still waiting, per membership."""
    wanted = sorted(set(membership_ids))
    if not wanted:
        return {}
    query = select(PendingChangeRow).where(
        col(PendingChangeRow.membership_id).in_(wanted), col(PendingChangeRow.status) == PENDING
    )
    return {c.membership_id: c for c in _changes(session, query)}


def by_payment(session: Session, payment_ids: Sequence[int]) -> dict[int, PendingChange]:
    wanted = sorted(set(payment_ids))
    if not wanted:
        return {}
    query = select(PendingChangeRow).where(col(PendingChangeRow.payment_id).in_(wanted))
    return {c.payment_id: c for c in _changes(session, query)}


def overdue_payments(session: Session, now: datetime, limit: int) -> list[int]:
    query = (
        select(col(PendingChangeRow.payment_id))
        .where(col(PendingChangeRow.status) == PENDING, col(PendingChangeRow.expires_at) <= now)
        .order_by(col(PendingChangeRow.expires_at), col(PendingChangeRow.payment_id))
        .limit(limit)
    )
    return list(session.scalars(query))


def waiting_payments(session: Session, limit: int) -> list[int]:
    query = (
        select(col(PendingChangeRow.payment_id))
        .where(col(PendingChangeRow.status) == PENDING)
        .order_by(col(PendingChangeRow.payment_id))
        .limit(limit)
    )
    return list(session.scalars(query))


def payments_by_customer(session: Session, customer_ids: Sequence[int]) -> dict[int, list[Payment]]:
    wanted = sorted(set(customer_ids))
    result: dict[int, list[Payment]] = {cid: [] for cid in wanted}
    if not wanted:
        return result
    ids = [
        payment_id
        for payment_id in session.scalars(
            select(col(PaymentRow.id))
            .where(col(PaymentRow.customer_id).in_(wanted))
            .order_by(col(PaymentRow.id))
        )
        if payment_id is not None
    ]
    found = reads.payments_by_id(session, ids)
    for payment_id in ids:
        payment = found[payment_id]
        result[payment.customer_id].append(payment)
    return result


# --- writes (inside a transaction) -------------------------------------------------------


def lock_payment(session: Session, payment_id: int) -> Payment | None:
    """SELECT ... FOR UPDATE on the payment row, then the payment with its lines."""
    locked = session.scalars(
        select(col(PaymentRow.id)).where(col(PaymentRow.id) == payment_id).with_for_update()
    ).first()
    if locked is None:
        return None
    return reads.payments_by_id(session, [payment_id]).get(payment_id)


def save_payment(session: Session, payment: Payment) -> Payment:
    session.execute(
        update(PaymentRow)
        .where(col(PaymentRow.id) == payment.id)
        .values(
            status=payment.status.value,
            gateway=payment.gateway,
            gateway_payment_id=payment.gateway_payment_id,
            date_modified=payment.date_modified,
        )
        .execution_options(synchronize_session=False)
    )
    return payment  # exactly what was written: no read back (the commit path is counted)


def add(session: Session, change: PendingChange) -> PendingChange:
    result = cast(
        CursorResult[Any], session.execute(insert(PendingChangeRow).values(**_columns(change)))
    )
    key = result.inserted_primary_key
    return replace(change, id=int(key[0]) if key else 0)


def save(session: Session, change: PendingChange) -> PendingChange:
    columns = _columns(change)
    session.execute(
        update(PendingChangeRow)
        .where(col(PendingChangeRow.payment_id) == change.payment_id)
        .values(
            status=columns["status"],
            action=columns["action"],
            resolved_at=columns["resolved_at"],
            reason=columns["reason"],
        )
        .execution_options(synchronize_session=False)
    )
    return by_payment(session, [change.payment_id])[change.payment_id]
