"""Variables coerced by each type's compiled coercion give what graphql-core gives, with no
database: every input type of the schema, over valid values, broken ones and values JSON never
gives; the types left to graphql-core; and a plan's variables taken whole or not at all."""

from __future__ import annotations

import random
from collections import OrderedDict
from typing import Any, cast

import pytest
from graphql import (
    GraphQLArgument,
    GraphQLField,
    GraphQLFloat,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    Undefined,
    coerce_input_value,
    is_input_type,
    parse,
)
from graphql.execution.values import (
    VariableValues,
    get_variable_values,
    input_is_nested_too_deeply,
)
from graphql.language.parser import MAX_NESTING_DEPTH
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.graphql.plans.coerce import Uncompiled, compile_coercion
from app.graphql.plans.compiler import compile_plan
from app.graphql.plans.run import _fast_values
from app.graphql.schema import build_schema
from bench.operations import _new_lpa
from tests.factories import online_lpa
from tests.input_values import input_values, same

FULL = build_schema()._schema
NAMED: list[Any] = sorted(
    (t for name, t in FULL.type_map.items() if is_input_type(t) and not name.startswith("__")),
    key=lambda t: t.name,
)
# each named input type, and lists and non-nulls of it, as a variable may declare them
TYPES: list[Any] = [
    wrapped
    for named in NAMED
    for wrapped in (named, GraphQLNonNull(named), GraphQLList(GraphQLNonNull(named)))
]
JUNK = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=6,
)


def _typed_values(types: list[GraphQLInputType]) -> st.SearchStrategy[tuple[Any, Any]]:
    return st.sampled_from(types).flatmap(lambda t: st.tuples(st.just(t), input_values(t)))


def _broken(value: Any, rng: random.Random, junk: Any) -> Any:
    """`value` with one node, drawn at random, replaced by junk, left out, or given a member
    no type has."""
    if isinstance(value, list) and value and rng.random() < 0.7:
        index = rng.randrange(len(value))
        return [*value[:index], _broken(value[index], rng, junk), *value[index + 1 :]]
    if isinstance(value, dict) and rng.random() < 0.8:
        choice = rng.random()
        if choice < 0.15:
            return {**value, "noSuchField": junk}
        if value and choice < 0.3:
            left_out = rng.choice(list(value))
            return {k: v for k, v in value.items() if k != left_out}
        if value:
            key = rng.choice(list(value))
            return {**value, key: _broken(value[key], rng, junk)}
    return junk


def _agrees(type_: GraphQLInputType, value: Any) -> Any:
    """The compiled coercion gives graphql-core's value, or refuses exactly what it refuses."""
    ours = compile_coercion(type_)(value)
    core = coerce_input_value(value, type_)
    if core is Undefined:
        assert ours is Undefined
    else:
        assert ours is not Undefined
        same(core, ours)
    return ours


def test_every_input_type_of_the_schema_compiles() -> None:
    assert len(NAMED) > 20  # scalars, enums and input objects
    for type_ in TYPES:
        compile_coercion(type_)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_typed_values(TYPES))
def test_a_valid_value_coerces_to_what_graphql_core_gives(typed: tuple[Any, Any]) -> None:
    type_, value = typed
    assert coerce_input_value(value, type_) is not Undefined  # the strategy's own promise
    _agrees(type_, value)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_typed_values(TYPES), st.randoms(use_true_random=False), JUNK)
def test_a_broken_value_is_refused_exactly_where_graphql_core_refuses_it(
    typed: tuple[Any, Any], rng: random.Random, junk: Any
) -> None:
    type_, value = typed
    _agrees(type_, _broken(value, rng, junk))


def test_the_bench_and_factory_lpas_coerce_as_graphql_core_coerces_them() -> None:
    create = GraphQLNonNull(cast(GraphQLInputObjectType, FULL.type_map["CreateLpaInput"]))
    rng = random.Random(5)  # noqa: S311
    for wire in [_new_lpa(rng) for _ in range(20)] + [online_lpa()]:
        assert _agrees(create, wire) is not Undefined


