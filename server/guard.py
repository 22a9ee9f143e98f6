"""The gate in front of Strawberry: who is calling, and is the request well formed?

Everything a client sends is read here before GraphQL sees it, and every way it can be
wrong ends in a 4xx with a GraphQL-shaped body (``{"errors": [{"message", "extensions":
{"code"}}]}``), never a 500 (issue 11, defects 2 and 7):

- the ``Authorization`` header (401 when it is not a credential this server accepts);
- the body: at most ``MAX_BODY_BYTES``, UTF-8, JSON, one object (no batches) with a string
  ``query``, an object or null ``variables`` and a string or null ``operationName``; JSON
  nested deeper than the parser can follow is refused too;
- a NUL character in any string (a variable or a literal): PostgreSQL cannot store one and
  no planswitch value contains one, so it is refused on every database alike;
- introspection (``__schema``, ``__type``) by anonymous callers outside demo/debug mode.

The body read here is handed on to Strawberry unchanged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from graphql import GraphQLError, parse
from graphql.language import FieldNode, StringValueNode, visit
from graphql.language.visitor import Visitor
from planswitch.domain.ports import Clock
from planswitch.resolvers import policy
from planswitch.resolvers.context import Viewer
from planswitch.server.auth import InvalidToken, operator_by_key, viewer_from_header
from planswitch.server.settings import Settings
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import Message, Receive, Scope, Send

MAX_BODY_BYTES = 1_000_000
_INTROSPECTION = re.compile(r"__(schema|type)\b")


class BadRequest(Exception):
    def __init__(self, message: str, code: str = "BAD_REQUEST", status: int = 400) -> None:
        super().__init__(message)
        self.code, self.status = code, status


def error_response(message: str, code: str, status: int) -> JSONResponse:
    body = {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status)


class GuardedGraphQL:
    """ASGI app for /graphql: authenticate, check the request, then call Strawberry."""

    def __init__(self, graphql: Any, settings: Settings, clock: Clock) -> None:
        self.graphql, self.settings, self.clock = graphql, settings, clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        address = request.client.host if request.client else ""
        try:
            viewer = await self._viewer(request, address)
        except InvalidToken as error:
            await error_response(str(error), "UNAUTHENTICATED", 401)(scope, receive, send)
            return
        try:
            body = await self._checked_body(request, viewer)
        except BadRequest as error:
            await error_response(str(error), error.code, error.status)(scope, receive, send)
            return
        request.state.viewer = viewer
        request.state.client_address = address
        replayed = _replay(body, receive) if body is not None else receive
        await self.graphql(scope, replayed, _json_errors(send))

    async def _viewer(self, request: Request, address: str) -> Viewer:
        header = request.headers.get("authorization")
        auth = self.graphql.auth
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

    async def _checked_body(self, request: Request, viewer: Viewer) -> bytes | None:
        if request.method == "GET":
            self._check_document(request.query_params.get("query"), viewer)
            return None
        body = await _read_limited(request)
        content_type = request.headers.get("content-type", "")
        if "json" not in content_type:
            return body  # multipart and form bodies: Strawberry answers them itself
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest("The request body is not valid UTF-8.") from None
        try:
            payload = json.loads(text, parse_constant=_not_json)
        except RecursionError:
            raise BadRequest("The request body is nested too deeply.") from None
        except ValueError as error:
            raise BadRequest(f"The request body is not valid JSON: {error}.") from None
        if isinstance(payload, list):
            raise BadRequest("Batched requests are not supported: send one operation per request.")
        if not isinstance(payload, dict):
            raise BadRequest('The request body must be a JSON object: {"query": "..."}.')
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
        return body

    def _check_document(self, query: str | None, viewer: Viewer) -> None:
        if not query:
            return
        settings = self.settings
        introspection = _INTROSPECTION.search(query) is not None
        nul = "\\u0000" in query or "\\u{0}" in query or "\\u{00" in query
        if not introspection and not nul:
            return
        try:
            document = parse(query, max_tokens=settings.max_query_tokens)
        except (GraphQLError, RecursionError):
            return  # Strawberry reports the syntax error itself
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


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON value")


def _json_errors(send: Send) -> Send:
    """Strawberry answers some bad requests (wrong method, no query, an unknown operation)
    with a plain-text 4xx; clients get the same GraphQL-shaped JSON as every other error."""
    held: dict[str, Any] = {}

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = dict(message.get("headers") or [])
            plain = headers.get(b"content-type", b"").startswith(b"text/plain")
            if message["status"] >= 400 and plain:
                held["start"] = message
                return
        elif message["type"] == "http.response.body" and "start" in held:
            held["body"] = held.get("body", b"") + message.get("body", b"")
            if message.get("more_body"):
                return
            reason = held["body"].decode("utf-8", "replace") or "Bad request."
            status = held["start"]["status"]
            code = "METHOD_NOT_ALLOWED" if status == 405 else "BAD_REQUEST"
            response = error_response(reason, code, status)
            await send(
                {"type": "http.response.start", "status": status,
                 "headers": response.raw_headers}
            )  # fmt: skip
            await send({"type": "http.response.body", "body": response.body})
            return
        await send(message)

    return wrapped


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: the disconnect, as the server sends it

    return replay
