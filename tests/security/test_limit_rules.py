"""The document limits as validation rules, each at its limit and one past it, directly and
through fragments, on a schema deep enough to reach them."""

from __future__ import annotations

import pytest
from graphql import build_schema, parse, specified_rules, validate

from app.graphql.limits import rules_for

SCHEMA = build_schema(
    """
    type Node { x: Int child: Node children(first: Int = 10): [Node!]! }
    type Query { node: Node nodes(first: Int): [Node!]! secret(n: Int): Int }
    """
)
LIMITS = {"max_depth": 6, "max_aliases": 15, "max_directives": 50, "max_cost": 200}


def errors(document: str, **limits: int) -> list[str]:
    rules = [*specified_rules, *rules_for(**{**LIMITS, **limits})]
    return [e.message for e in validate(SCHEMA, parse(document), rules)]


def nested(depth: int) -> str:
    inner = "x"  # node { child { ... { x } } }: `node` and `x` are two of the levels
    for _ in range(depth - 2):
        inner = f"child {{ {inner} }}"
    return f"{{ node {{ {inner} }} }}"


def test_depth_six_passes_and_seven_is_refused() -> None:
    assert errors(nested(6)) == []
    assert errors(nested(7)) == ["Query depth 7 exceeds the limit of 6."]


def test_depth_counts_through_named_and_inline_fragments() -> None:
    document = (
        "query { node { ...A } } fragment A on Node { child { ... on Node { child { ...B } } } }"
        " fragment B on Node { child { child { child { x } } } }"
    )
    assert errors(document) == ["Query depth 7 exceeds the limit of 6."]
    assert errors(document, max_depth=7) == []


def test_a_client_may_have_a_lower_depth() -> None:
    assert errors(nested(3), max_depth=3) == []
    assert errors(nested(4), max_depth=3) == ["Query depth 4 exceeds the limit of 3."]


def aliases(n: int) -> str:
    return "{ " + " ".join(f"a{i}: node {{ x }}" for i in range(n)) + " }"


def test_fifteen_aliases_pass_and_sixteen_are_refused() -> None:
    assert errors(aliases(15)) == []
    assert errors(aliases(16)) == ["16 aliases exceed the limit of 15."]


def test_aliases_count_each_fragment_spread() -> None:
    fragment = "fragment F on Query { " + " ".join(f"b{i}: node {{ x }}" for i in range(8)) + " }"
    assert errors("query { ...F }" + fragment) == []
    assert errors("query { ...F ... on Query { ...F } }" + fragment) == [
        "16 aliases exceed the limit of 15."
    ]


def directives(n: int) -> str:
    return "{ node { " + " ".join(["x @include(if: true)"] * n) + " } }"


def test_fifty_directives_pass_and_fifty_one_give_one_error() -> None:
    assert errors(directives(50)) == []
    assert errors(directives(51)) == ["51 directives exceed the limit of 50."]
    assert errors(directives(500), max_cost=1000) == ["500 directives exceed the limit of 50."]


def test_directives_count_through_fragments() -> None:
    fragment = "fragment F on Node { " + " ".join(["x @skip(if: false)"] * 26) + " }"
    assert errors("{ node { ...F } }" + fragment) == []
    assert errors("{ node { ...F } other: node { ...F } }" + fragment) == [
        "52 directives exceed the limit of 50."
    ]


@pytest.mark.parametrize(
    ("document", "cost"),
    [
        ("{ node { x } }", 2),
        ("{ nodes(first: 5) { x } }", 6),
        ("{ nodes { x } }", 11),  # a list without `first` counts as 10
        ("query($n: Int) { nodes(first: $n) { x } }", 101),  # a variable: the page maximum
        ("query($n: Int = 3) { nodes(first: $n) { x } }", 4),  # or its default
        ("{ nodes(first: 10) { children(first: 10) { x } } }", 111),
    ],
)
def test_cost_counts_list_sizes(document: str, cost: int) -> None:
    assert errors(document, max_cost=cost) == []
    assert errors(document, max_cost=cost - 1) == [
        f"Query cost {cost} exceeds the limit of {cost - 1}."
    ]


def test_field_duplication_costs_each_copy() -> None:
    document = "{ node { " + " ".join(["x"] * 300) + " } }"
    assert errors(document) == ["Query cost 301 exceeds the limit of 200."]


def test_the_oracle_field_may_run_once() -> None:
    schema = build_schema("type Query { donorIdentityMatches(uid: String): Boolean }")
    rules = [*specified_rules, *rules_for(**LIMITS)]

    def refused(document: str) -> bool:
        return bool(validate(schema, parse(document), rules))

    assert not refused('{ donorIdentityMatches(uid: "a") }')
    assert refused('{ a: donorIdentityMatches(uid: "a") b: donorIdentityMatches(uid: "b") }')
    assert refused('query { ...F ...F } fragment F on Query { donorIdentityMatches(uid: "a") }')