@pytest.mark.parametrize(
    ("type_name", "value"),
    [
        ("CreateLpaInput", OrderedDict()),  # a dict, but not one JSON gives
        ("String", ()),
    ],
)
def test_a_value_json_never_gives_is_left_to_graphql_core(type_name: str, value: Any) -> None:
    type_ = GraphQLList(FULL.type_map[type_name])
    assert compile_coercion(type_)(value) is Undefined
    assert compile_coercion(GraphQLList(GraphQLString))(("a",)) is Undefined
    assert coerce_input_value(("a",), GraphQLList(GraphQLString)) == ["a"]


ANYTHING = GraphQLScalarType("Anything", parse_value=lambda value: value)
POINT = GraphQLInputObjectType(
    "Point",
    {
        "lat": GraphQLInputField(GraphQLFloat, out_name="latitude"),
        "tags": GraphQLInputField(GraphQLList(ANYTHING)),
    },
    out_type=lambda coerced: ("point", coerced),
)


@pytest.mark.parametrize(
    "value",
    [
        {"lat": 1.5, "tags": ["a", {"b": 1}]},
        {"lat": 1.5, "tags": "a"},
        {"tags": None},
        {"lat": "north"},
    ],
)
def test_out_names_out_types_and_leaves_that_take_anything_are_kept(value: Any) -> None:
    """Features our schema does not use, as graphql-core has them."""
    _agrees(POINT, value)


def test_a_sequence_json_never_gives_is_not_taken_as_one_item() -> None:
    value = {"tags": ("a", "b")}
    assert coerce_input_value(value, POINT) == ("point", {"tags": ["a", "b"]})
    assert compile_coercion(POINT)(value) is Undefined  # left to graphql-core


NODE: GraphQLInputObjectType = GraphQLInputObjectType(
    "Node",
    lambda: {"value": GraphQLInputField(GraphQLString), "next": GraphQLInputField(NODE)},
)


def test_an_input_object_that_holds_itself_is_left_to_graphql_core() -> None:
    with pytest.raises(Uncompiled, match="holds itself"):
        compile_coercion(NODE)
    with pytest.raises(Uncompiled, match="holds itself"):
        compile_coercion(GraphQLList(GraphQLNonNull(NODE)))


def test_a_one_of_input_is_left_to_graphql_core() -> None:
    choice = GraphQLInputObjectType(
        "Choice",
        {"a": GraphQLInputField(GraphQLString), "b": GraphQLInputField(GraphQLString)},
        is_one_of=True,
    )
    with pytest.raises(Uncompiled, match="oneOf"):
        compile_coercion(choice)


def _lists(depth: int) -> GraphQLInputType:
    type_: GraphQLInputType = GraphQLString
    for _ in range(depth):
        type_ = GraphQLList(type_)
    return type_


def _nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


def test_a_type_as_deep_as_graphql_cores_guard_allows_compiles_and_one_deeper_does_not() -> None:
    at_limit = _lists(MAX_NESTING_DEPTH)
    assert not input_is_nested_too_deeply(_nested(MAX_NESTING_DEPTH), at_limit)
    assert compile_coercion(at_limit)(_nested(MAX_NESTING_DEPTH)) == _nested(MAX_NESTING_DEPTH)
    beyond = _lists(MAX_NESTING_DEPTH + 1)
    assert input_is_nested_too_deeply(_nested(MAX_NESTING_DEPTH + 1), beyond)
    with pytest.raises(Uncompiled, match="deeper"):
        compile_coercion(beyond)


# A plan's variables: coerced whole by the compiled coercions, or left whole to graphql-core

STATUS = "query S($uid: LpaUid!) { lpaStatus(uid: $uid) { isRegistered lpaType } }"
CREATE = (
    "mutation C($input: CreateLpaInput!, $key: String!) {"
    " createLpa(input: $input, idempotencyKey: $key) { accepted } }"
)
DEFAULTED = 'query S($uid: LpaUid! = "M-8437-7464-3309") { lpaStatus(uid: $uid) { lpaType } }'


