"""/graphql: who is calling, is the request well formed, then the operation's answer.

Everything a client sends is read here before GraphQL sees it, and every way it can be
wrong ends in a 4xx with a GraphQL-shaped body (``{"errors": [{"message", "extensions":
{"code"}}]}``), never a 500 (issue 11, defects 2 and 7):

- the ``Authorization`` header (401 when it is not a credential this server accepts);
- the body: at most ``MAX_BODY_BYTES``, UTF-8, JSON, one object (no batches) with a string
  ``query``, an object or null ``variables`` and a string or null ``operationName``; JSON
  nested deeper than the parser can follow is refused too;
- a NUL character in any string (a variable or a literal): PostgreSQL cannot store one and
  no planswitch value contains one, so it is refused on every database alike;
- introspection (``__schema``, ``__type``) by anonymous callers outside demo/debug mode;
- GET: ``query``, ``variables`` (JSON) and ``operationName`` from the query string, for
  queries only; without ``query``, a browser gets GraphiQL where it is enabled.

The operation decoded here runs in ``planswitch.server.execution`` (parsed once, not again).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson
from graphql import GraphQLError, parse
from graphql.language import FieldNode, StringValueNode, visit
from graphql.language.visitor import Visitor
from planswitch.domain.ports import Clock
from planswitch.resolvers import policy
from planswitch.resolvers.context import Viewer
from planswitch.server.auth import InvalidToken, operator_by_key, viewer_from_header
from planswitch.server.execution import Executor, OperationRefused
from planswitch.server.settings import Settings
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send

if TYPE_CHECKING:
    from planswitch.resolvers.auth_services import AuthServices

MAX_BODY_BYTES = 1_000_000
_INTROSPECTION = re.compile(r"__(schema|type)\b")


class BadRequest(Exception):
    def __init__(self, message: str, code: str = "BAD_REQUEST", status: int = 400) -> None:
        super().__init__(message)
        self.code, self.status = code, status


def error_response(message: str, code: str, status: int) -> JSONResponse:
    body = {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status)


@dataclass(frozen=True)
class Operation:
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None


class GuardedGraphQL:
    """ASGI app for /graphql: authenticate, check the request, then execute it."""

    def __init__(
        self,
        executor: Executor,
        context: Callable[[Viewer, str], Any],
        settings: Settings,
        clock: Clock,
        auth: AuthServices,
        ide_page: Callable[[], str],
    ) -> None:
        self.executor, self.context = executor, context
        self.settings, self.clock, self.auth, self.ide_page = settings, clock, auth, ide_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        address = request.client.host if request.client else ""
        try:
            viewer = await self._viewer(request, address)
        except InvalidToken as error:
            await error_response(str(error), "UNAUTHENTICATED", 401)(scope, receive, send)
            return
        try:
            response = await self._answer(request, viewer, address)
        except BadRequest as error:
            response = error_response(str(error), error.code, error.status)
        await response(scope, receive, send)

    async def _answer(self, request: Request, viewer: Viewer, address: str) -> Response:
        if request.method == "GET":
            if request.query_params.get("query") is None and _accepts_html(request):
                if not self.settings.graphiql:
                    raise BadRequest("Not Found", "NOT_FOUND", 404)
                return HTMLResponse(self.ide_page())
            operation = self._checked_query_string(request, viewer)
        else:
            operation = await self._checked_body(request, viewer)
        try:
            answer = await self.executor.run(
                operation.query,
                operation.variables,
                operation.operation_name,
                self.context(viewer, address),
                method=request.method,
            )
        except OperationRefused as error:
            raise BadRequest(str(error)) from None
        return Response(
            _encode(answer.body), answer.status, answer.headers, media_type="application/json"
        )

    async def _viewer(self, request: Request, address: str) -> Viewer:
        header = request.headers.get("authorization")
        auth = self.auth
        now: datetime = self.clock.now()
        if not header:
            return viewer_from_header(None, self.settings, auth, now, address)
        operator = operator_by_key(header, self.settings)
        if operator is not None:  # an API key: nothing to read, no thread hop (issue 12)
            return operator
        # Session checks read the revocations and Basic checks a password: not on the loop.
        return await run_in_threadpool(
            viewer_from_header, header, self.settings, auth, now, address
        )

    def _checked_query_string(self, request: Request, viewer: Viewer) -> Operation:
        params = request.query_params
        query = params.get("query")
        if not query or not query.strip():
            raise BadRequest('No GraphQL query found: send "query" (a GraphQL document).')
        variables: Any = None
        if params.get("variables"):
            try:
                variables = orjson.loads(params["variables"])
            except orjson.JSONDecodeError as error:
                raise BadRequest(f'"variables" is not valid JSON: {error}.') from None
        return self._checked_operation(
            {"query": query, "variables": variables, "operationName": params.get("operationName")},
            viewer,
        )

    async def _checked_body(self, request: Request, viewer: Viewer) -> Operation:
        body = await _read_limited(request)
        content_type = request.headers.get("content-type", "")
        if "application/json" not in content_type:
            raise BadRequest(
                "Send the operation as JSON (Content-Type: application/json).",
                "UNSUPPORTED_MEDIA_TYPE",
                415,
            )
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest("The request body is not valid UTF-8.") from None
        try:
            payload = orjson.loads(body)  # strict JSON: no NaN, Infinity or trailing commas
        except orjson.JSONDecodeError as error:
            if "depth limit" in str(error):
                raise BadRequest("The request body is nested too deeply.") from None
            raise BadRequest(f"The request body is not valid JSON: {error}.") from None
        if isinstance(payload, list):
            raise BadRequest("Batched requests are not supported: send one operation per request.")
        if not isinstance(payload, dict):
            raise BadRequest('The request body must be a JSON object: {"query": "..."}.')
        return self._checked_operation(payload, viewer)

    def _checked_operation(self, payload: dict[str, Any], viewer: Viewer) -> Operation:
        query, variables = payload.get("query"), payload.get("variables")
        if not isinstance(query, str) or not query.strip():
            raise BadRequest('The request body needs a "query" string (a GraphQL document).')
        if variables is not None and not isinstance(variables, dict):
            raise BadRequest('"variables" must be a JSON object.')
        name = payload.get("operationName")
        if name is not None and not isinstance(name, str):
            raise BadRequest('"operationName" must be a string.')
        if any("\x00" in value for value in _strings(payload)):
            raise BadRequest("Strings may not contain NUL characters.", "INVALID_INPUT")
        self._check_document(query, viewer)
        return Operation(query, variables, name)

    def _check_document(self, query: str, viewer: Viewer) -> None:
        settings = self.settings
        introspection = _INTROSPECTION.search(query) is not None
        nul = "\\u0000" in query or "\\u{0}" in query or "\\u{00" in query
        if not introspection and not nul:
            return
        try:
            document = parse(query, max_tokens=settings.max_query_tokens)
        except (GraphQLError, RecursionError):
            return  # the executor reports the syntax error itself
        finder = _Finder()
        visit(document, finder)
        if finder.nul:
            raise BadRequest("Strings may not contain NUL characters.", "INVALID_INPUT")
        if finder.introspection and not policy.may_introspect(
            viewer, demo=settings.demo, debug=settings.debug
        ):
            raise BadRequest(
                "Introspection is disabled for anonymous callers; send an API key or a "
                "session token (the schema is in the repository: schema/schema.graphql).",
                "INTROSPECTION_DISABLED",
                403,
            )


class _Finder(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.introspection = False
        self.nul = False

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        if node.name.value in ("__schema", "__type"):
            self.introspection = True

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        if "\x00" in node.value:
            self.nul = True


def _strings(value: Any) -> Iterator[str]:
    """Every string in a decoded JSON value, keys included (iterative: no recursion limit)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


async def _read_limited(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise BadRequest(f"The request body is larger than {MAX_BODY_BYTES} bytes.", status=413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise BadRequest(f"The request body is larger than {MAX_BODY_BYTES} bytes.", status=413)
        chunks.append(chunk)
    return b"".join(chunks)


def _accepts_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept or "*/*" in accept


def _encode(body: dict[str, Any]) -> bytes:
    # orjson: compact JSON several times cheaper than json.dumps on a page of 50
    # (bench/bench_http.py); non-ASCII text goes out as UTF-8, not \u escapes. A value
    # orjson refuses (an integer beyond 64 bits) falls back to the standard encoder.
    try:
        return orjson.dumps(body)
    except TypeError:
        return json.dumps(body, separators=(",", ":")).encode()
