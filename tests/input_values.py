"""Values of a schema's input types, drawn by hypothesis as a client would send them in JSON
(each optional field left out, null or given), and a comparison of coerced values that holds
types and key order as well as equality."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    Undefined,
)
from hypothesis import strategies as st

from app.domain.uid import uid_for_sequence


def same(before: Any, after: Any, where: str = "") -> None:
    """Equal, with the same types throughout and the same key order."""
    assert type(before) is type(after), where
    if isinstance(before, dict):
        assert list(before) == list(after), where
        for key in before:
            same(before[key], after[key], f"{where}/{key}")
    elif isinstance(before, list):
        assert len(before) == len(after), where
        for i, (b, a) in enumerate(zip(before, after, strict=True)):
            same(b, a, f"{where}/{i}")
    else:
        assert before == after, where


_ZONES = st.sampled_from([UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5))])


def _scalar(kind: GraphQLScalarType) -> st.SearchStrategy[Any]:
    if kind.name == "Date":
        return st.dates(date(1900, 1, 1), date(2100, 12, 31)).map(date.isoformat)
    if kind.name == "DateTime":
        naive = datetime(1990, 1, 1), datetime(2100, 1, 1)  # noqa: DTZ001  # zones drawn apart
        return st.datetimes(*naive, timezones=_ZONES).map(datetime.isoformat)
    if kind.name == "Boolean":
        return st.booleans()
    if kind.name == "Int":
        return st.integers(-1000, 1000)
    if kind.name == "LpaUid":
        return st.integers(1, 10**10).map(uid_for_sequence)
    if kind.name == "UUID":
        return st.uuids().map(str)
    return st.text(max_size=6)


def input_values(kind: GraphQLInputType, depth: int = 0) -> st.SearchStrategy[Any]:
    """Valid values of `kind`, as JSON gives them."""
    if isinstance(kind, GraphQLNonNull):
        return input_values(kind.of_type, depth)
    if isinstance(kind, GraphQLList):
        item = kind.of_type
        items = input_values(item, depth + 1)
        if not isinstance(item, GraphQLNonNull):
            items = st.none() | items
        return st.lists(items, max_size=3)
    if isinstance(kind, GraphQLEnumType):
        return st.sampled_from(sorted(kind.values))
    if isinstance(kind, GraphQLInputObjectType):
        return _objects(kind, depth)
    assert isinstance(kind, GraphQLScalarType)
    return _scalar(kind)


_ABSENT = object()


def _objects(kind: GraphQLInputObjectType, depth: int) -> st.SearchStrategy[dict[str, Any]]:
    fields = {}
    for name, field in kind.fields.items():
        value = input_values(field.type, depth + 1)
        if not isinstance(field.type, GraphQLNonNull):
            fields[name] = st.just(_ABSENT) | st.none() | value
        elif field.default_value is Undefined:  # required
            fields[name] = value
        else:
            fields[name] = st.just(_ABSENT) | value
    return st.fixed_dictionaries(fields).map(
        lambda drawn: {k: v for k, v in drawn.items() if v is not _ABSENT}
    )
