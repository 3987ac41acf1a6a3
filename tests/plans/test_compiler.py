"""The compiler, with no database: what gets a plan, what is left to graphql-core, the guard's
decision taken at build time, and the bound on a view's ad-hoc plans."""

from __future__ import annotations

from collections.abc import Iterator
from types import GeneratorType
from typing import Any

import pytest
import strawberry
from graphql import GraphQLObjectType, GraphQLSchema, MiddlewareManager, parse

from app.authz.policy import ClientPolicy, load_policy
from app.graphql.bounds import InputBounds
from app.graphql.client_view import client_view
from app.graphql.guard import FieldGuard
from app.graphql.plans.cache import Plans
from app.graphql.plans.compiler import compile_plan
from app.graphql.plans.direct import DirectResolvers
from app.graphql.plans.run import _plain, awaitable
from app.graphql.schema import build_schema

STATUS = 'query Status { lpaStatus(uid: "M-8437-7464-3309") { isRegistered } }'
VALIDATE = 'query Check { validateLpa(uid: "M-8437-7464-3309") { valid } }'


@pytest.fixture(scope="module")
def full() -> GraphQLSchema:
    return build_schema()._schema


@pytest.fixture(scope="module")
def use() -> ClientPolicy:
    return load_policy().clients["opg.poas.use"]


def everything(_type: str, _field: str) -> bool:
    return True


def test_a_query_with_aliases_and_fragments_gets_one_plan_with_merged_fields(
    full: GraphQLSchema,
) -> None:
    text = """
      query Q($uid: LpaUid!) {
        first: lpaStatus(uid: $uid) { ...Flags isRegistered }
        second: lpaStatus(uid: $uid) { ... on LpaStatus { lpaType } __typename }
      }
      fragment Flags on LpaStatus { isRegistered isCancelled }
    """
    plan = compile_plan(full, parse(text), "Q", everything, None)
    assert plan is not None
    assert [f.key for f in plan.fields] == ["first", "second"]
    first, second = plan.fields
    assert [f.key for f in first.children["LpaStatus"]] == ["isRegistered", "isCancelled"]
    assert [len(f.nodes) for f in first.children["LpaStatus"]] == [2, 1]  # merged, as graphql-core
    assert [f.key for f in second.children["LpaStatus"]] == ["lpaType", "__typename"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            'query Q($s: Boolean!) { lpaStatus(uid: "M-8437-7464-3309") @skip(if: $s)'
            " { isRegistered } }",
            "Q",
        ),
        ("query Q { __schema { queryType { name } } }", "Q"),
        ('query Q { __type(name: "Query") { name } }', "Q"),
        (STATUS, "Other"),  # names no operation of the document
        (STATUS + " query Two { __typename }", None),  # several operations, no name
    ],
)
def test_what_is_left_to_graphql_core(full: GraphQLSchema, text: str, name: str | None) -> None:
    assert compile_plan(full, parse(text), name, everything, None) is None


MUTATION = (
    'mutation M { registerLpa(uid: "M-8437-7464-3309", expectedVersion: 1,'
    ' idempotencyKey: "k") { accepted } }'
)


def test_a_mutation_gets_a_plan_that_runs_its_fields_serially(full: GraphQLSchema) -> None:
    plan = compile_plan(full, parse(MUTATION), "M", everything, None)
    assert plan is not None
    assert plan.serial
    query = compile_plan(full, parse(STATUS), "Status", everything, None)
    assert query is not None
    assert not query.serial


def test_the_twin_that_gets_a_plan(full: GraphQLSchema) -> None:
    assert compile_plan(full, parse(STATUS), "Status", everything, None) is not None
    assert compile_plan(full, parse(STATUS + " query Two { __typename }"), "Two", everything, None)


def test_no_plan_exists_for_a_field_the_guard_refuses(
    full: GraphQLSchema, use: ClientPolicy
) -> None:
    """A view wired wrongly (validateLpa in Use an LPA's view): the guard, built from the
    policy, refuses the field when the plan is built, so there is no plan and graphql-core
    runs the document, where the guard refuses it again at run time."""
    guard = FieldGuard(use)
    assert compile_plan(full, parse(VALIDATE), "Check", guard.allows, None) is None
    assert compile_plan(full, parse(STATUS), "Status", guard.allows, None) is not None
    # the same holds below the root: a granted root field with one refused field inside
    nested = (
        'query N { lpaStatus(uid: "M-8437-7464-3309") { isRegistered }'
        ' validateLpa(uid: "M-8437-7464-3309") { valid } }'
    )
    assert compile_plan(full, parse(nested), "N", guard.allows, None) is None


def test_a_views_plans_are_built_with_its_own_guard(full: GraphQLSchema, use: ClientPolicy) -> None:
    """client_view wires the policy's guard into the view's plans: a document parsed
    elsewhere (as if the view were wired wrongly) gets no plan for a refused field."""
    view = client_view(full, use)
    assert view.plans is not None
    assert view.plans.get(parse(STATUS), "Status") is not None
    assert view.plans.get(parse(VALIDATE), "Check") is None


def _documents(count: int) -> list[str]:
    return [f"query Q{i} {{ __typename }}" for i in range(count)]


