"""The Starlette application: GraphQL at /graphql, the reference frontend at /app, /healthz,
/readyz, and the apply-due loop."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from typing import Any

from planswitch.domain.ports import Clock, Store
from planswitch.resolvers.context import Context, Viewer
from planswitch.resolvers.scheduled import apply_due_changes
from planswitch.schema.app import build_schema
from planswitch.server.auth import InvalidToken, viewer_from_header
from planswitch.server.clock import SystemClock
from planswitch.server.settings import Settings
from planswitch.server.stores import make_store
from planswitch.web import GRAPHIQL_HTML, WEB_DIR
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL

logger = logging.getLogger("planswitch.server")


class PlanswitchGraphQL(GraphQL):
    """Strawberry's ASGI view with planswitch's per-request context."""

    def __init__(self, settings: Settings, store: Store, clock: Clock) -> None:
        super().__init__(
            build_schema(
                max_depth=settings.max_query_depth,
                max_tokens=settings.max_query_tokens,
                max_aliases=settings.max_query_aliases,
            ),
            graphql_ide="graphiql" if settings.graphiql else None,
        )
        self.settings, self.store, self.clock = settings, store, clock

    @property
    def graphql_ide_html(self) -> str:
        # Strawberry's page loads GraphiQL from unpkg.com; ours loads the same files (same
        # SRI hashes) from web/vendor/, so the IDE works offline (issue 13).
        return GRAPHIQL_HTML.read_text(encoding="utf-8")

    async def get_context(self, request: Any, response: Any = None) -> Context:
        viewer = request.state.viewer  # set by AuthenticatedGraphQL
        return Context(store=self.store, clock=self.clock, settings=self.settings, viewer=viewer)


class AuthenticatedGraphQL:
    """Reads the caller from the Authorization header before Strawberry sees the request.

    A bad token is refused with 401 (never downgraded to anonymous, which in demo mode
    would act as an operator).
    """

    def __init__(self, graphql: PlanswitchGraphQL, settings: Settings) -> None:
        self.graphql, self.settings = graphql, settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            request.state.viewer = viewer_from_header(
                request.headers.get("authorization"), self.settings
            )
        except InvalidToken as error:
            response = JSONResponse({"errors": [{"message": str(error)}]}, status_code=401)
            await response(scope, receive, send)
            return
        await self.graphql(scope, receive, send)


def create_app(
    settings: Settings, *, store: Store | None = None, clock: Clock | None = None
) -> Starlette:
    """The ASGI app over ``store`` (default: ``make_store(settings)``) and ``clock``."""
    store = store if store is not None else make_store(settings)
    clock = clock if clock is not None else SystemClock()
    graphql = AuthenticatedGraphQL(PlanswitchGraphQL(settings, store, clock), settings)

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
            task = asyncio.create_task(_apply_due_loop(store, clock, settings))
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    # debug=False always: Starlette's debug pages would show tracebacks to clients.
    return Starlette(
        debug=False,
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            # The reference frontend (web/): static files only, the API is /graphql.
            Route("/app", lambda request: RedirectResponse("/app/"), methods=["GET"]),
            Mount("/app", StaticFiles(directory=WEB_DIR, html=True), name="app"),
        ],
        lifespan=lifespan,
    )


def _freeze_startup_objects() -> None:
    """Move the objects built at startup (schema, engine, imported modules) out of the
    garbage collector's view. They live as long as the process, yet every full collection
    walked them all: with a page of 50-100 memberships allocating enough to trigger one,
    those pauses made the slowest requests several times slower than the median."""
    gc.collect()
    gc.freeze()


async def _apply_due_loop(store: Store, clock: Clock, settings: Settings) -> None:
    """Apply scheduled changes whose time has come, every ``apply_due_interval_seconds``."""
    ctx = Context(store=store, clock=clock, settings=settings, viewer=Viewer.operator())
    while True:
        try:
            applied = await apply_due_changes(ctx)
            if applied:
                logger.info("applied %d scheduled change(s): %s", len(applied), applied)
        except Exception:
            # A failing round must not stop the loop; the next one retries.
            logger.exception("applying scheduled changes failed")
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
