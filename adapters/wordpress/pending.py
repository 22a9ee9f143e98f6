"""Pending changes on a WordPress network (domain/pending_change.py), minimal and our own.

The plugin has no place for "a quote waiting for its payment", so the pending change lives
in planswitch's own table ``{bp}planswitch_pending_changes`` (beside
``{bp}planswitch_idempotency``), keyed by the ``wu_payments`` row it waits for. The payment
itself is a ``wu_payments`` row written as the plugin's checkout writes one
(``checkout_payment.py``, docs/wordpress.md §5.6).

Reads work before the table exists (a read-only network never had a pending change):
they then return nothing. They never alter it either: on a table an older planswitch
created, they read the columns it has (a missing one reads as not recorded) until a
writer migrates it (``own_schema.py``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from planswitch.adapters.wordpress import encoders
from planswitch.adapters.wordpress.tables import WordPressTables
from planswitch.domain.gateway_renewal import RenewalBaseline
from planswitch.domain.payment_provider import PaymentAction
from planswitch.domain.pending_change import PendingChange, PendingStatus
from planswitch.domain.quote_codec import quote_from_json, quote_to_json
from sqlalchemy import Connection, Engine, inspect, select, update

PENDING = PendingStatus.PENDING.value
_complete: set[tuple[str, str]] = set()  # (engine url, table) known to have every column


def columns(engine: Engine, tables: WordPressTables) -> frozenset[str] | None:
    """The columns planswitch's pending-change table has, ``None`` when it does not exist.

    Cached once every column is there; an older table is looked at again on each read, so a
    migration made by another process is seen at once.
    """
    table = tables.pending_changes
    everything = frozenset(table.c.keys())
    key = (str(engine.url), table.name)
    if key in _complete:
        return everything
    inspector = inspect(engine)
    if not inspector.has_table(table.name):
        return None
    present = frozenset(c["name"] for c in inspector.get_columns(table.name)) & everything
    if present == everything:
        _complete.add(key)
    return present


def table_exists(engine: Engine, tables: WordPressTables) -> bool:
    """Whether planswitch's pending-change table was created."""
    return columns(engine, tables) is not None


def _select(tables: WordPressTables, present: frozenset[str] | None) -> Any:
    t = tables.pending_changes
    if present is None:
        return select(t)
    return select(*(c for c in t.c if c.name in present))


def _when(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC)
    return datetime.strptime(str(value), encoders.MYSQL_DATETIME).replace(tzinfo=UTC)


def _text(moment: datetime | None) -> str | None:
    return encoders.mysql_datetime(moment) if moment is not None else None


def _change(row: Any) -> PendingChange:
    action = json.loads(row["action"]) if row["action"] else None
    return PendingChange(
        membership_id=int(row["membership_id"]),
        payment_id=int(row["payment_id"]),
        quote=quote_from_json(json.loads(row["quote"])),
        membership_version=row["membership_version"],
        created_at=_when(row["created_at"]),  # type: ignore[arg-type]
        expires_at=_when(row["expires_at"]),  # type: ignore[arg-type]
        status=PendingStatus(row["status"]),
        action=PaymentAction(**action) if action else None,
        resolved_at=_when(row["resolved_at"]),
        reason=row["reason"] or "",
        id=int(row["payment_id"]),
        membership_fingerprint=row.get("membership_fingerprint") or "",
        renewal_baseline=_baseline(row.get("renewal_baseline")),
    )


def _baseline(stored: str | None) -> RenewalBaseline | None:
    return RenewalBaseline(**json.loads(stored)) if stored else None


def _baseline_json(baseline: RenewalBaseline | None) -> str | None:
    return json.dumps(asdict(baseline), sort_keys=True) if baseline is not None else None


def _action(action: PaymentAction | None) -> str | None:
    if action is None:
        return None
    return json.dumps(
        {
            "provider": action.provider,
            "client_secret": action.client_secret,
            "pay_url": action.pay_url,
        }
    )


def _changes(conn: Connection, query: Any) -> list[PendingChange]:
    return [_change(row) for row in conn.execute(query).mappings()]


def by_membership(
    conn: Connection,
    tables: WordPressTables,
    membership_ids: Sequence[int],
    present: frozenset[str] | None = None,
) -> dict[int, PendingChange]:
    """``present``: the columns to read (``columns()``); every one when ``None``."""
    t = tables.pending_changes
    wanted = sorted({int(i) for i in membership_ids})
    if not wanted:
        return {}
    query = _select(tables, present).where(t.c.membership_id.in_(wanted), t.c.status == PENDING)
    return {c.membership_id: c for c in _changes(conn, query)}


def by_payment(
    conn: Connection,
    tables: WordPressTables,
    payment_ids: Sequence[int],
    present: frozenset[str] | None = None,
) -> dict[int, PendingChange]:
    t = tables.pending_changes
    wanted = sorted({int(i) for i in payment_ids})
    if not wanted:
        return {}
    query = _select(tables, present).where(t.c.payment_id.in_(wanted))
    return {c.payment_id: c for c in _changes(conn, query)}


def overdue_payments(
    conn: Connection, tables: WordPressTables, now: datetime, limit: int
) -> list[int]:
    t = tables.pending_changes
    query = (
        select(t.c.payment_id)
        .where(t.c.status == PENDING, t.c.expires_at <= _text(now))
        .order_by(t.c.expires_at, t.c.payment_id)
        .limit(limit)
    )
    return [int(row[0]) for row in conn.execute(query)]


def waiting_payments(conn: Connection, tables: WordPressTables, limit: int) -> list[int]:
    t = tables.pending_changes
    query = select(t.c.payment_id).where(t.c.status == PENDING).order_by(t.c.payment_id)
    return [int(row[0]) for row in conn.execute(query.limit(limit))]


def add(conn: Connection, tables: WordPressTables, change: PendingChange) -> PendingChange:
    conn.execute(
        tables.pending_changes.insert().values(
            payment_id=change.payment_id,
            membership_id=change.membership_id,
            status=change.status.value,
            quote=json.dumps(quote_to_json(change.quote), sort_keys=True),
            membership_version=change.membership_version,
            membership_fingerprint=change.membership_fingerprint,
            renewal_baseline=_baseline_json(change.renewal_baseline),
            action=_action(change.action),
            created_at=_text(change.created_at),
            expires_at=_text(change.expires_at),
            resolved_at=_text(change.resolved_at),
            reason=change.reason,
        )
    )
    return by_payment(conn, tables, [change.payment_id])[change.payment_id]


def save(conn: Connection, tables: WordPressTables, change: PendingChange) -> PendingChange:
    t = tables.pending_changes
    conn.execute(
        update(t)
        .where(t.c.payment_id == change.payment_id)
        .values(
            status=change.status.value,
            action=_action(change.action),
            resolved_at=_text(change.resolved_at),
            reason=change.reason,
        )
    )
    return by_payment(conn, tables, [change.payment_id])[change.payment_id]
