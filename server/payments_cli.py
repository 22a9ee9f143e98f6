"""``planswitch payments complete|fail ID`` and ``planswitch payments reconcile``.

The operator's side of the manual provider, and the reconcile run the server's periodic
loop also makes (issue 8). ID is a payment's database id or its global id.
"""

from __future__ import annotations

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


def _wiring():  # noqa: ANN202 - (store, checkout)
    from planswitch.server.app import make_checkout
    from planswitch.server.stores import make_store

    settings = Settings()
    return make_store(settings), make_checkout(settings)


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
    from planswitch.resolvers.context import Viewer
    from planswitch.resolvers.payments import complete_payment

    store, checkout = _wiring()
    result = complete_payment(
        store, Viewer.operator(), checkout, _payment_id(payment_id), _now(None), gateway_payment_id
    )
    _report(result)


@payments_app.command("fail")
def fail(
    payment_id: Annotated[str, typer.Argument(help="The payment's id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it failed.")] = "",
) -> None:
    """Record a payment as failed: its pending change is discarded."""
    from planswitch.resolvers.context import Viewer
    from planswitch.resolvers.payments import fail_payment

    store, _ = _wiring()
    _report(fail_payment(store, Viewer.operator(), _payment_id(payment_id), _now(None), reason))


@payments_app.command("reconcile")
def reconcile_command(
    as_of: Annotated[
        datetime | None,
        typer.Option("--as-of", help="Reconcile as of this UTC instant (default: now)."),
    ] = None,
) -> None:
    """Expire unpaid pending changes and ask the provider about every pending payment."""
    from planswitch.resolvers.payments import reconcile

    store, checkout = _wiring()
    report = reconcile(store, checkout, _now(as_of))
    typer.echo(f"Reconciled pending payments: {report.summary()}.")
    for payment_id in report.refund_required:
        typer.echo(f"Payment {payment_id} was paid after its change was dropped: refund it.")
