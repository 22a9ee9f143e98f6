"""The ``planswitch`` command line: serve, export-schema, db upgrade, token, apply-due, sync,
payments (complete, fail, reconcile), wordpress (install-counter, remove-counter)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer
from planswitch.server.payments_cli import payments_app
from planswitch.server.settings import Settings

if TYPE_CHECKING:
    from planswitch.adapters.wordpress.store import WordPressStore

app = typer.Typer(help="planswitch: plans, memberships and plan changes over GraphQL.")
db_app = typer.Typer(help="Database maintenance for the native store.")
app.add_typer(db_app, name="db")
app.add_typer(payments_app, name="payments")
wordpress_app = typer.Typer(help="Opt-in changes to the WordPress network's database.")
app.add_typer(wordpress_app, name="wordpress")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind (PLANSWITCH_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (PLANSWITCH_PORT).")] = None,
    no_demo: Annotated[
        bool, typer.Option("--no-demo", help="No demo data, GraphiQL or open access.")
    ] = False,
) -> None:
    """Apply migrations, seed demo data on an empty demo database, and serve the API."""
    import uvicorn
    from planswitch.server.app import create_app
    from planswitch.server.clock import SystemClock
    from planswitch.server.stores import make_store, uses_native_store

    overrides: dict[str, Any] = {}
    if host is not None:
        overrides["host"] = host
    if port is not None:
        overrides["port"] = port
    if no_demo:
        overrides["demo"] = False
    settings = Settings(**overrides)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    clock = SystemClock()
    if uses_native_store(settings):
        from planswitch.adapters.native.migrate import upgrade_database

        upgrade_database(settings.database_url)
    store = make_store(settings)
    settings = _resolve_demo(settings, overrides, store, seed_at=clock.now())
    problems = settings.problems()
    if problems:
        typer.echo("Refusing to start: " + "\n".join(problems), err=True)
        raise typer.Exit(code=2)
    if settings.graphiql:
        typer.echo(f"GraphiQL: http://{settings.host}:{settings.port}/graphql", err=True)
    uvicorn.run(
        create_app(settings, store=store, clock=clock), host=settings.host, port=settings.port
    )


def _resolve_demo(
    settings: Settings,
    overrides: dict[str, Any],
    store: object,
    *,
    seed_at: datetime | None = None,
) -> Settings:
    """Demo mode is for the database planswitch seeded with its demo itself, never inferred
    from a URL (issue 11, defect 6): an explicit PLANSWITCH_DEMO / --no-demo wins; else it
    is on when the database carries the demo mark. ``seed_at`` seeds the demo first into an
    empty database when demo mode is asked for, or at the default embedded file (the
    out-of-the-box playground)."""
    from planswitch.server.settings import DEFAULT_DATABASE_URL
    from planswitch.server.stores import uses_native_store

    if not uses_native_store(settings):
        return settings
    from planswitch.adapters.native.demo import is_demo_database, seed_demo

    explicit = "demo" in settings.model_fields_set
    wanted = settings.demo if explicit else settings.database_url == DEFAULT_DATABASE_URL
    if seed_at is not None and wanted and seed_demo(store, seed_at):  # type: ignore[arg-type]
        typer.echo("Seeded the demo catalog and memberships.", err=True)
    if explicit:
        return settings
    demo = is_demo_database(store)  # type: ignore[arg-type]
    return Settings(**{**overrides, "demo": demo}) if demo != settings.demo else settings


@app.command("export-schema")
def export_schema() -> None:
    """Print the GraphQL schema (SDL); `> schema/schema.graphql` updates the committed copy."""
    from planswitch.schema.app import build_schema

    typer.echo(str(build_schema()))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the native store's tables at PLANSWITCH_DATABASE_URL, or, with
    PLANSWITCH_WORDPRESS_URL and writes on, planswitch's own tables in the WordPress database."""
    settings = Settings()
    if settings.wordpress_url:
        _upgrade_wordpress(settings)
        return
    from planswitch.adapters.native.migrate import upgrade_database

    upgrade_database(settings.database_url)
    typer.echo("Database is up to date.")


def _upgrade_wordpress(settings: Settings) -> None:
    # planswitch's own tables only (adapters/wordpress/own_schema.py); never the plugin's.
    if not settings.wordpress_writes:
        typer.echo(
            "PLANSWITCH_WORDPRESS_WRITES is off: planswitch keeps no tables on a read-only "
            "network.",
            err=True,
        )
        raise typer.Exit(code=1)
    from planswitch.adapters.wordpress.store import WordPressStore

    store = WordPressStore(
        settings.wordpress_url or "",
        prefix=settings.wordpress_prefix,
        network_id=settings.wordpress_network_id,
        writes=True,
    )
    try:
        version = store.ensure_own_tables()
    finally:
        store.dispose()
    typer.echo(f"planswitch's tables in the WordPress database are at version {version}.")


