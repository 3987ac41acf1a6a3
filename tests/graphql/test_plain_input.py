"""CreateLpaInput builds its draft straight from graphql-core's coerced value
(app/graphql/plain.py); it must be the very draft Strawberry's input classes, walked back into
dicts, gave before: the same keys in the same order, the same values of the same types.

Inputs are drawn from the schema's own CreateLpaInput type (every optional field left out,
null or given; lists empty or not), sent through graphql-core's coercion as a request's
variables are, some with fields taken out as a narrower client view leaves them out, and
converted both ways."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, cast

from graphql import (
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    Undefined,
    coerce_input_value,
)
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from strawberry.types.arguments import convert_argument
from strawberry.types.base import get_object_definition

from app.graphql.inputs import CreateLpaInput
from app.graphql.schema import build_schema
from bench.operations import _new_lpa
from tests.factories import online_lpa

SCHEMA = build_schema()
INPUT_TYPE = cast(GraphQLInputObjectType, SCHEMA._schema.type_map["CreateLpaInput"])

# Strawberry's own conversion: CreateLpaInput as it was, without the hook
_DEFINITION = get_object_definition(CreateLpaInput, strict=True)
_BEFORE = type(
    "CreateLpaInput",
    (CreateLpaInput,),
    {"__strawberry_definition__": dataclasses.replace(_DEFINITION, from_input=None)},
)


def _strawberry(coerced: dict[str, Any]) -> Any:
    converted = convert_argument(
        coerced, _BEFORE, SCHEMA.schema_converter.scalar_registry, SCHEMA.config
    )
    return _walked(converted)


def _walked(value: Any) -> Any:
    """The walk the resolver made of Strawberry's instances (app/graphql/plain.py's `plain`)."""
    if isinstance(value, list):
        return [_walked(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _walked(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def _hooked(coerced: dict[str, Any]) -> Any:
    return convert_argument(
        coerced, CreateLpaInput, SCHEMA.schema_converter.scalar_registry, SCHEMA.config
    )


def _same(before: Any, after: Any, where: str = "") -> None:
    assert type(before) is type(after), where
    if isinstance(before, dict):
        assert list(before) == list(after), where
        for key in before:
            _same(before[key], after[key], f"{where}/{key}")
    elif isinstance(before, list):
        assert len(before) == len(after), where
        for i, (b, a) in enumerate(zip(before, after, strict=True)):
            _same(b, a, f"{where}/{i}")
    else:
        assert before == after, where


def _narrowed(value: Any, rng: random.Random) -> Any:
    """The coerced value a client view that leaves some input fields out would give: graphql-core
    fills in no default for a field the view does not have."""
    if isinstance(value, list):
        return [_narrowed(item, rng) for item in value]
    if isinstance(value, dict):
        return {k: _narrowed(v, rng) for k, v in value.items() if rng.random() > 0.2}
    return value


def _check(wire: dict[str, Any], rng: random.Random | None = None) -> None:
    coerced = coerce_input_value(wire, INPUT_TYPE)
    if rng is not None:
        coerced = _narrowed(coerced, rng)
    before, after = _strawberry(coerced), _hooked(coerced)
    _same(before, after)
    assert before == after
    # a list of our own: changing one request's draft changes no other's
    for key, value in after.items():
        if isinstance(value, list):
            assert value is not coerced.get(SCHEMA.config.name_converter.apply_naming_config(key))


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
    return st.text(max_size=6)


def _values(kind: GraphQLInputType, depth: int = 0) -> st.SearchStrategy[Any]:
    if isinstance(kind, GraphQLNonNull):
        return _values(kind.of_type, depth)
    if isinstance(kind, GraphQLList):
        item = kind.of_type
        items = _values(item, depth + 1)
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
        value = _values(field.type, depth + 1)
        if not isinstance(field.type, GraphQLNonNull):
            fields[name] = st.just(_ABSENT) | st.none() | value
        elif field.default_value is Undefined:  # required
            fields[name] = value
        else:
            fields[name] = st.just(_ABSENT) | value
    return st.fixed_dictionaries(fields).map(
        lambda drawn: {k: v for k, v in drawn.items() if v is not _ABSENT}
    )


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_values(INPUT_TYPE), st.none() | st.randoms(use_true_random=False))
def test_the_draft_is_the_one_strawberrys_input_classes_gave(
    wire: dict[str, Any], narrowing: random.Random | None
) -> None:
    try:
        coerce_input_value(wire, INPUT_TYPE)
    except GraphQLError:
        assume(False)
    _check(wire, narrowing)


def test_the_bench_and_factory_lpas_give_the_same_drafts() -> None:
    rng = random.Random(3)  # noqa: S311
    wires = [_new_lpa(rng) for _ in range(50)]
    wires += [online_lpa(), online_lpa(trustCorporations=[]), online_lpa(attorneys=[])]
    for wire in wires:
        _check(wire)


def test_every_field_left_out_takes_the_classes_default() -> None:
    lpa = _new_lpa(random.Random(1))  # noqa: S311
    wire: dict[str, Any] = {
        "lpaType": "PERSONAL_WELFARE",
        "channel": "PAPER",
        "language": "CY",
        "attorneys": [],
    }
    wire |= {"donor": lpa["donor"], "certificateProvider": lpa["certificateProvider"]}
    _check(wire)
    draft = _hooked(coerce_input_value(wire, INPUT_TYPE))
    assert draft["trust_corporations"] == []
    assert draft["people_to_notify"] == []
    assert draft["signed_at"] is None
    assert draft["independent_witness"] is None
