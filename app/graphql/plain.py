"""Input objects as plain dicts and lists, for the domain layer, built straight from the values
graphql-core coerced.

Strawberry would build an instance of each input class from the coerced value (working out each
field's GraphQL name and type again for every value) and the resolver would then walk them back
into dicts. `plain_input` makes an input class build the dicts itself, through Strawberry's
`from_input` hook, with each class's fields worked out once: the same dicts as that round trip
(tests/graphql/test_plain_input.py holds the two to each other), in the class's field order,
with the class's default for each field the value leaves out (None when it has none), each
list a list of its own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from strawberry.schema.name_converter import NameConverter
from strawberry.types.arguments import InputContext
from strawberry.types.base import (
    StrawberryList,
    StrawberryOptional,
    StrawberryType,
    get_object_definition,
)

Convert = Callable[[Any], Any]
Kind = TypeVar("Kind", bound=type)


def _as_is(value: Any) -> Any:
    return value


def _copied(value: list[Any]) -> list[Any]:
    # graphql-core gives every request that leaves a list out the same default list
    return list(value)


@dataclass(frozen=True, slots=True)
class _Field:
    graphql_name: str
    python_name: str
    convert: Convert  # of a value that is not None
    default: Callable[[], Any]


class _Builder:
    """The dicts of one input class, its fields worked out on first use (the schema's name
    converter is known then)."""

    def __init__(self, kind: type) -> None:
        self.kind = kind
        self.fields: tuple[_Field, ...] | None = None

    def __call__(self, _kind: type, value: Mapping[str, Any], context: InputContext) -> Any:
        return self.build(value, context.config.name_converter)

    def build(self, value: Mapping[str, Any], names: NameConverter) -> dict[str, Any]:
        fields = self.fields
        if fields is None:
            fields = self.fields = _fields(self.kind, names)
        draft = {}
        for field in fields:
            if field.graphql_name in value:
                given = value[field.graphql_name]
                draft[field.python_name] = None if given is None else field.convert(given)
            else:
                draft[field.python_name] = field.default()
        return draft


def _fields(kind: type, names: NameConverter) -> tuple[_Field, ...]:
    definition = get_object_definition(kind, strict=True)
    by_name = {f.python_name: f for f in definition.fields}
    found = []
    for declared in dataclasses.fields(kind):  # the order Strawberry's instances list them in
        field = by_name[declared.name]
        default: Callable[[], Any] = _constant(None)  # Strawberry's implicit default
        if declared.default_factory is not dataclasses.MISSING:
            default = declared.default_factory
        elif declared.default is not dataclasses.MISSING:
            default = _constant(declared.default)
        converter = _converter(field.resolve_type(type_definition=definition), names)
        found.append(_Field(names.from_field(field), field.python_name, converter, default))
    return tuple(found)


def _constant(value: Any) -> Callable[[], Any]:
    return lambda: value


def _converter(kind: StrawberryType | type, names: NameConverter) -> Convert:
    if isinstance(kind, StrawberryOptional):
        return _converter(kind.of_type, names)
    if isinstance(kind, StrawberryList):
        item = _converter(kind.of_type, names)
        if item is _as_is:
            return _copied
        return lambda values: [None if v is None else item(v) for v in values]
    definition = get_object_definition(kind)
    if definition is not None and definition.is_input:
        builder = _builder(definition.origin)
        return lambda value: builder.build(value, names)
    return _as_is  # scalars and enums: graphql-core has already made their Python values


_BUILDERS: dict[type, _Builder] = {}


def _builder(kind: type) -> _Builder:
    found = _BUILDERS.get(kind)
    if found is None:
        found = _BUILDERS[kind] = _Builder(kind)
    return found


def plain_input(kind: Kind) -> Kind:
    """Make Strawberry hand the resolver `kind`'s values as plain dicts, nested inputs too."""
    get_object_definition(kind, strict=True).from_input = _builder(kind)
    return kind
