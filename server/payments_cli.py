"""``planswitch payments complete|fail ID`` and ``planswitch payments reconcile``.

The operator's side of the manual provider, and the reconcile run the server's periodic
loop also makes (issue 8). ID is a payment's database id or its global id.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated

import typer
from planswitch.server.settings import Settings

payments_app = typer.Typer(help="Pending payments: record them by hand, reconcile them.")


def _now(as_of: datetime | None) -> datetime:
    if as_of is None:
        return datetime.now(UTC)
    return as_of.replace(tzinfo=UTC) if as_of.tzinfo is None else as_of.astimezone(UTC)


def _payment_id(value: str) -> int:
    from planswitch.domain.errors import DomainError
    from planswitch.schema.node import decode_global_id

    try:
        return decode_global_id(value, "Payment", "paymentId")
    except DomainError as error:
        typer.echo(error.error.message, err=True)
        raise typer.Exit(code=2) from None


def _context(as_of: datetime | None = None):  # noqa: ANN202 - an operator Context
    from planswitch.resolvers.context import Context, Viewer
    from planswitch.server.app import make_checkout
    from planswitch.server.clock import FixedClock, SystemClock
    from planswitch.server.stores import make_store

    settings = Settings()
    clock = FixedClock(_now(as_of)) if as_of else SystemClock()
    return Context(
        make_store(settings), clock, settings, Viewer.operator(), make_checkout(settings)
    )


def _report(result) -> None:  # noqa: ANN001 - PaymentResult
    if result.user_errors:
        for error in result.user_errors:
            typer.echo(f"{error.code.value}: {error.message}", err=True)
        raise typer.Exit(code=1)
    payment = result.payment
    typer.echo(f"Payment {payment.id}: {payment.status.value} ({result.effect.value}).")


@payments_app.command("complete")
def complete(
    payment_id: Annotated[str, typer.Argument(help="The payment's id.")],
    gateway_payment_id: Annotated[
        str, typer.Option("--gateway-payment-id", help="The collector's reference, if any.")
    ] = "",
) -> None:
    """Record a payment as paid: its pending change applies (once)."""
    from planswitch.resolvers.payments import complete_payment

    ctx = _context()
    _report(asyncio.run(complete_payment(ctx, _payment_id(payment_id), gateway_payment_id)))


@payments_app.command("fail")
def fail(
    payment_id: Annotated[str, typer.Argument(help="The payment's id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it failed.")] = "",
) -> None:
    """Record a payment as failed: its pending change is discarded."""
    from planswitch.resolvers.payments import fail_payment

    _report(asyncio.run(fail_payment(_context(), _payment_id(payment_id), reason)))


@payments_app.command("reconcile")
def reconcile_command(
    as_of: Annotated[
        datetime | None,
        typer.Option("--as-of", help="Reconcile as of this UTC instant (default: now)."),
    ] = None,
) -> None:
    """Expire unpaid pending changes and ask the provider about every pending payment."""
    from planswitch.resolvers.payments import reconcile

    report = asyncio.run(reconcile(_context(as_of)))
    typer.echo(f"Reconciled pending payments: {report.summary()}.")
    for payment_id in report.refund_required:
        typer.echo(f"Payment {payment_id} was paid after its change was dropped: refund it.")
