"""One GraphQL operation, from the checked request to the response body.

The server runs graphql-core directly over the Strawberry schema instead of Strawberry's
HTTP view and ``Schema.execute``: those add an extension pipeline, a second JSON decode of
the body and per-request bookkeeping that together cost about as much as executing a
small document (issue 12's profile of ``membership(id)``). What they did for planswitch is
here, once:

- a document is parsed (at most ``max_tokens`` tokens) and validated
  (``schema.app.validation_rules``) once, then reused while it stays in the cache;
- field suggestions are hidden ("Did you mean ...?" would reveal the schema to anonymous
  callers, for whom introspection is off);
- a mutation sent with GET, or an operation name the document does not define, is a 400;
- resolver errors are presented by ``schema.app.client_errors`` (codes, outages, masking),
  and an outage answers 503 with ``Retry-After``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import (
    DocumentNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    execute,
    parse,
    validate,
)
from planswitch.schema.app import UNAVAILABLE, client_errors, validation_rules
from strawberry.execution.is_awaitable import optimized_is_awaitable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

# Documents longer than this are parsed on every request rather than kept: the cache holds
# at most CACHED_DOCUMENTS of them, so its memory stays bounded whatever clients send.
CACHEABLE_LENGTH = 20_000
CACHED_DOCUMENTS = 512


class OperationRefused(Exception):
    """The request cannot run as sent (a 400): no such operation, or a mutation over GET."""


@dataclass(frozen=True)
class Prepared:
    """A parsed and validated document, or the errors that stop it."""

    document: DocumentNode | None
    errors: tuple[GraphQLError, ...]
    operations: dict[str | None, OperationDefinitionNode]  # by name; None: the only one


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]


class Executor:
    """Runs operations against ``schema``; one per application."""

    def __init__(
        self, schema: strawberry.Schema, *, max_tokens: int, max_depth: int, max_aliases: int
    ) -> None:
        self.schema = schema
        self.max_tokens = max_tokens
        self.rules = validation_rules(max_depth=max_depth, max_aliases=max_aliases)
        self._cached = functools.lru_cache(maxsize=CACHED_DOCUMENTS)(self._prepare)

    def prepare(self, query: str) -> Prepared:
        if len(query) > CACHEABLE_LENGTH:
            return self._prepare(query)
        return self._cached(query)

    def _prepare(self, query: str) -> Prepared:
        try:
            document = parse(query, max_tokens=self.max_tokens)
        except GraphQLError as error:
            return Prepared(None, (error,), {})
        except RecursionError:
            return Prepared(None, (GraphQLError("The document is nested too deeply."),), {})
        errors = validate(self.schema._schema, document, self.rules, hide_suggestions=True)
        if errors:
            return Prepared(None, tuple(errors), {})
        operations: dict[str | None, OperationDefinitionNode] = {}
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                operations[definition.name.value if definition.name else None] = definition
        if len(operations) == 1:
            operations[None] = next(iter(operations.values()))
        return Prepared(document, (), operations)

    async def run(
        self,
        query: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        context: Any,
        *,
        method: str,
    ) -> Answer:
        prepared = self.prepare(query)
        if prepared.document is None:
            return Answer(200, _body(None, list(prepared.errors)), {})
        operation = prepared.operations.get(operation_name)
        if operation is None:
            raise OperationRefused(
                f'The document has no operation named "{operation_name}".'
                if operation_name
                else "The document has several operations: send operationName to pick one."
            )
        if method == "GET" and operation.operation is not OperationType.QUERY:
            raise OperationRefused(
                f"{operation.operation.value.capitalize()}s are not allowed over GET: use POST."
            )
        result = execute(
            self.schema._schema,
            prepared.document,
            context_value=context,
            variable_values=variables,
            operation_name=operation_name,
            executor_class=StrawberryGraphQLCoreExecutionContext,
            is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
            hide_suggestions=True,
        )
        if optimized_is_awaitable(result):
            result = await result  # type: ignore[misc]
        errors = client_errors(result.errors) if result.errors else []  # type: ignore[union-attr]
        headers: dict[str, str] = {}
        status = 200
        if any((error.extensions or {}).get("code") == UNAVAILABLE for error in errors):
            # A database outage is retryable; retrying a change with the same idempotency
            # key is safe (schema.app.client_errors).
            status, headers = 503, {"Retry-After": "5"}
        return Answer(status, _body(result.data, errors), headers)  # type: ignore[union-attr]


def _body(data: Any, errors: list[GraphQLError]) -> dict[str, Any]:
    body: dict[str, Any] = {"data": data}
    if errors:
        body["errors"] = [error.formatted for error in errors]
    return body
