"""graphql-core's `coerce_input_value`, compiled once per variable's type.

graphql-core coerces a variable's value by asking, at every node of the value, what kind of
type it stands at (non-null, list, input object, leaf). A plan's variables have fixed types, so
those questions are answered once, when the plan is built: each type becomes a function that
coerces a value of it. Each function does exactly what `coerce_input_value` does at that kind of
type, in the same order, and gives the same value (the same leaf coercion, the same defaults,
the same `out_type` call on an input object's dict); where graphql-core would refuse the value,
or where the value is not one JSON gives (a tuple, a dict subclass), it answers `Undefined`, and
the run hands the whole of the variables to graphql-core, which coerces them again and reports
its own errors (run.py, `_fast_values`).

No function is built for a type graphql-core would have to guard against deep nesting: an input
object type that holds itself, however deeply, or a type nested deeper than graphql-core's
`MAX_NESTING_DEPTH`. Below that depth a value can nest only as far as its type does, so
graphql-core's `input_is_nested_too_deeply` cannot be true, and it is not asked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    is_leaf_type,
    is_required_input_field,
)
from graphql.language.parser import MAX_NESTING_DEPTH
from graphql.pyutils import Undefined
from graphql.utilities.coerce_input_value import coerce_default_value

Coerce = Callable[[Any], Any]

# What graphql-core takes as one item of a list (`is_iterable` is false for it); any other type
# than these, or `list`, is not one JSON gives, and is left to graphql-core
_SINGLE = frozenset({str, int, float, bool, dict})


class Uncompiled(Exception):
    """A type whose values are left to graphql-core."""


def compile_coercion(type_: GraphQLInputType) -> Coerce:
    """The function coercing a value of `type_` as `coerce_input_value` does, or `Undefined`
    where graphql-core might answer otherwise; `Uncompiled` for a type that needs the depth
    guard."""
    return _compile(type_, depth=0, within=frozenset())


def _compile(type_: Any, depth: int, within: frozenset[str]) -> Coerce:
    # `depth` counts as `input_is_nested_too_deeply` does: one more per list and object level
    if depth > MAX_NESTING_DEPTH:
        raise Uncompiled(f"nested deeper than {MAX_NESTING_DEPTH}")
    if isinstance(type_, GraphQLNonNull):
        return _non_null(_compile(type_.of_type, depth, within))
    if isinstance(type_, GraphQLList):
        return _list(_compile(type_.of_type, depth + 1, within))
    if isinstance(type_, GraphQLInputObjectType):
        if type_.name in within:
            raise Uncompiled(f"{type_.name} holds itself")
        if type_.is_one_of:
            raise Uncompiled(f"{type_.name} is a oneOf input")
        inner = within | {type_.name}
        fields = tuple(
            _Field(name, field, _compile(field.type, depth + 1, inner))
            for name, field in type_.fields.items()
        )
        return _object(type_, fields)
    if not is_leaf_type(type_):
        raise Uncompiled(f"{type_} is no input type")
    return _leaf(type_)


def _non_null(inner: Coerce) -> Coerce:
    def coerce(value: Any) -> Any:
        if value is None or value is Undefined:
            return Undefined
        return inner(value)

    return coerce


def _list(item: Coerce) -> Coerce:
    def coerce(value: Any) -> Any:
        if value is None or value is Undefined:
            return None
        kind = type(value)
        if kind is list:
            items = []
            for one in value:
                coerced = item(one)
                if coerced is Undefined:
                    return Undefined
                items.append(coerced)
            return items
        if kind in _SINGLE:  # a list of one
            coerced = item(value)
            return Undefined if coerced is Undefined else [coerced]
        return Undefined

    return coerce


class _Field:
    __slots__ = ("coerce", "definition", "name", "out_name", "required")

    def __init__(self, name: str, definition: GraphQLInputField, coerce: Coerce) -> None:
        self.name = name
        self.out_name = definition.out_name or name
        self.definition = definition
        self.required = is_required_input_field(definition)
        self.coerce = coerce


def _object(type_: GraphQLInputObjectType, fields: tuple[_Field, ...]) -> Coerce:
    names = frozenset(field.name for field in fields)

    def coerce(value: Any) -> Any:
        if value is None or value is Undefined:
            return None
        if type(value) is not dict or not names.issuperset(value):
            return Undefined  # not a dict, or a field the type does not have
        coerced: dict[str, Any] = {}
        for field in fields:
            given = value.get(field.name, Undefined)
            if given is Undefined:
                if field.required:
                    return Undefined
                default = coerce_default_value(field.definition)
                if default is not Undefined:
                    coerced[field.out_name] = default
            else:
                one = field.coerce(given)
                if one is Undefined:
                    return Undefined
                coerced[field.out_name] = one
        return type_.out_type(coerced)

    return coerce


def _leaf(type_: GraphQLLeafType) -> Coerce:
    def coerce(value: Any) -> Any:
        if value is None or value is Undefined:
            return None
        try:
            return type_.coerce_input_value(value)
        except Exception:  # graphql-core's own answer to a leaf that does not coerce
            return Undefined

    return coerce
