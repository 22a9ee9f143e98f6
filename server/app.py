"""The Starlette application: GraphQL at /graphql, the reference frontend at /app, /healthz,
/readyz, and the apply-due loop."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
from collections.abc import AsyncIterator

from planswitch.adapters.payments import build_provider
from planswitch.domain.payment_provider import PaymentProvider
from planswitch.domain.ports import Clock, Store
from planswitch.resolvers.checkout import Checkout
from planswitch.resolvers.context import Context, Viewer
from planswitch.resolvers.payments import reconcile
from planswitch.resolvers.scheduled import apply_due_changes
from planswitch.schema.app import build_schema
from planswitch.server.clock import SystemClock
from planswitch.server.execution import Executor
from planswitch.server.guard import GuardedGraphQL
from planswitch.server.settings import Settings
from planswitch.server.stores import make_auth_services, make_store
from planswitch.web import GRAPHIQL_HTML, WEB_DIR
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

logger = logging.getLogger("planswitch.server")


@functools.cache
def _graphiql_page() -> str:
    # GraphiQL's usual page fetches it from a CDN; ours serves the same files (same SRI
    # hashes) from web/vendor/, so the IDE works offline (issue 13). Read once.
    return GRAPHIQL_HTML.read_text(encoding="utf-8")


def make_checkout(settings: Settings, provider: PaymentProvider | None = None) -> Checkout:
    """The payment provider ``PLANSWITCH_PAYMENT_PROVIDER`` names and the pending TTL."""
    return Checkout(
        provider
        if provider is not None
        else build_provider(
            settings.payment_provider,
            stripe_secret_key=settings.stripe_secret_key,
            stripe_api_base=settings.stripe_api_base,
        ),
        settings.pending_change_ttl,
    )


def from_environment() -> Starlette:
    """The app built from ``PLANSWITCH_*`` alone, for a process manager that starts several
    workers: ``uvicorn --factory planswitch.server.app:from_environment --workers 4`` (the
    README's "Several workers"). Migrations are not applied here: run ``planswitch db
    upgrade`` once first; demo mode is never inferred (``PLANSWITCH_DEMO`` decides)."""
    return create_app(Settings())


def create_app(
    settings: Settings,
    *,
    store: Store | None = None,
    clock: Clock | None = None,
    provider: PaymentProvider | None = None,
) -> Starlette:
    """The ASGI app over ``store`` (default: ``make_store(settings)``), ``clock`` and the
    payment ``provider`` (default: ``build_provider(settings.payment_provider)``)."""
    settings.check()  # refuses the published demo secret, no secret, no API keys
    store = store if store is not None else make_store(settings)
    clock = clock if clock is not None else SystemClock()
    auth = make_auth_services(settings, store)
    checkout = make_checkout(settings, provider)
    executor = Executor(
        build_schema(),
        max_tokens=settings.max_query_tokens,
        max_depth=settings.max_query_depth,
        max_aliases=settings.max_query_aliases,
    )

    def context(viewer: Viewer, client_address: str) -> Context:
        return Context(
            store=store,
            clock=clock,
            settings=settings,
            viewer=viewer,
            auth=auth,
            client_address=client_address,
            checkout=checkout,
        )

    graphql = GuardedGraphQL(executor, context, settings, clock, auth, _graphiql_page)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        try:
            await run_in_threadpool(store.check)
        except Exception:
            logger.exception("readiness check failed")
            return JSONResponse({"status": "unavailable", "database": "error"}, status_code=503)
        return JSONResponse({"status": "ready", "database": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        _warn_about_settings(settings)
        _freeze_startup_objects()
        task = None
        if settings.apply_due_interval_seconds > 0 and not settings.applies_due_changes:
            logger.info(
                "Scheduled changes on this WordPress network are left to the plugin's Action "
                "Scheduler (set PLANSWITCH_WORDPRESS_APPLY_DUE=1 to let planswitch apply them)."
            )
        elif settings.apply_due_interval_seconds > 0:
            logger.info(
                "Applying due scheduled changes now and every %d s.",
                settings.apply_due_interval_seconds,
            )
            task = asyncio.create_task(_apply_due_loop(store, clock, settings, checkout))
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        # The reference frontend (web/): static files only, the API is /graphql.
        Route("/app", lambda request: RedirectResponse("/app/"), methods=["GET"]),
        Mount("/app", StaticFiles(directory=WEB_DIR, html=True), name="app"),
    ]
    if checkout.provider.name == "stripe":
        from planswitch.server.webhooks import stripe_webhook_route

        routes.append(stripe_webhook_route(settings, store, clock, checkout))
    # Browser frontends on other origins (PLANSWITCH_CORS_ORIGINS). The preflight is answered
    # before routing (no 405). No cookies: credentials are headers. With no origin configured
    # the middleware would only refuse preflights, at a cost on every request (issue 12):
    # the route's 405 refuses them as well, without CORS headers either way.
    cors = [
        Middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
            max_age=600,
        )
    ]
    # debug=False always: Starlette's debug pages would show tracebacks to clients.
    return Starlette(
        debug=False,
        routes=routes,
        middleware=cors if settings.cors_origins else [],
        lifespan=lifespan,
    )


def _freeze_startup_objects() -> None:
    """Move the objects built at startup (schema, engine, imported modules) out of the
    garbage collector's view. They live as long as the process, yet every full collection
    walked them all: with a page of 50-100 memberships allocating enough to trigger one,
    those pauses made the slowest requests several times slower than the median."""
    gc.collect()
    gc.freeze()


async def _apply_due_loop(
    store: Store, clock: Clock, settings: Settings, checkout: Checkout
) -> None:
    """Every ``apply_due_interval_seconds``: apply scheduled changes whose time has come,
    then expire unpaid pending changes and reconcile the rest with the provider."""
    ctx = Context(
        store=store, clock=clock, settings=settings, viewer=Viewer.operator(), checkout=checkout
    )
    while True:
        try:
            applied = await apply_due_changes(ctx)
            if applied:
                logger.info("applied %d scheduled change(s): %s", len(applied), applied)
        except Exception:
            # A failing round must not stop the loop; the next one retries.
            logger.exception("applying scheduled changes failed")
        try:
            report = await reconcile(ctx)
            if report.changed or report.refund_required:
                logger.info("pending payments: %s", report.summary())
        except Exception:
            logger.exception("reconciling pending payments failed")
        await asyncio.sleep(settings.apply_due_interval_seconds)


def _warn_about_settings(settings: Settings) -> None:
    if settings.demo:
        logger.warning(
            "Demo mode: anonymous callers act as operators and GraphiQL is served. "
            "Set PLANSWITCH_DEMO=false (or `serve --no-demo`) for real data."
        )
    elif not settings.has_configured_secret:
        logger.warning(
            "PLANSWITCH_SECRET_KEY is not set: customer and quote tokens last until restart."
        )
