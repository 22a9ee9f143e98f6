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
  ``info`` (no ``root``/``parent``): the function itself, with Strawberry's ``Info``;
- such a resolver marked ``@context_only`` (it reads nothing of ``info`` but
  ``info.context``): the function itself *as* the resolver, given graphql-core's resolve
  info, whose ``context`` is the same object: no wrapper and no ``Info`` per call.

graphql-core calls a resolver as ``resolve(source, info, **arguments)``; these fields take
no arguments, so the callables take exactly ``(source, info)`` (a ``**`` parameter would
cost a new dict on each of the page's ~1,850 calls).

Enums get the same treatment on output: Strawberry's enum type finds a member's GraphQL
name by scanning the enum's values on every serialization; ``install`` gives each a table
built once from that same scan.

Everything else keeps Strawberry's resolver: arguments (converted to inputs and enums),
permission classes and other field extensions, custom default resolvers. Schema extensions
are untouched: graphql-core applies their middleware around whichever callable a field has.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar

import strawberry
from graphql import GraphQLEnumType, GraphQLObjectType
from strawberry.resolvers import is_default_resolver
from strawberry.schema.schema_converter import CustomGraphQLEnumType
from strawberry.types.field import StrawberryField

BACKREF = "strawberry-definition"  # where Strawberry keeps a GraphQL field's definition

F = TypeVar("F", bound=Callable[..., Any])
_CONTEXT_ONLY: set[Callable[..., Any]] = set()


def context_only(function: F) -> F:
    """Mark a resolver ``(self, info)`` that reads nothing of ``info`` but ``info.context``.

    ``install`` then hands it graphql-core's resolve info as it is (its ``context`` is the
    one Strawberry's ``Info.context`` returns). Put it under ``@strawberry.field``.
    """
    _CONTEXT_ONLY.add(function)
    return function


def install(schema: strawberry.Schema) -> int:
    """Give the qualifying fields of ``schema`` direct resolvers; returns how many."""
    if schema.config.default_resolver is not getattr:
        return 0  # a custom default resolver: keep Strawberry's calls to it
    info_class = schema.config.info_class
    installed = 0
    for graphql_type in schema._schema.type_map.values():
        if isinstance(graphql_type, CustomGraphQLEnumType):
            installed += _enum_names(graphql_type)
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

        def without_info(source: Any, info: Any) -> Any:
            return function(source)

        return without_info
    positional = _info_is_second(function, info_parameter.name)
    if positional and function in _CONTEXT_ONLY:
        return function
    if positional:

        def with_info(source: Any, info: Any) -> Any:
            return function(source, info_class(info, field))

        return with_info
    name = info_parameter.name

    def with_info_by_name(source: Any, info: Any) -> Any:
        return function(source, **{name: info_class(_raw_info=info, _field=field)})

    return with_info_by_name


def _info_is_second(function: Callable[..., Any], name: str) -> bool:
    """Whether ``function(source, info)`` passes ``info`` as the parameter ``name``."""
    parameters = list(inspect.signature(function).parameters.values())
    return (
        len(parameters) == 2
        and parameters[1].name == name
        and parameters[1].kind
        in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    )


def _enum_names(graphql_type: GraphQLEnumType) -> int:
    """Serialize the enum's members from a table: the name Strawberry's scan would find."""
    scan = graphql_type.coerce_output_value
    wrapped = getattr(graphql_type, "wrapped_cls", None)
    if wrapped is None or not hasattr(wrapped, "__members__"):
        return 0
    names: dict[Any, Any] = {}
    for member in wrapped.__members__.values():
        try:
            names[member] = scan(member)
        except ValueError:
            continue  # no GraphQL value: left to the scan, which raises as before

    def coerce_output_value(output_value: Any) -> Any:
        # Members only (by exact type, so a subclass's own equality is never consulted);
        # anything else goes through Strawberry's own method, errors included.
        if type(output_value) is wrapped:
            name = names.get(output_value)
            if name is not None:
                return name
        return scan(output_value)

    # Instance attributes: graphql-core calls these methods on the type object.
    graphql_type.coerce_output_value = coerce_output_value  # type: ignore[method-assign]
    graphql_type.serialize = coerce_output_value  # type: ignore[method-assign]
    return 1


def _attribute(name: str) -> Callable[..., Any]:
    def resolve(source: Any, info: Any) -> Any:
        return getattr(source, name)

    return resolve