def _plan(text: str) -> Any:
    plan = compile_plan(FULL, parse(text), None, lambda _t, _f: True, None)
    assert plan is not None
    return plan


def _given(variables: dict[str, Any]) -> dict[str, Any]:
    """The variables, with an online LPA where they say "online"."""
    if variables.get("input") == "online":
        return {**variables, "input": online_lpa()}
    return variables


def _core(plan: Any, variables: dict[str, Any]) -> Any:
    return get_variable_values(FULL, plan.operation.variable_definitions or (), variables)


def _sources(values: VariableValues) -> list[tuple[str, str, Any, Any]]:
    # each call of graphql-core wraps the type anew, so types compare by what they print
    return [
        (name, str(s.signature.type), s.signature.default, s.value)
        for name, s in values.sources.items()
    ]


@pytest.mark.parametrize(
    ("text", "variables"),
    [
        (STATUS, {"uid": "M-8437-7464-3309"}),
        (STATUS, {"uid": "M-8437-7464-3309", "unused": [1]}),
        (DEFAULTED, {"uid": "M-8437-7464-3309"}),
        (CREATE, {"input": "online", "key": "k-1"}),
    ],
)
def test_a_plans_variables_coerce_as_graphql_core_coerces_them(
    text: str, variables: dict[str, Any]
) -> None:
    plan, variables = _plan(text), _given(variables)
    ours, core = _fast_values(plan, variables), _core(plan, variables)
    assert isinstance(ours, VariableValues)
    assert isinstance(core, VariableValues)
    same(core.coerced, ours.coerced)
    assert _sources(ours) == _sources(core)


@pytest.mark.parametrize(
    ("text", "variables"),
    [
        (STATUS, {}),
        (STATUS, {"uid": None}),
        (STATUS, {"uid": ["M-8437-7464-3309"]}),
        (STATUS, {"uid": {"a": 1}}),
        (STATUS, {"uid": 7}),
        (STATUS, {"uid": "x"}),
        (CREATE, {"input": {}, "key": "k-1"}),
        (CREATE, {"input": "online", "key": None}),
        (CREATE, {"input": "online"}),
    ],
)
def test_anything_that_does_not_coerce_is_left_whole_to_graphql_core(
    text: str, variables: dict[str, Any]
) -> None:
    plan, variables = _plan(text), _given(variables)
    assert _fast_values(plan, variables) is None
    assert isinstance(_core(plan, variables), list)  # graphql-core's errors


def test_a_missing_variable_with_a_default_is_left_to_graphql_core_which_fills_it_in() -> None:
    plan = _plan(DEFAULTED)
    assert _fast_values(plan, {}) is None
    core = _core(plan, {})
    assert isinstance(core, VariableValues)
    assert core.coerced == {"uid": "M-8437-7464-3309"}


def _echo(argument: GraphQLInputType, declared: str) -> Any:
    """The plan of `query E($arg: <declared>) { echo(arg: $arg) }` on a schema of one field."""
    field = GraphQLField(GraphQLString, {"arg": GraphQLArgument(argument)})
    schema = GraphQLSchema(GraphQLObjectType("Query", {"echo": field}))
    text = f"query E($arg: {declared}) {{ echo(arg: $arg) }}"
    plan = compile_plan(schema, parse(text), None, lambda *_: True, None)
    assert plan is not None
    return plan


def test_a_nullable_variable_given_null_coerces_to_null_as_graphql_core_has_it() -> None:
    plan = _echo(GraphQLString, "String")
    ours = _fast_values(plan, {"arg": None})
    core = get_variable_values(plan.schema, plan.operation.variable_definitions, {"arg": None})
    assert isinstance(ours, VariableValues)
    assert isinstance(core, VariableValues)
    assert ours.coerced == core.coerced == {"arg": None}


def test_a_plan_whose_variable_type_does_not_compile_leaves_every_variable_to_graphql_core() -> (
    None
):
    plan = _echo(NODE, "Node")
    assert plan.variables is None
    assert _fast_values(plan, {"arg": {"value": "x"}}) is None
