"""Session revocations in the native store: an append-only ``events`` row per revocation.

A customer's session generation is the number of ``customer_sessions_revoked`` events
recorded for them, so revoking is an audited event like every other change and needs no
table of its own.
"""

from __future__ import annotations

from datetime import datetime

from planswitch.adapters.native.store import NativeStore
from planswitch.adapters.native.tables import EventRow
from planswitch.domain.events import Event
from sqlalchemy import func, select
from sqlalchemy.orm import Session

REVOKED = "customer_sessions_revoked"


class NativeSessionLedger:
    def __init__(self, store: NativeStore) -> None:
        self.store = store

    def generation(self, customer_id: int) -> int:
        query = select(func.count()).where(
            EventRow.object_id == customer_id,
            EventRow.object_type == "customer",
            EventRow.kind == REVOKED,
        )
        with Session(self.store.engine) as session:
            return int(session.scalar(query) or 0)

    def revoke(self, customer_id: int, now: datetime, actor: str) -> int:
        with self.store.transaction() as tx:
            tx.add_event(Event(REVOKED, "customer", customer_id, now, {}, actor))
        return self.generation(customer_id)
