"""The JSON form of a quote, as stored with a committed change.

Used by the idempotency records (a replay returns the first quote) and by the stores'
pending changes (a paid change applies exactly as quoted at commit). Plain JSON-able data:
money as decimal strings, instants as ISO-8601, periods as ``[duration, unit]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from planswitch.domain.limit_changes import LimitChange
from planswitch.domain.payments import LineItem, LineItemType
from planswitch.domain.periods import BillingPeriod
from planswitch.domain.plan_change import ChangeKind, Quote, ScheduledUpdate


def _period(period: BillingPeriod | None) -> list[Any] | None:
    return [period.duration, period.unit.value] if period else None


def _unperiod(value: Any) -> BillingPeriod | None:
    return BillingPeriod.of(value[0], value[1]) if value else None


def _dt(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _undt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _undec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def line_item_to_json(item: LineItem) -> dict[str, Any]:
    return {
        "type": item.type.value,
        "title": item.title,
        "unit_price": _dec(item.unit_price),
        "quantity": item.quantity,
        "product_id": item.product_id,
        "description": item.description,
        "recurring": item.recurring,
        "period": _period(item.period),
        "subtotal": _dec(item.subtotal),
        "discount_total": _dec(item.discount_total),
        "tax_total": _dec(item.tax_total),
        "total": _dec(item.total),
        "discount_label": item.discount_label,
    }


def line_item_from_json(data: Mapping[str, Any]) -> LineItem:
    return LineItem(
        type=LineItemType(data["type"]),
        title=data["title"],
        unit_price=Decimal(data["unit_price"]),
        quantity=data["quantity"],
        product_id=data["product_id"],
        description=data["description"],
        recurring=data["recurring"],
        period=_unperiod(data["period"]),
        subtotal=Decimal(data["subtotal"]),
        discount_total=Decimal(data["discount_total"]),
        tax_total=Decimal(data["tax_total"]),
        total=Decimal(data["total"]),
        discount_label=data["discount_label"],
    )


def _jsonable(value: Any) -> Any:
    """Limit values are ints, bools, strings, None or small dicts; Decimals become strings."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def quote_to_json(quote: Quote) -> dict[str, Any]:
    """Everything a replayed ``changePlan`` needs to return the first quote unchanged."""
    return {
        "change_kind": quote.change_kind.value,
        "currency": quote.currency,
        "line_items": [line_item_to_json(item) for item in quote.line_items],
        "subtotal": _dec(quote.subtotal),
        "credit": _dec(quote.credit),
        "discount": _dec(quote.discount),
        "due_now": _dec(quote.due_now),
        "unused_credit": _dec(quote.unused_credit),
        "next_billing_amount": _dec(quote.next_billing_amount),
        "next_billing_date": _dt(quote.next_billing_date),
        "effective_at": _dt(quote.effective_at),
        "limit_changes": [
            {
                "module": c.module,
                "key": c.key,
                "before": _jsonable(c.before),
                "after": _jsonable(c.after),
            }
            for c in quote.limit_changes
        ],
        "message": quote.message,
        "plan_id": quote.plan_id,
        "period": _period(quote.period),
        "addons": [[k, v] for k, v in sorted(quote.addons.items())],
        "removed_addons": [[k, v] for k, v in sorted(quote.removed_addons.items())],
        "recurring": quote.recurring,
        "scheduled": quote.scheduled,
        "scheduled_update": _update_to_json(quote.scheduled_update),
    }


def quote_from_json(data: Mapping[str, Any]) -> Quote:
    return Quote(
        change_kind=ChangeKind(data["change_kind"]),
        currency=data["currency"],
        line_items=tuple(line_item_from_json(item) for item in data["line_items"]),
        subtotal=Decimal(data["subtotal"]),
        credit=Decimal(data["credit"]),
        discount=Decimal(data["discount"]),
        due_now=Decimal(data["due_now"]),
        unused_credit=Decimal(data["unused_credit"]),
        next_billing_amount=_undec(data["next_billing_amount"]),
        next_billing_date=_undt(data["next_billing_date"]),
        effective_at=_undt(data["effective_at"]),
        limit_changes=tuple(
            LimitChange(c["module"], c["key"], c["before"], c["after"])
            for c in data["limit_changes"]
        ),
        message=data["message"],
        plan_id=data["plan_id"],
        period=_unperiod(data["period"]),
        addons={int(k): int(v) for k, v in data["addons"]},
        removed_addons={int(k): int(v) for k, v in data["removed_addons"]},
        recurring=data["recurring"],
        scheduled=data["scheduled"],
        scheduled_update=_update_from_json(data.get("scheduled_update")),
    )


def _update_to_json(update: ScheduledUpdate | None) -> dict[str, Any] | None:
    if update is None:
        return None
    return {
        "addons": [[k, v] for k, v in sorted(update.addons.items())],
        "amount": _dec(update.amount),
        "current_amount": _dec(update.current_amount),
    }


def _update_from_json(data: Mapping[str, Any] | None) -> ScheduledUpdate | None:
    if not data:
        return None
    return ScheduledUpdate(
        addons={int(k): int(v) for k, v in data["addons"]},
        amount=Decimal(data["amount"]),
        current_amount=Decimal(data["current_amount"]),
    )
