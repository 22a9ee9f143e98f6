"""``WordPressTransaction``: one change written to the plugin's tables as the plugin writes it.

Built by ``WordPressStore.transaction()`` and used as a context manager: entering opens a
connection and a database transaction; leaving commits, an exception rolls everything back.

What a change writes (docs/plan-changes.md §4; docs/wordpress.md §5.3, §7;
tests/fixtures/wordpress/README.md):

* ``wu_memberships``: plan, ``addon_products`` (``a:N:{i:id;i:qty;}``), amounts (4 places),
  period, dates, and ``date_modified`` guarded by the version read (optimistic lock on top
  of the row lock taken by :meth:`lock_membership`).
* A scheduled change: membershipmeta ``wu_swap_order`` (a serialized Cart) then
  ``wu_swap_scheduled_date``; the pending ``wu_async_membership_swap`` action is canceled and
  a new one created (with its ``action created`` log row), as ``Membership::schedule_swap()``
  does. Clearing it deletes both meta rows and cancels the action.
* ``wu_payments`` + paymentmeta ``wu_line_items``; ``wu_events`` (slashed payload): the
  ``created`` / ``changed`` rows the plugin's ``log_transitions`` writes for each membership
  and payment save (docs/wordpress.md §11.3).

Decisions:

* ``date_modified`` is UTC to the second. A save always moves it forward: when the clock
  shows the same second (or an earlier one) as the stored value, the stored value plus one
  second is written, so every save changes the version and a stale writer always conflicts.
* A membership without expiration (lifetime, free) gets the zero date
  ``0000-00-00 00:00:00`` in ``date_expiration``, the form the plugin leaves (membership 6 of
  the fixture). The session's ``sql_mode`` drops ``NO_ZERO_DATE``/``NO_ZERO_IN_DATE`` for
  this (and for Action Scheduler's ``last_attempt_*`` defaults) and keeps
  ``STRICT_TRANS_TABLES``; the previous mode is restored when the transaction ends.
* ``date_renewed`` is written in the main site's time zone, as ``renew()`` stamps it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import TracebackType
from typing import Any

from planswitch.adapters.wordpress import (
    checkout_payment,
    encoders,
    own_schema,
    pending,
    phpserial,
    reads,
)
from planswitch.adapters.wordpress import usage as usage_queries
from planswitch.adapters.wordpress.mappers import (
    DATE_FORMAT,
    SWAP_DATE,
    SWAP_ORDER,
    ZERO_DATE,
    flag,
)
from planswitch.adapters.wordpress.reads import ALL_PRODUCTS, RowReader
from planswitch.domain.customers import Customer
from planswitch.domain.discounts import DiscountCode
from planswitch.domain.errors import VersionConflict
from planswitch.domain.events import Event
from planswitch.domain.memberships import Membership, ScheduledChange
from planswitch.domain.payments import Payment, PaymentStatus
from planswitch.domain.pending_change import PendingChange
from planswitch.domain.ports import Catalog, ChangeInputs, IdempotencyRecord, ProductFilter
from planswitch.domain.products import Product
from planswitch.domain.usage import Usage
from sqlalchemy import CursorResult, and_, delete, func, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine

SWAP_HOOK = "wu_async_membership_swap"
SWAP_GROUP = "membership"
LINE_ITEMS = "wu_line_items"
EVENT_SEVERITY_INFO = 3
_NO_ZERO_DATE_MODES = {"NO_ZERO_DATE", "NO_ZERO_IN_DATE"}
_own_tables_ready: set[tuple[str, str]] = set()


def _money4(value: Decimal) -> Decimal:
    """An amount for a ``decimal(13,4)`` column."""
    return Decimal(value).quantize(Decimal("0.0001"))


class WordPressTransaction:
    """The ``ChangeTransaction`` of a :class:`WordPressStore` (see the module docstring).

    Args:
        engine: the network database.
        reader: the store's queries and row mapping; they run on this transaction's
            connection, so reads see the writes made so far.
        now: the one instant of this change (aware): ``date_modified``, log and payment
            dates all carry it.
    """

    def __init__(
        self,
        engine: Engine,
        reader: RowReader,
        now: datetime,
        products_saved: Callable[[], None] | None = None,
    ) -> None:
        if now.tzinfo is None:
            raise ValueError("naive datetime: a transaction's now must be aware")
        self.engine = engine
        self.reader = reader
        self.mapper = reader.mapper
        self.tables = reader.tables
        self.names = reader.tables.names
        self.now = now.astimezone(UTC).replace(microsecond=0)
        self._conn: Connection | None = None
        self._outer: Any = None
        self._saved_sql_mode: str | None = None
        # The plugin's log_transitions rows this change owes, by (model, id), in save order:
        # (slug, payload). Written by the next add_event, or at commit (_write_logs).
        self._transitions: dict[tuple[str, int], tuple[str, dict[str, Any]]] = {}
        # Called after a commit that saved a product (the store's catalog cache drops it).
        self._products_saved = products_saved
        self._saved_products = False

    # ------------------------------------------------------------------ context manager
    def __enter__(self) -> WordPressTransaction:
        self._ensure_own_tables()
        conn = self.engine.connect()
        try:
            self._relax_zero_dates(conn)
            self._outer = conn.begin()
        except Exception:
            conn.close()
            raise
        self._conn = conn
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn = self._conn
        if conn is None:
            return
        try:
            if exc_type is None:
                self._write_logs("system", 0, self.now)  # saves no event followed
                self._outer.commit()
                if self._saved_products and self._products_saved is not None:
                    self._products_saved()
            else:
                self._outer.rollback()
        finally:
            try:
                if self._saved_sql_mode is not None:
                    conn.exec_driver_sql("SET SESSION sql_mode = %s", (self._saved_sql_mode,))
                    conn.commit()
            finally:
                conn.close()
                self._conn = None

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("WordPressTransaction used outside its `with` block")
        return self._conn

    def _relax_zero_dates(self, conn: Connection) -> None:
        """Allow the zero date in this session (as the fixture load does), keep strict mode."""
        mode = str(conn.exec_driver_sql("SELECT @@SESSION.sql_mode").scalar() or "")
        parts = [p for p in mode.split(",") if p and p not in _NO_ZERO_DATE_MODES]
        if "STRICT_TRANS_TABLES" not in parts:
            parts.append("STRICT_TRANS_TABLES")
        relaxed = ",".join(parts)
        if relaxed != mode:
            conn.exec_driver_sql("SET SESSION sql_mode = %s", (relaxed,))
            self._saved_sql_mode = mode
        conn.commit()  # end the implicit transaction the SELECT opened

    def _ensure_own_tables(self) -> None:
        # DDL commits implicitly in MySQL, so it runs once per process, before any write.
        key = (str(self.engine.url), self.names.idempotency)
        if key not in _own_tables_ready:
            own_schema.upgrade(self.engine, self.tables)
            _own_tables_ready.add(key)

    def _local(self, moment: datetime) -> str:
        return moment.astimezone(self.mapper.site_time.tz).strftime(DATE_FORMAT)

    # ----------------------------------------------------------------------------- reads
    def lock_membership(self, membership_id: int) -> Membership | None:
        """The membership, its row locked (``SELECT … FOR UPDATE``) until commit."""
        found = self.reader.memberships_by_id(self.conn, [int(membership_id)], lock=True)
        return found.get(int(membership_id))

    def change_inputs(self, membership_id: int, discount_code: str | None = None) -> ChangeInputs:
        """The membership locked, with what a quote reads, on this transaction's connection."""
        membership = self.lock_membership(membership_id)
        catalog = Catalog(tuple(self.list_products()))
        if membership is None:
            return ChangeInputs(None, catalog)
        code = (discount_code or "").strip()
        return ChangeInputs(
            membership,
            catalog,
            self.customers_by_id([membership.customer_id]).get(membership.customer_id),
            self.usage(membership_id),
            self.discount_code(code) if code else None,
        )

    def products_by_id(self, ids: Sequence[int]) -> dict[int, Product]:
        return self.reader.products_by_id(self.conn, ids)

    def list_products(self, where: ProductFilter = ALL_PRODUCTS) -> list[Product]:
        return self.reader.products(self.conn, self.reader.products_query(where))

    def customers_by_id(self, ids: Sequence[int]) -> dict[int, Customer]:
        return self.reader.customers_by_id(self.conn, ids)

    def discount_code(self, code: str) -> DiscountCode | None:
        return self.reader.discount_code(self.conn, code)

    def usage(self, membership_id: int) -> Usage:
        return usage_queries.membership_usage(self.conn, self.tables, int(membership_id), True)

    # ------------------------------------------------------------ pending changes (ours)
    def lock_payment(self, payment_id: int) -> Payment | None:
        """The ``wu_payments`` row locked (``SELECT … FOR UPDATE``) until commit."""
        p = self.tables.payments
        query = select(p).where(p.c.id == int(payment_id)).with_for_update()
        found = self.reader.payments(self.conn, query)
        return found[0] if found else None

    def save_payment(self, payment: Payment) -> Payment:
        """Update the payment's status and gateway fields, and owe the plugin's ``changed``
        event for what moved (``Payment::save()`` → ``log_transitions``, docs/wordpress.md
        §11.3)."""
        p = self.tables.payments
        modified = payment.date_modified or self.now
        values = {
            "status": payment.status.value,
            "gateway": payment.gateway or "",
            "gateway_payment_id": payment.gateway_payment_id or "",
        }
        stored = (
            self.conn.execute(select(*(p.c[k] for k in values)).where(p.c.id == payment.id))
            .mappings()
            .first()
        )
        self.conn.execute(
            update(p)
            .where(p.c.id == payment.id)
            .values(**values, date_modified=encoders.mysql_datetime(modified))
        )
        if stored is not None:
            old = {key: stored[key] or "" for key in values}
            self._record_transitions(payment.id, old, values, model="payment")
        checkout_payment.record_intent(self, payment)
        return self.reader.payments(self.conn, select(p).where(p.c.id == payment.id))[0]

    def payments_completed_since(self, membership_id: int, since: datetime) -> list[Payment]:
        """The membership's ``completed`` payments created or modified at or after ``since``."""
        p, at = self.tables.payments, encoders.mysql_datetime(since)
        query = (
            select(p)
            .where(
                p.c.membership_id == int(membership_id),
                p.c.status == PaymentStatus.COMPLETED.value,
                or_(p.c.date_created >= at, p.c.date_modified >= at),
            )
            .order_by(p.c.id)
        )
        return self.reader.payments(self.conn, query)

    def pending_change(self, membership_id: int) -> PendingChange | None:
        found = pending.by_membership(self.conn, self.tables, [membership_id])
        return found.get(int(membership_id))

    def pending_change_by_payment(self, payment_id: int) -> PendingChange | None:
        return pending.by_payment(self.conn, self.tables, [payment_id]).get(int(payment_id))

    def add_pending_change(self, change: PendingChange) -> PendingChange:
        """Record the change, and make its payment the one the plugin's checkout would
        have written for it (``adapters/wordpress/checkout_payment.py``)."""
        added = pending.add(self.conn, self.tables, change)
        checkout_payment.write(self, change)
        return added

    def save_pending_change(self, change: PendingChange) -> PendingChange:
        return pending.save(self.conn, self.tables, change)

    # ----------------------------------------------------------------------- idempotency
    def get_idempotency(self, key: str) -> IdempotencyRecord | None:
        t = self.tables.idempotency
        row = self.conn.execute(select(t).where(t.c.key == key)).mappings().first()
        if row is None:
            return None
        created = row["created_at"]
        return IdempotencyRecord(
            key=row["key"],
            request_hash=row["request_hash"],
            membership_id=int(row["membership_id"]),
            result=json.loads(row["result"]),
            created_at=created.replace(tzinfo=UTC) if isinstance(created, datetime) else None,
        )

    def put_idempotency(self, record: IdempotencyRecord) -> None:
        """Insert the record; the primary key makes a concurrent duplicate raise."""
        created = record.created_at or self.now
        self.conn.execute(
            insert(self.tables.idempotency).values(
                key=record.key,
                request_hash=record.request_hash,
                membership_id=int(record.membership_id),
                result=json.dumps(dict(record.result), sort_keys=True, default=str),
                created_at=created.astimezone(UTC).strftime(DATE_FORMAT),
            )
        )

    # ------------------------------------------------------------------------ membership
    def _next_modified(self, before_version: str) -> datetime:
        """``now``, or one second past the stored ``date_modified`` when ``now`` is not past it."""
        now = self.now
        try:
            stored = datetime.strptime(before_version, DATE_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            return now
        return now if now > stored else stored + timedelta(seconds=1)

    def _date(self, moment: datetime | None, *, empty: str | None) -> str | None:
        return encoders.mysql_datetime(moment) if moment is not None else empty

    def _membership_values(self, m: Membership) -> dict[str, Any]:
        return {
            "plan_id": int(m.plan_id),
            "addon_products": encoders.encode_addon_products(m.addons),
            "amount": _money4(m.amount),
            "initial_amount": _money4(m.initial_amount),
            "recurring": 1 if m.recurring else 0,
            "duration": int(m.period.duration),
            "duration_unit": m.period.unit.value,
            "status": m.status.value,
            "date_renewed": self._local(m.date_renewed) if m.date_renewed else None,
            "date_expiration": self._date(m.date_expiration, empty=ZERO_DATE),
        }

    def save_membership(self, before: Membership, after: Membership) -> Membership:
        """Write ``after`` if the row still has ``before.version``; else ``VersionConflict``."""
        m = self.tables.memberships
        modified = self._next_modified(before.version)
        old_values, values = self._membership_values(before), self._membership_values(after)
        # Gateway fields and the billing count are written only when a change moved them (a
        # change paid through a gateway, docs/wordpress.md §11.5): an untouched NULL stays.
        for key in _GATEWAY_FIELDS:
            if getattr(before, key) != getattr(after, key):
                old_values[key], values[key] = getattr(before, key), getattr(after, key)
        version_match = (
            m.c.date_modified.is_(None)
            if before.version == ""
            else m.c.date_modified == before.version
        )
        result = self.conn.execute(
            update(m)
            .where(m.c.id == after.id, version_match)
            .values(**values, date_modified=modified.strftime(DATE_FORMAT))
        )
        if result.rowcount != 1:
            raise VersionConflict(after.id)
        self._record_transitions(after.id, old_values, values)
        if not _same_schedule(before.scheduled_change, after.scheduled_change):
            if after.scheduled_change is not None:
                self._schedule_swap(after, after.scheduled_change)
            else:
                self._clear_swap(after.id)
        fresh = self.lock_membership(after.id)
        if fresh is None:  # pragma: no cover - the row was just updated under our lock
            raise VersionConflict(after.id)
        return fresh

    def _record_transitions(
        self,
        membership_id: int,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        model: str = "membership",
    ) -> None:
        """Remember the changed fields as the plugin's ``log_transitions`` sees them."""
        slug, changed = self._transitions.setdefault((model, membership_id), ("changed", {}))
        if slug == "created":  # saved again in the change that created it: one row
            return
        for key, value in new.items():
            if old.get(key) == value:
                continue
            first_old = changed.get(key, {}).get("old_value", old.get(key))
            changed[key] = encoders.transition(
                _model_value(key, first_old), _model_value(key, value)
            )

    # ------------------------------------------------------------------ scheduled swaps
    def _set_meta(self, membership_id: int, key: str, value: str) -> None:
        """``update_metadata``: update the key's rows in place, or add one row."""
        meta = self.tables.membershipmeta
        owner = meta.c.wu_membership_id
        result = self.conn.execute(
            update(meta)
            .where(owner == membership_id, meta.c.meta_key == key)
            .values(meta_value=value)
        )
        if result.rowcount == 0:
            exists = self.conn.execute(
                select(func.count())
                .select_from(meta)
                .where(owner == membership_id, meta.c.meta_key == key)
            ).scalar_one()
            if not exists:  # (rowcount is 0 too when the value was already the same)
                self.conn.execute(
                    insert(meta).values(
                        wu_membership_id=membership_id, meta_key=key, meta_value=value
                    )
                )

    def _schedule_swap(self, membership: Membership, change: ScheduledChange) -> None:
        """``Membership::schedule_swap()``: two meta rows, then the Action Scheduler job."""
        ids = [change.plan_id, *change.addons]
        products = self.products_by_id(ids)
        missing = [i for i in ids if i not in products]
        if missing:
            raise ValueError(f"scheduled change names unknown products {missing}")
        facts = self.product_facts(products)
        cart = encoders.swap_cart(
            membership_id=membership.id,
            change=change,
            lines=encoders.swap_line_items(change, products),
            products=facts,
            currency=membership.currency,
            plan_billing_cycles=products[change.plan_id].billing_cycles,
            address=self.cart_address(membership.customer_id),
        )
        self._set_meta(membership.id, SWAP_ORDER, encoders.encode_swap_order(cart))
        self._set_meta(membership.id, SWAP_DATE, encoders.mysql_datetime(change.effective_at))
        self._cancel_swap_actions(membership.id)
        self._create_swap_action(membership.id, change.effective_at)

    def _clear_swap(self, membership_id: int) -> None:
        meta = self.tables.membershipmeta
        self.conn.execute(
            delete(meta).where(
                meta.c.wu_membership_id == membership_id,
                meta.c.meta_key.in_((SWAP_ORDER, SWAP_DATE)),
            )
        )
        self._cancel_swap_actions(membership_id)

    def _group_id(self) -> int:
        groups = self.tables.as_groups
        found = self.conn.execute(
            select(groups.c.group_id)
            .where(groups.c.slug == SWAP_GROUP)
            .order_by(groups.c.group_id)
            .limit(1)
        ).scalar()
        if found is not None:
            return int(found)
        result = self.conn.execute(insert(groups).values(slug=SWAP_GROUP))
        return _inserted_id(result)

    def _log(self, action_id: int, message: str, moment: datetime) -> None:
        self.conn.execute(
            insert(self.tables.as_logs).values(
                action_id=action_id,
                message=message,
                log_date_gmt=moment.strftime(DATE_FORMAT),
                log_date_local=self._local(moment),
            )
        )

    def _cancel_swap_actions(self, membership_id: int) -> None:
        """Cancel every pending swap action of the membership (``as_unschedule_action``)."""
        actions, groups = self.tables.as_actions, self.tables.as_groups
        pending = [
            int(action_id)
            for (action_id,) in self.conn.execute(
                select(actions.c.action_id)
                .select_from(actions.join(groups, groups.c.group_id == actions.c.group_id))
                .where(
                    actions.c.hook == SWAP_HOOK,
                    actions.c.status == "pending",
                    actions.c.args == encoders.action_args(membership_id),
                    groups.c.slug == SWAP_GROUP,
                )
                .order_by(actions.c.action_id)
                .with_for_update()
            )
        ]
        if not pending:
            return
        self.conn.execute(
            update(actions).where(actions.c.action_id.in_(pending)).values(status="canceled")
        )
        now = self.now
        for action_id in pending:
            self._log(action_id, "action canceled", now)

    def _create_swap_action(self, membership_id: int, when: datetime) -> int:
        """``as_schedule_single_action()`` as ActionScheduler_DBStore saves it, plus its log."""
        when = when.astimezone(UTC)
        result = self.conn.execute(
            insert(self.tables.as_actions).values(
                hook=SWAP_HOOK,
                status="pending",
                scheduled_date_gmt=when.strftime(DATE_FORMAT),
                scheduled_date_local=self._local(when),
                priority=10,
                args=encoders.action_args(membership_id),
                schedule=encoders.encode_simple_schedule(when),
                group_id=self._group_id(),
                attempts=0,
                last_attempt_gmt=ZERO_DATE,
                last_attempt_local=ZERO_DATE,
                claim_id=0,
                extended_args=None,
            )
        )
        action_id = _inserted_id(result)
        self._log(action_id, "action created", self.now)
        return action_id

    def product_facts(self, products: Mapping[int, Product]) -> dict[int, encoders.ProductFacts]:
        """What line items copy from their products, with the ``taxable``/``tax_category`` meta."""
        meta = reads.meta(
            self.conn,
            self.tables.productmeta,
            "wu_product_id",
            list(products),
            keys=("taxable", "tax_category"),
        )
        facts = {}
        for product_id, product in products.items():
            own = meta.get(product_id, {})
            taxable = flag(own["taxable"]) if "taxable" in own else True
            facts[product_id] = encoders.ProductFacts.of(
                product, taxable=taxable, tax_category=str(own.get("tax_category") or "default")
            )
        return facts

    def cart_address(self, customer_id: int) -> encoders.CartAddress:
        """Country/state/city of the customer's ``wu_billing_address`` (the cart copies them)."""
        meta = reads.meta(
            self.conn,
            self.tables.customermeta,
            "wu_customer_id",
            [customer_id],
            keys=("wu_billing_address",),
        ).get(customer_id, {})
        try:
            address = phpserial.maybe_loads(meta.get("wu_billing_address") or "")
            fields = phpserial.props(address).get("attributes") or {}
        except (phpserial.PhpSerialError, TypeError):
            return encoders.CartAddress()
        if not isinstance(fields, Mapping):
            return encoders.CartAddress()
        return encoders.CartAddress(
            fields.get("billing_country") or None,
            fields.get("billing_state") or None,
            fields.get("billing_city") or None,
        )

    # -------------------------------------------------------------------------- payments
    def add_payment(self, payment: Payment) -> Payment:
        """A ``wu_payments`` row plus its ``wu_line_items`` meta; returns it with its id."""
        now = self.now
        created = payment.date_created or now
        modified = payment.date_modified or created
        result = self.conn.execute(
            insert(self.tables.payments).values(
                status=payment.status.value,
                customer_id=payment.customer_id,
                membership_id=payment.membership_id,
                parent_id=0,
                product_id=0,
                migrated_from_id=0,
                discount_code=payment.discount_code or "",
                currency=payment.currency,
                subtotal=_money4(payment.subtotal),
                refund_total=_money4(payment.refund_total),
                tax_total=_money4(payment.tax_total),
                discount_total=_money4(payment.discount_total),
                total=_money4(payment.total),
                gateway=payment.gateway or "",
                gateway_payment_id=payment.gateway_payment_id or "",
                date_created=encoders.mysql_datetime(created),
                date_modified=encoders.mysql_datetime(modified),
            )
        )
        payment_id = _inserted_id(result)
        # The plugin logs a new row as "created", empty payload (class-event-manager.php:172-180).
        self._transitions[("payment", payment_id)] = ("created", {})
        product_ids = {li.product_id for li in payment.line_items if li.product_id is not None}
        facts = self.product_facts(self.products_by_id(sorted(product_ids)))
        code = self.discount_code(payment.discount_code) if payment.discount_code else None
        discount = encoders.DiscountFacts.of(code) if code is not None else None
        self.conn.execute(
            insert(self.tables.paymentmeta).values(
                wu_payment_id=payment_id,
                meta_key=LINE_ITEMS,
                meta_value=encoders.encode_line_items(payment.line_items, facts, discount),
            )
        )
        return self.reader.payments_by_id(self.conn, [payment_id]).get(payment_id, payment)

    # ---------------------------------------------------------------------------- events
    def add_event(self, event: Event) -> Event:
        """The change's event, split the way the plugin and planswitch each keep theirs.

        * ``wu_events``: what the plugin's ``log_transitions`` writes on each model save of
          the change (``inc/managers/class-event-manager.php:104-187``): slug ``changed``
          with the model's changed properties ``{field: {old_value, new_value}}`` (serialized
          and slashed) and nothing when nothing changed, or ``created`` with an empty payload
          for a new row; ``initiator`` ``manual`` with the acting WordPress user, else
          ``system`` with author 0 (``:181-184``, ``inc/functions/event.php:135-160``). The
          rows owed by this change's saves so far (memberships and payments) are written
          here, with this event's actor.
        * ``planswitch_events``: planswitch's own data (the event's kind and payload: quote
          figures, idempotency key, payment id), linked to the plugin's row of the same
          object, if any.

        Returns the event with the id of planswitch's own row.
        """
        initiator, author_id = self._initiator(event.actor)
        written = self._write_logs(initiator, author_id, event.date_created)
        wu_event_id = written.get((event.object_type, int(event.object_id)))
        own = self.conn.execute(
            insert(self.tables.own_events).values(
                wu_event_id=wu_event_id,
                kind=event.kind,
                object_type=event.object_type,
                object_id=int(event.object_id),
                actor=event.actor,
                payload=json.dumps(dict(event.payload), sort_keys=True, default=str),
                date_created=encoders.mysql_datetime(event.date_created),
            )
        )
        return Event(
            kind=event.kind,
            object_type=event.object_type,
            object_id=event.object_id,
            date_created=event.date_created,
            payload=event.payload,
            actor=event.actor,
            id=_inserted_id(own),
        )

    def _write_logs(
        self, initiator: str, author_id: int, when: datetime
    ) -> dict[tuple[str, int], int]:
        """Write the ``wu_events`` rows owed so far; returns their ids by (model, id)."""
        written: dict[tuple[str, int], int] = {}
        owed, self._transitions = self._transitions, {}
        for (model, object_id), (slug, changed) in owed.items():
            if slug == "changed" and not changed:
                continue
            result = self.conn.execute(
                insert(self.tables.events).values(
                    severity=EVENT_SEVERITY_INFO,
                    initiator=initiator,
                    author_id=author_id,
                    object_id=object_id,
                    object_type=model,
                    slug=slug,
                    payload=encoders.encode_event_payload(changed),
                    date_created=encoders.mysql_datetime(when),
                )
            )
            written[(model, object_id)] = _inserted_id(result)
        return written

    def _initiator(self, actor: str) -> tuple[str, int]:
        """``manual`` with the customer's WordPress user for a customer acting themselves;
        ``system`` (author 0) for planswitch's own jobs and operators, who reach the plugin's
        tables through no WordPress login."""
        if not actor.startswith("customer:"):
            return "system", 0
        try:
            customer_id = int(actor.split(":", 1)[1])
        except ValueError:
            return "system", 0
        c = self.tables.customers
        user_id = self.conn.execute(select(c.c.user_id).where(c.c.id == customer_id)).scalar()
        return ("manual", int(user_id)) if user_id else ("system", 0)

    # -------------------------------------------------------------------------- products
    def save_product(self, product: Product) -> Product:
        """Update group, order, active flag and ``wu_available_addons`` (in its stored shape)."""
        p, meta = self.tables.products, self.tables.productmeta
        self._saved_products = True
        self.conn.execute(
            update(p)
            .where(p.c.id == product.id)
            .values(
                product_group=product.plan_group,
                list_order=product.list_order,
                active=1 if product.active else 0,
                date_modified=self.now.strftime(DATE_FORMAT),
            )
        )
        where = and_(meta.c.wu_product_id == product.id, meta.c.meta_key == "wu_available_addons")
        current = self.conn.execute(
            select(meta.c.meta_value).where(where).order_by(meta.c.meta_id).limit(1)
        ).scalar()
        value = _available_addons_value(current, product.available_addons)
        if current is None:
            self.conn.execute(
                insert(meta).values(
                    wu_product_id=product.id, meta_key="wu_available_addons", meta_value=value
                )
            )
        elif current != value:
            self.conn.execute(update(meta).where(where).values(meta_value=value))
        return self.products_by_id([product.id]).get(product.id, product)


# ------------------------------------------------------------------------------ helpers


_GATEWAY_FIELDS = ("gateway", "gateway_customer_id", "gateway_subscription_id", "times_billed")


def _same_schedule(a: ScheduledChange | None, b: ScheduledChange | None) -> bool:
    """Same change to store? (The description and creation time are not stored.)"""
    if a is None or b is None:
        return a is b
    return (
        a.plan_id == b.plan_id
        and {k: v for k, v in a.addons.items() if v} == {k: v for k, v in b.addons.items() if v}
        and a.period == b.period
        and a.amount == b.amount
        and a.effective_at == b.effective_at
    )


def _model_value(key: str, value: Any) -> Any:
    """A column value as the plugin's model holds it (what ``log_transitions`` records)."""
    if value is None:
        return None
    if key == "addon_products":
        return phpserial.loads(value)
    if key in ("amount", "initial_amount"):
        return float(value)
    if key == "recurring":
        return bool(value)
    return value


def _available_addons_value(current: str | None, addons: Sequence[int]) -> str:
    """``wu_available_addons`` in the shape the product already uses (comma list or array)."""
    ids = [int(i) for i in addons]
    if current is not None and not phpserial.is_serialized(current):
        return ",".join(str(i) for i in ids)
    if current is None and not ids:
        return phpserial.dumps_text([])
    # Serialized list of numeric strings, as the admin posts them (Basic: a:2:{i:0;s:1:"6";…}).
    return phpserial.dumps_text([str(i) for i in ids])


def _inserted_id(result: CursorResult[Any]) -> int:
    """The id the database gave the row a single-row INSERT just wrote."""
    key = result.inserted_primary_key
    if key is None:
        raise RuntimeError("the INSERT returned no primary key")
    return int(key[0])
