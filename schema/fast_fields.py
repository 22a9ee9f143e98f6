"""Shorter calls from graphql-core into the fields that need none of Strawberry's wrapping.

Strawberry reaches every field through layers that serve features these fields do not use:
a field without a resolver goes ``_get_basic_result`` -> ``StrawberryField.get_result`` ->
``base_resolver`` -> ``getattr``; a resolver without arguments goes through argument
conversion, the field-extension chain and ``StrawberryResolver.__call__``. A page of 50
memberships resolves ~1,850 fields, so those layers were about a third of Strawberry's
share of the page (issue 12's profile). ``install`` gives graphql-core direct callables for
exactly those fields, with the same results:

- no resolver, no field extension: ``getattr(source, python_name)`` (Strawberry's
  ``default_resolver``, ``getattr``, without the layers);
- a resolver with no GraphQL arguments, no field extension, taking ``self`` and optionally
  ``info`` (no ``root``/``parent``): the function itself, with Strawberry's ``Info``.

Everything else keeps Strawberry's resolver: arguments (converted to inputs and enums),
permission classes and other field extensions, custom default resolvers. Schema extensions
are untouched: graphql-core applies their middleware around whichever callable a field has.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLObjectType
from strawberry.resolvers import is_default_resolver
from strawberry.types.field import StrawberryField

BACKREF = "strawberry-definition"  # where Strawberry keeps a GraphQL field's definition


def install(schema: strawberry.Schema) -> int:
    """Give the qualifying fields of ``schema`` direct resolvers; returns how many."""
    if schema.config.default_resolver is not getattr:
        return 0  # a custom default resolver: keep Strawberry's calls to it
    info_class = schema.config.info_class
    installed = 0
    for graphql_type in schema._schema.type_map.values():
        if not isinstance(graphql_type, GraphQLObjectType) or graphql_type.name.startswith("__"):
            continue
        for graphql_field in graphql_type.fields.values():
            field = (graphql_field.extensions or {}).get(BACKREF)
            if not isinstance(field, StrawberryField) or field.extensions:
                continue
            direct = _direct(field, graphql_field.resolve, info_class)
            if direct is not None:
                graphql_field.resolve = direct
                installed += 1
    return installed


def _direct(
    field: StrawberryField, current: Callable[..., Any] | None, info_class: type
) -> Callable[..., Any] | None:
    if field.base_resolver is None:
        if current is None or not is_default_resolver(current):
            return None
        return _attribute(field.python_name)
    resolver = field.base_resolver
    if (
        field.arguments
        or resolver.self_parameter is None
        or resolver.root_parameter is not None
        or resolver.parent_parameter is not None
    ):
        return None
    function = resolver.wrapped_func
    if not callable(function):  # a static or class method still unbound: leave it
        return None
    info_parameter = resolver.info_parameter
    if info_parameter is None:

        def without_info(source: Any, info: Any, **_: Any) -> Any:
            return function(source)

        return without_info
    name = info_parameter.name

    def with_info(source: Any, info: Any, **_: Any) -> Any:
        return function(source, **{name: info_class(_raw_info=info, _field=field)})

    return with_info


def _attribute(name: str) -> Callable[..., Any]:
    def resolve(source: Any, info: Any, **_: Any) -> Any:
        return getattr(source, name)

    return resolve
