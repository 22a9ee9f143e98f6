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

A resolver *with* GraphQL arguments (no field extension, taking ``self``, ``info`` and its
arguments, no ``root``/``parent``) gets a callable that converts them as Strawberry's
``get_arguments`` does and calls the function with Strawberry's ``Info``: a root lookup
such as ``membership(id:)`` otherwise spends about as long in that wrapper (argument
conversion, the extension chain, an ``await`` of its own) as in its read. graphql-core has
already coerced and validated the values (enum members, scalars), so the conversion of a
leaf is the value itself (Strawberry's ``convert_argument`` returns it as it is); inputs go
through ``convert_argument`` itself, unchanged. Omitted arguments are left out, so the
function's defaults apply, as with Strawberry.

Everything else keeps Strawberry's resolver: permission classes and other field
extensions, exception handlers, custom default resolvers. Schema extensions are untouched:
graphql-core applies their middleware around whichever callable a field has.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import MISSING
from typing import Any, TypeVar

import strawberry
from graphql import GraphQLEnumType, GraphQLObjectType
from strawberry.relay.types import GlobalID
from strawberry.resolvers import is_default_resolver
from strawberry.schema.schema_converter import CustomGraphQLEnumType
from strawberry.types.arguments import StrawberryArgument, _is_leaf_type, convert_argument
from strawberry.types.base import (
    StrawberryList,
    StrawberryMaybe,
    StrawberryObjectDefinition,
    StrawberryOptional,
)
from strawberry.types.enum import StrawberryEnumDefinition
from strawberry.types.field import StrawberryField
from strawberry.types.lazy_type import LazyType
from strawberry.types.unset import UNSET

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
    # Fields returning a handled error type get Strawberry's exception handling: keep it.
    with_arguments = not getattr(schema.schema_converter, "_exception_handler_specs", ())
    convert = _Conversion(schema)
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
            if field.arguments:
                direct = _with_arguments(field, info_class, convert) if with_arguments else None
            else:
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


class _Conversion:
    """Strawberry's conversion of one argument, or None where it returns the value as is."""

    def __init__(self, schema: strawberry.Schema) -> None:
        self.config = schema.config
        self.registry = schema.schema_converter.scalar_registry

    def of(self, argument: StrawberryArgument) -> Callable[[Any, Any], Any] | None:
        try:
            compiled = self._compile(argument.type)
        except _Unsupported:
            pass
        else:
            if compiled is None:
                return None
            return lambda value, info: compiled(value)
        name = self.config.name_converter.from_argument(argument)
        config, registry, whole = self.config, self.registry, argument.type

        def convert(value: Any, info: Any) -> Any:
            return convert_argument(value, whole, registry, config, info, path=(name,))

        return convert

    def _compile(self, type_: Any) -> Callable[[Any], Any] | None:
        """``convert_argument(value, type_, ...)`` as a function planned once for the type
        (None: the value as it is), for what it does by rule alone: leaves, lists,
        optionals and plain input types. Anything that asks for more (``Maybe``,
        ``GlobalID``, an input's own ``from_input``) raises ``_Unsupported``: the argument
        then goes through ``convert_argument`` itself.

        Strawberry's conversion re-resolves every input field's type and GraphQL name on
        each call: for ``planChangeQuote``'s input that was ~3x the cost of the quote's read.
        """
        if isinstance(type_, StrawberryMaybe) or type_ is GlobalID:
            raise _Unsupported
        if isinstance(type_, StrawberryOptional):
            return self._compile(type_.of_type)  # None passes through either way
        if isinstance(type_, LazyType):
            return self._compile(type_.resolve_type())
        if _is_leaf_type(type_, self.registry) or _is_enum(type_):
            return None
        if isinstance(type_, StrawberryList):
            item = type_.of_type
            inner = None if _leaf_items(item, self.registry) else self._compile(item)
            return _list_of(inner)
        definition = getattr(type_, "__strawberry_definition__", None)
        if (
            isinstance(definition, StrawberryObjectDefinition)
            and definition.is_input
            and definition.from_input is None
        ):
            return self._input(type_, definition)
        raise _Unsupported

    def _input(
        self, type_: Callable[..., Any], definition: StrawberryObjectDefinition
    ) -> Callable[[Any], Any]:
        # Every field without a default starts as None (graphql-core has checked that the
        # required ones are there), as convert_argument does.
        defaults = {
            field.python_name: None
            for field in definition.fields
            if field.default_value is MISSING and field.default_factory is MISSING
        }
        fields = tuple(
            (
                self.config.name_converter.from_field(field),
                field.python_name,
                self._compile(field.resolve_type(type_definition=definition)),
            )
            for field in definition.fields
        )

        def convert(value: Any) -> Any:
            if value is None or value is UNSET:
                return value
            kwargs = dict(defaults)
            for name, python_name, inner in fields:
                if name in value:
                    item = value[name]
                    kwargs[python_name] = item if inner is None else inner(item)
            return type_(**kwargs)

        return convert


class _Unsupported(Exception):
    """A type ``_Conversion._compile`` leaves to ``convert_argument``."""


def _leaf_items(item: Any, registry: Any) -> bool:
    # convert_argument copies a list of leaves (GlobalIDs excepted) without converting them.
    if isinstance(item, StrawberryOptional) and not isinstance(item, StrawberryMaybe):
        item = item.of_type
    return item is not GlobalID and _is_leaf_type(item, registry)


def _list_of(inner: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        if value is None or value is UNSET:
            return value
        # A copy even of leaves: graphql-core gives the same default list to every request.
        return list(value) if inner is None else [inner(item) for item in value]

    return convert


def _is_enum(type_: Any) -> bool:
    # convert_argument turns an enum class into its definition, a leaf: the value as is.
    return isinstance(getattr(type_, "__strawberry_definition__", None), StrawberryEnumDefinition)


def _with_arguments(
    field: StrawberryField, info_class: type, conversion: _Conversion
) -> Callable[..., Any] | None:
    resolver = field.base_resolver
    if (
        resolver is None
        or resolver.self_parameter is None
        or resolver.root_parameter is not None
        or resolver.parent_parameter is not None
    ):
        return None
    function = resolver.wrapped_func
    if not callable(function):
        return None
    info_name = resolver.info_parameter.name if resolver.info_parameter is not None else None
    plan = tuple(
        (conversion.config.name_converter.from_argument(argument), argument.python_name,
         conversion.of(argument))
        for argument in field.arguments
    )  # fmt: skip

    def resolve(source: Any, info: Any, **values: Any) -> Any:
        strawberry_info = info_class(info, field)
        kwargs: dict[str, Any] = {}
        for name, python_name, convert in plan:
            if name in values:
                value = values[name]
                kwargs[python_name] = value if convert is None else convert(value, strawberry_info)
        if info_name is not None:
            kwargs[info_name] = strawberry_info
        return function(source, **kwargs)

    return resolve


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