@pytest.mark.parametrize("size", [1, 3])
def test_ad_hoc_plans_are_kept_up_to_the_bound(full: GraphQLSchema, size: int) -> None:
    plans = Plans(full, everything, None, size=size)
    documents = [parse(text) for text in _documents(size)]
    built = [plans.get(d, None) for d in documents]
    assert len(plans) == size
    assert all(plans.get(d, None) is p for d, p in zip(documents, built, strict=True))


@pytest.mark.parametrize("size", [1, 3])
def test_one_past_the_bound_the_least_recently_used_plan_goes(
    full: GraphQLSchema, size: int
) -> None:
    plans = Plans(full, everything, None, size=size)
    documents = [parse(text) for text in _documents(size + 1)]
    built = [plans.get(d, None) for d in documents]
    assert len(plans) == size
    assert plans.get(documents[-1], None) is built[-1]  # the newest is kept
    assert plans.get(documents[0], None) is not built[0]  # the oldest went and is built again


STATUS_BY_VARIABLE = "query S($uid: LpaUid!) { lpaStatus(uid: $uid) { isRegistered lpaType } }"


def test_only_fields_given_arguments_are_wrapped_in_the_bounds_and_read_info(
    full: GraphQLSchema,
) -> None:
    bounds = MiddlewareManager(InputBounds())
    plan = compile_plan(full, parse(STATUS_BY_VARIABLE), "S", everything, bounds)
    assert plan is not None
    [root] = plan.fields
    assert root.needs_info
    assert root.resolve is not root.definition.resolve  # the bounds check its argument
    for leaf in root.children["LpaStatus"]:
        assert not leaf.needs_info
        assert leaf.resolve is leaf.definition.resolve


def test_a_middleware_that_does_not_say_it_acts_on_arguments_only_wraps_every_field(
    full: GraphQLSchema,
) -> None:
    class Everywhere:
        def resolve(self, next_: Any, root: Any, info: Any, **args: Any) -> Any:
            return next_(root, info, **args)

    plan = compile_plan(
        full, parse(STATUS_BY_VARIABLE), "S", everything, MiddlewareManager(Everywhere())
    )
    assert plan is not None
    for leaf in plan.fields[0].children["LpaStatus"]:
        assert leaf.needs_info
        assert leaf.resolve is not leaf.definition.resolve


@pytest.mark.parametrize(
    ("field", "direct"),
    [
        (("Query", "lpaStatus"), True),  # a scalar argument, the info
        (("Query", "donorIdentityMatches"), True),  # camelCase arguments renamed
        (("Lpa", "history"), True),  # `self`: the source, first; an argument, the info
        (("FeeReductionRequest", "decisions"), True),  # `self` and the info
        (("Mutation", "createLpa"), False),  # an input object: Strawberry builds its class
        (("LpaStatus", "isRegistered"), False),  # no resolver of its own
    ],
)
def test_strawberry_is_left_out_only_where_its_wrapping_passes_values_through(
    full: GraphQLSchema, field: tuple[str, str], direct: bool
) -> None:
    parent = full.get_type(field[0])
    assert isinstance(parent, GraphQLObjectType)
    assert (DirectResolvers(full).resolver(parent.fields[field[1]]) is not None) is direct


def test_a_view_without_its_strawberry_schema_keeps_strawberrys_resolvers(
    full: GraphQLSchema, use: ClientPolicy
) -> None:
    view = client_view(full, use).schema
    query = view.query_type
    assert query is not None
    assert DirectResolvers(view).resolver(query.fields["lpaStatus"]) is None


def test_a_type_found_not_awaitable_is_remembered_and_a_coroutine_always_is() -> None:
    class Plain:
        pass

    assert not awaitable(Plain())
    assert Plain in _plain

    async def work() -> None:
        return None

    coroutine = work()
    assert awaitable(coroutine)
    coroutine.close()

    def generator() -> Iterator[int]:
        yield 1

    assert not awaitable(generator())
    assert GeneratorType not in _plain  # a generator may be an old-style coroutine


class _Refused(Exception):
    pass


@strawberry.type
class RefusedError:
    reason: str


class _Handler(strawberry.ExceptionHandler[_Refused, RefusedError]):
    def handle(self, exception: _Refused, *, field: Any, info: Any) -> RefusedError:
        return RefusedError(reason="refused")


@strawberry.type
class Echoed:
    text: str


def _echo(text: str) -> str:
    return text


def _checked(text: str) -> Echoed | RefusedError:
    raise _Refused


@strawberry.type
class EchoQuery:
    echo: str = strawberry.field(resolver=_echo)
    checked: Echoed | RefusedError = strawberry.field(resolver=_checked)


def test_a_schema_with_an_exception_handler_keeps_strawberrys_resolvers() -> None:
    """Strawberry turns a handled exception into a result of the field's union type: that is
    its wrapping's work, so no resolver is called past it."""

    def echo(schema: strawberry.Schema) -> Any:
        query = schema._schema.query_type
        assert query is not None
        return DirectResolvers(schema._schema).resolver(query.fields["echo"])

    assert echo(strawberry.Schema(EchoQuery)) is not None
    assert echo(strawberry.Schema(EchoQuery, exception_handlers=[_Handler()])) is None