def _wordpress_store(settings: Settings) -> WordPressStore:
    if not settings.wordpress_url:
        typer.echo("Set PLANSWITCH_WORDPRESS_URL to the network's database first.", err=True)
        raise typer.Exit(code=2)
    from planswitch.adapters.wordpress.store import WordPressStore

    return WordPressStore(
        settings.wordpress_url,
        prefix=settings.wordpress_prefix,
        network_id=settings.wordpress_network_id,
    )


@wordpress_app.command("install-counter")
def install_counter() -> None:
    """Keep a count of the memberships in planswitch's table with triggers on the plugin's
    memberships table, so the unfiltered totalCount is one indexed read; again: recount."""
    store = _wordpress_store(Settings())
    try:
        total = store.install_membership_counter()
    finally:
        store.dispose()
    typer.echo(f"Membership counter installed: {total} membership(s).")


@wordpress_app.command("remove-counter")
def remove_counter() -> None:
    """Drop the counter's triggers and row; totalCount counts the rows again."""
    store = _wordpress_store(Settings())
    try:
        store.remove_membership_counter()
    finally:
        store.dispose()
    typer.echo("Membership counter removed.")


@app.command()
def token(
    customer: Annotated[int, typer.Option("--customer", help="Customer databaseId.")],
) -> None:
    """Print a customer session token (the kind createCustomerSession returns), signed with
    PLANSWITCH_SECRET_KEY; it expires after PLANSWITCH_SESSION_TTL_SECONDS."""
    from planswitch.server.stores import make_auth_services, make_store

    settings = Settings()
    store = make_store(settings)
    settings = _resolve_demo(settings, {}, store)
    if not settings.demo and not settings.has_configured_secret:
        typer.echo("Set PLANSWITCH_SECRET_KEY first (the server must share it).", err=True)
        raise typer.Exit(code=2)
    if not settings.demo and settings.problems():
        typer.echo("\n".join(settings.problems()), err=True)
        raise typer.Exit(code=2)
    if customer not in store.customers_by_id([customer]):
        typer.echo(f"No customer with databaseId {customer}.", err=True)
        raise typer.Exit(code=2)
    auth = make_auth_services(settings, store)
    token, _ = auth.keys.issue(customer, datetime.now(UTC), auth.ledger.generation(customer))
    typer.echo(token)


@app.command("apply-due")
def apply_due(
    as_of: Annotated[
        datetime | None,
        typer.Option("--as-of", help="Apply changes due at this UTC instant (default: now)."),
    ] = None,
) -> None:
    """Apply every scheduled change (downgrade, add-on removal) that is due, and discard
    the pending changes whose payment did not come in time."""
    from planswitch.resolvers.context import Context, Viewer
    from planswitch.resolvers.payments import expire_overdue
    from planswitch.resolvers.scheduled import apply_due_changes
    from planswitch.server.app import make_checkout
    from planswitch.server.clock import FixedClock, SystemClock
    from planswitch.server.stores import make_store

    settings = Settings()
    if not settings.applies_due_changes:
        typer.echo(
            "This WordPress network's scheduled changes belong to the plugin's Action "
            "Scheduler; set PLANSWITCH_WORDPRESS_APPLY_DUE=1 to apply them with planswitch.",
            err=True,
        )
        raise typer.Exit(code=2)
    now = (as_of.replace(tzinfo=UTC) if as_of.tzinfo is None else as_of) if as_of else None
    clock = FixedClock(now) if now else SystemClock()
    ctx = Context(
        store=make_store(settings),
        clock=clock,
        settings=settings,
        viewer=Viewer.operator(),
        checkout=make_checkout(settings),
    )
    applied = asyncio.run(apply_due_changes(ctx))
    typer.echo(f"Applied {len(applied)} scheduled change(s).")
    expired = asyncio.run(expire_overdue(ctx))
    typer.echo(f"Expired {len(expired.expired)} unpaid pending change(s).")


# --- sync: planswitch.sync.command wires the WordPress source to the native target ---
@app.command()
def sync(
    since: Annotated[
        datetime | None,
        typer.Option("--since", help="Only rows modified since this UTC instant."),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report without writing.")] = False,
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help="Native store to import into (default: settings)."),
    ] = None,
) -> None:
    """Import a WordPress network (PLANSWITCH_WORDPRESS_URL) into the native store."""
    from planswitch.sync.command import sync_command

    code = sync_command(Settings(), since=since, dry_run=dry_run, database_url=database_url)
    raise typer.Exit(code=code or 0)


def main() -> None:
    """Entry point of the ``planswitch`` script."""
    app()
