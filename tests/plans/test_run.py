"""The plan runner against graphql-core's executor on a small Strawberry schema of its own,
where the values are the odd ones the gateway's resolvers never give: null for a non-null
field, an error as a value, an awaitable attribute, a value its scalar cannot represent, an
attribute that is missing. The leaf fast path (`_leaf`) must hand each to the general path
and answer as graphql-core does, to the error message and path."""

from __future__ import annotations

import enum
from typing import Any, NewType

import pytest
import strawberry
from graphql import ExecutionResult, GraphQLObjectType, Undefined, execute, parse
from strawberry.schema.config import StrawberryConfig

from app.graphql.plans.choose import execute_plan
from app.graphql.plans.compiler import compile_plan
from app.graphql.plans.direct import DirectResolvers

pytestmark = pytest.mark.anyio


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"


async def _later(value: Any) -> Any:
    return value


Odd = NewType("Odd", str)
ODD_SCALAR = strawberry.scalar(
    name="Odd",
    serialize=lambda value: {"nothing": None, "undefined": Undefined}.get(value, value),
    parse_value=str,
)


@strawberry.type
class Thing:
    name: str
    count: int
    maybe: str | None
    colour: Colour
    flag: bool
    odd: Odd | None


ODD: dict[str, dict[str, Any]] = {
    "plain": {
        "name": "a",
        "count": 1,
        "maybe": None,
        "colour": Colour.RED,
        "flag": True,
        "odd": "odd",
    },
    "null for non-null": {"name": None},
    "an error as its value": {"count": ValueError("no count")},
    "out of Int's range": {"count": 2**40},
    "not a number": {"count": "seven"},
    "not an enum value": {"colour": "blue"},
    "awaitable": {"name": "later", "maybe": "later"},
    "missing": {"flag": "missing"},
    "a scalar that serializes to nothing": {"odd": "nothing"},
    "a scalar that serializes to Undefined": {"odd": "undefined"},
    "Undefined as a value": {"maybe": Undefined},
}


def _thing(case: str) -> Thing:
    thing = Thing(**ODD["plain"])
    for key, value in ODD[case].items():
        if value == "later":
            setattr(thing, key, _later("soon"))
        elif value == "missing":
            delattr(thing, key)
        else:
            setattr(thing, key, value)
    return thing


@strawberry.type
class Query:
    @strawberry.field
    def thing(self, info: strawberry.Info) -> Thing | None:
        return _thing(info.context)

    @strawberry.field
    def things(self, info: strawberry.Info) -> list[Thing | None]:
        return [_thing("plain"), _thing(info.context)]


SCHEMA = strawberry.Schema(
    query=Query, config=StrawberryConfig(scalar_map={Odd: ODD_SCALAR})
)._schema
DOCUMENT = parse(
    "query Q { thing { name count maybe colour flag odd }"
    " things { name count maybe colour flag odd } }"
)


def everything(_type: str, _field: str) -> bool:
    return True


async def _core(case: str) -> ExecutionResult:
    core = execute(SCHEMA, DOCUMENT, context_value=case)
    return core if isinstance(core, ExecutionResult) else await core


def _answer(result: ExecutionResult) -> tuple[Any, list[Any]]:
    return result.data, [e.formatted for e in result.errors or ()]


@pytest.mark.parametrize("case", list(ODD))
async def test_the_plan_answers_odd_values_as_graphql_core_does(case: str) -> None:
    plan = compile_plan(SCHEMA, DOCUMENT, "Q", everything, None, DirectResolvers(SCHEMA))
    assert plan is not None
    [thing, _things] = plan.fields
    assert all(f.leaf is not None and f.attribute is not None for f in thing.children["Thing"])
    core = await _core(case)
    planned = await execute_plan(plan, None, case)
    assert _answer(planned) == _answer(core)
    assert _answer(core)[0] is not None  # the root's own resolver ran
    if case == "awaitable":
        assert core.data["thing"]["name"] == "soon"  # type: ignore[index]
    elif case == "Undefined as a value":
        assert core.data["thing"]["maybe"] is None  # type: ignore[index]
    elif case != "plain":
        assert core.errors  # each other odd case is an error for graphql-core too


async def test_a_resolver_replaced_after_the_plan_was_built_is_the_one_that_runs() -> None:
    plan = compile_plan(SCHEMA, DOCUMENT, "Q", everything, None, DirectResolvers(SCHEMA))
    assert plan is not None
    thing = SCHEMA.get_type("Thing")
    assert isinstance(thing, GraphQLObjectType)
    field, before = thing.fields["name"], thing.fields["name"].resolve
    field.resolve = lambda _source, info: f"replaced, with info for {info.field_name}"
    try:
        planned = await execute_plan(plan, None, "plain")
        core = await _core("plain")
    finally:
        field.resolve = before
    assert _answer(planned) == _answer(core)
    assert planned.data["thing"]["name"] == "replaced, with info for name"  # type: ignore[index]
