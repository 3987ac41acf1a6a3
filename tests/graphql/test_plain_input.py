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
from typing import Any, cast

from graphql import (
    GraphQLError,
    GraphQLInputObjectType,
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
from tests.input_values import input_values, same

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
    same(before, after)
    assert before == after
    # a list of our own: changing one request's draft changes no other's
    for key, value in after.items():
        if isinstance(value, list):
            assert value is not coerced.get(SCHEMA.config.name_converter.apply_naming_config(key))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(input_values(INPUT_TYPE), st.none() | st.randoms(use_true_random=False))
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
