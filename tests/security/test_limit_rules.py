"""The document limits as validation rules, each at its limit and one past it, directly and
through fragments, on a schema deep enough to reach them."""

from __future__ import annotations

import pytest
from graphql import build_schema, parse, specified_rules, validate

from app.graphql.limits import rules_for

SCHEMA = build_schema(
    """
    type Node { x: Int child: Node children(first: Int = 10): [Node!]! }
    type Query {
      node: Node
      nodes(after: Int, first: Int): [Node!]!
      paged(first: Int = 40): [Node!]!
      tags: [String!]!
      any: Thing
      secret(n: Int): Int
    }
    type Other { y: Int }
    union Thing = Node | Other
    """
)
LIMITS = {"max_depth": 6, "max_aliases": 15, "max_directives": 50, "max_cost": 200}


def errors(document: str, **limits: int) -> list[str]:
    rules = [*specified_rules, *rules_for(**{**LIMITS, **limits})]
    return [e.message for e in validate(SCHEMA, parse(document), rules)]


def ours(document: str, **limits: int) -> list[str]:
    """The errors of the limit rules alone, for documents graphql-core also refuses."""
    rules = rules_for(**{**LIMITS, **limits})
    return [e.message for e in validate(SCHEMA, parse(document), rules)]


def nested(depth: int) -> str:
    inner = "x"  # node { child { ... { x } } }: `node` and `x` are two of the levels
    for _ in range(depth - 2):
        inner = f"child {{ {inner} }}"
    return f"{{ node {{ {inner} }} }}"


def test_depth_six_passes_and_seven_is_refused() -> None:
    assert errors(nested(6)) == []
    assert errors(nested(7)) == ["Query depth exceeds the limit of 6."]


def test_depth_counts_through_named_and_inline_fragments() -> None:
    document = (
        "query { node { ...A } } fragment A on Node { child { ... on Node { child { ...B } } } }"
        " fragment B on Node { child { child { child { x } } } }"
    )
    assert errors(document) == ["Query depth exceeds the limit of 6."]
    assert errors(document, max_depth=7) == []


def test_a_client_may_have_a_lower_depth() -> None:
    assert errors(nested(3), max_depth=3) == []
    assert errors(nested(4), max_depth=3) == ["Query depth exceeds the limit of 3."]


def aliases(n: int) -> str:
    return "{ " + " ".join(f"a{i}: node {{ x }}" for i in range(n)) + " }"


def test_fifteen_aliases_pass_and_sixteen_are_refused() -> None:
    assert errors(aliases(15)) == []
    assert errors(aliases(16)) == ["Aliases exceed the limit of 15."]


def test_aliases_count_each_fragment_spread() -> None:
    fragment = "fragment F on Query { " + " ".join(f"b{i}: node {{ x }}" for i in range(8)) + " }"
    assert errors("query { ...F }" + fragment) == []
    assert errors("query { ...F ... on Query { ...F } }" + fragment) == [
        "Aliases exceed the limit of 15."
    ]


def directives(n: int) -> str:
    return "{ node { " + " ".join(["x @include(if: true)"] * n) + " } }"


def test_fifty_directives_pass_and_fifty_one_give_one_error() -> None:
    assert errors(directives(50)) == []
    assert errors(directives(51)) == ["Directives exceed the limit of 50."]
    assert errors(directives(500), max_cost=1000) == ["Directives exceed the limit of 50."]


def test_directives_count_through_fragments() -> None:
    fragment = "fragment F on Node { " + " ".join(["x @skip(if: false)"] * 26) + " }"
    assert errors("{ node { ...F } }" + fragment) == []
    assert errors("{ node { ...F } other: node { ...F } }" + fragment) == [
        "Directives exceed the limit of 50."
    ]


@pytest.mark.parametrize(
    ("document", "cost"),
    [
        ("{ node { x } }", 2),
        ("{ nodes(first: 5) { x } }", 6),
        ("{ nodes { x } }", 11),  # a list without `first` counts as 10
        ("query($n: Int) { nodes(first: $n) { x } }", 101),  # a variable: the page maximum
        # even with a default: the client may send any value when it runs the document
        ("query($n: Int = 3) { nodes(first: $n) { x } }", 101),
        ("{ nodes(first: 10) { children(first: 10) { x } } }", 111),
        ("{ nodes(after: 1, first: 5) { x } }", 6),  # `first` wherever it stands
        ("{ paged { x } }", 41),  # no `first`: the field's default
        ("{ paged(first: 2) { x } }", 3),
        ("{ tags }", 1),  # a list of scalars: the field
        ("{ nodes(first: 0) { x } }", 1),
        ("{ nodes(first: -50) { x } node { x } }", 3),  # never below nothing
        ('{ nodes(first: "5") { x } }', 11),  # not a number: refused elsewhere, estimated here
        ("{ node { x ...F } } fragment F on Node { child { x } }", 4),  # through fragments
        ("{ node { x ... on Node { child { x } } } }", 4),
        ("{ ...Q } fragment Q on Query { nodes(first: 3) { ...N } } fragment N on Node { x x }", 7),
        ("{ any { ... on Node { x } ... on Other { y } } }", 3),  # through a union
        ("{ __typename node { x } }", 2),  # introspection costs nothing, nor hides the rest
        ("{ node { x } } fragment Unused on Query { nodes { x } }", 2),
    ],
)
def test_cost_counts_list_sizes(document: str, cost: int) -> None:
    assert ours(document, max_cost=cost) == []
    assert ours(document, max_cost=cost - 1) == [f"Query cost exceeds the limit of {cost - 1}."]


def test_a_first_too_long_for_a_number_is_over_any_limit() -> None:
    huge = "9" * 5000  # more digits than Python converts
    assert errors(f"{{ nodes(first: {huge}) {{ x }} }}", max_cost=10**6) == [
        "Query cost exceeds the limit of 1000000."
    ]
    assert ours(f"{{ nodes(first: -{huge}) {{ x }} }}") == []


def test_a_ladder_counts_every_copy() -> None:
    def ladder(levels: int) -> str:
        rungs = "".join(
            f" fragment F{i} on Node {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
        )
        return "{ node { ...F0 } }" + rungs + f" fragment F{levels} on Node {{ x }}"

    assert errors(ladder(7), max_cost=129) == []  # node and 2**7 copies of x
    assert errors(ladder(7), max_cost=128) == ["Query cost exceeds the limit of 128."]
    assert errors(ladder(200), max_cost=128) == ["Query cost exceeds the limit of 128."]


def test_field_duplication_costs_each_copy() -> None:
    document = "{ node { " + " ".join(["x"] * 300) + " } }"
    assert errors(document) == ["Query cost exceeds the limit of 200."]


def test_the_oracle_field_may_run_once() -> None:
    schema = build_schema("type Query { donorIdentityMatches(uid: String): Boolean }")
    rules = [*specified_rules, *rules_for(**LIMITS)]

    def refused(document: str) -> bool:
        return bool(validate(schema, parse(document), rules))

    assert not refused('{ donorIdentityMatches(uid: "a") }')
    assert refused('{ a: donorIdentityMatches(uid: "a") b: donorIdentityMatches(uid: "b") }')
    assert refused('query { ...F ...F } fragment F on Query { donorIdentityMatches(uid: "a") }')


def test_a_fragment_defined_before_the_operation_counts() -> None:
    five = "child { " * 5 + "x" + " }" * 5
    document = f"fragment F on Node {{ {five} }} {{ node {{ ...F }} }}"
    assert errors(document) == ["Query depth exceeds the limit of 6."]
    assert errors(document, max_depth=7) == []


def test_every_operation_is_measured_not_only_the_first() -> None:
    document = f"query A {{ node {{ x }} }} query B {nested(7)[:-1]} }}"
    assert errors(document) == ["Query depth exceeds the limit of 6."]
    assert errors(document, max_depth=7) == []


def test_a_leading_typename_hides_nothing() -> None:
    document = "{ __typename " + nested(7)[2:]
    assert errors(document) == ["Query depth exceeds the limit of 6."]
    assert errors(document, max_depth=7) == []
    assert ours("{ __typename node { x } }", max_cost=1) == ["Query cost exceeds the limit of 1."]


def test_depth_does_not_count_introspection_fields() -> None:
    document = "{ __schema { types { fields { type { name } } } } node { x } }"
    assert ours(document, max_depth=2) == []
    assert ours(document, max_depth=1) == ["Query depth exceeds the limit of 1."]


def test_depth_through_an_inline_fragment_and_a_spread_at_the_root() -> None:
    document = "{ ... on Query { ...R } } fragment R on Query { node { child { x } } }"
    assert ours(document, max_depth=3) == []
    assert ours(document, max_depth=2) == ["Query depth exceeds the limit of 2."]


def test_aliases_nested_under_fields_count() -> None:
    document = "{ node { " + " ".join(f"a{i}: x" for i in range(15)) + " } }"
    assert errors(document) == []
    assert errors(document.replace("node {", "n: node {")) == ["Aliases exceed the limit of 15."]


def test_aliases_in_nested_fragments_count_per_spread() -> None:
    inner = "fragment G on Node { " + " ".join(f"g{i}: x" for i in range(4)) + " }"
    document = "{ node { ...F ...F } } fragment F on Node { ...G ...G } " + inner
    assert ours(document, max_aliases=16) == []
    assert ours(document, max_aliases=15) == ["Aliases exceed the limit of 15."]


def test_directives_on_spreads_inside_fragments_count() -> None:
    document = (
        "query Q($v: Int @c) @a @b { node { ...F @d } }"
        " fragment F on Node @e { ...G @f ... on Node @g { x @h } }"
        " fragment G on Node @i { x @j }"
    )
    assert ours(document, max_directives=10) == []
    assert ours(document, max_directives=9) == ["Directives exceed the limit of 9."]


def test_each_spread_of_a_fragment_counts_its_directives() -> None:
    document = "{ node { ...F ...F ...F } } fragment F on Node { ...G } fragment G on Node { x @a }"
    assert ours(document, max_directives=3) == []
    assert ours(document, max_directives=2) == ["Directives exceed the limit of 2."]


@pytest.mark.parametrize(
    ("document", "error"),
    [
        ("{ node { ...Missing } }", "Unknown fragment 'Missing'."),
        (
            "{ node { ...A } } fragment A on Node { ...B } fragment B on Node { ...A }",
            "Cannot spread fragment 'A' within itself via 'B'.",
        ),
        (
            "{ node { ...A } } fragment A on Node { x ...A }",
            "Cannot spread fragment 'A' within itself.",
        ),
    ],
)
def test_unknown_and_cyclic_spreads_get_the_standard_error(document: str, error: str) -> None:
    assert error in errors(document)
    assert ours(document) == []  # nothing to count, and no exception


def test_a_cycle_still_counts_what_is_around_it() -> None:
    document = "{ node { ...A } } fragment A on Node { x ...B } fragment B on Node { x ...A }"
    assert ours(document, max_cost=3) == []  # node, and x once in each fragment
    assert ours(document, max_cost=2) == ["Query cost exceeds the limit of 2."]


def test_a_fragment_on_an_unknown_type_counts_no_cost() -> None:
    document = "{ node { ...F } } fragment F on Nope { x child { x } }"
    assert ours(document, max_cost=1, max_depth=3) == []
    assert ours(document, max_cost=1, max_depth=2) == ["Query depth exceeds the limit of 2."]


def test_the_first_limit_passed_is_the_one_error() -> None:
    document = "{ a: node { b: child { c: child { d: x } } } }"
    assert ours(document, max_cost=3, max_depth=3, max_aliases=3) == [
        "Query cost exceeds the limit of 3."
    ]
    assert ours(document, max_depth=3, max_aliases=3) == ["Query depth exceeds the limit of 3."]
    assert ours(document, max_aliases=3) == ["Aliases exceed the limit of 3."]


def test_the_oracle_counts_through_inline_fragments_and_nesting() -> None:
    schema = build_schema("type Query { donorIdentityMatches(uid: String): Boolean q: Query }")
    rules = rules_for(**LIMITS)

    def refused(document: str) -> bool:
        return bool(validate(schema, parse(document), rules))

    assert not refused('{ q { donorIdentityMatches(uid: "a") } }')
    assert refused('{ ... on Query { donorIdentityMatches(uid: "a") } q { donorIdentityMatches } }')


def test_a_default_first_counts_however_the_schema_declares_it() -> None:
    from graphql import (
        GraphQLArgument,
        GraphQLDefaultInput,
        GraphQLField,
        GraphQLInt,
        GraphQLList,
        GraphQLObjectType,
        GraphQLSchema,
    )

    node = GraphQLObjectType("Node", {"x": GraphQLField(GraphQLInt)})

    def listing(argument: GraphQLArgument) -> GraphQLField:
        return GraphQLField(GraphQLList(node), {"first": argument})

    schema = GraphQLSchema(
        GraphQLObjectType(
            "Query",
            {
                "coerced": listing(GraphQLArgument(GraphQLInt, default_value=40)),  # Strawberry
                "value": listing(GraphQLArgument(GraphQLInt, default=GraphQLDefaultInput(30))),
                "negative": listing(GraphQLArgument(GraphQLInt, default_value=-4)),
                "negative_value": listing(
                    GraphQLArgument(GraphQLInt, default=GraphQLDefaultInput(-3))
                ),
                "none": listing(GraphQLArgument(GraphQLInt)),
            },
        )
    )

    def cost_refused(document: str, limit: int) -> bool:
        rules = rules_for(max_depth=6, max_aliases=15, max_directives=50, max_cost=limit)
        return bool(validate(schema, parse(document), rules))

    for field, cost in [
        ("coerced", 41),
        ("value", 31),
        ("negative", 1),
        ("negative_value", 1),
        ("none", 11),
    ]:
        assert not cost_refused(f"{{ {field} {{ x }} }}", cost), field
        assert cost_refused(f"{{ {field} {{ x }} }}", cost - 1), field
    negative_sdl = build_schema("type N { x: Int } type Query { n(first: Int = -2): [N] }")
    assert not validate(negative_sdl, parse("{ n { x } }"), rules_for(6, 15, 50, 1))


@pytest.mark.parametrize(
    ("first", "cost"),
    [
        ("-" + "9" * 17, 1),  # a negative: no items
        ("-" + "9" * 18, 1),  # too long to read: still no items
        ("-" + "9" * 4400, 1),  # too long for Python to convert
    ],
)
def test_a_negative_first_of_any_length_counts_no_items(first: str, cost: int) -> None:
    document = f"{{ nodes(first: {first}) {{ x }} }}"
    assert ours(document, max_cost=cost) == []
    assert ours(document, max_cost=cost - 1) == [f"Query cost exceeds the limit of {cost - 1}."]


@pytest.mark.parametrize("first", ["9" * 17, "9" * 18, "9" * 19, "9" * 4400])
def test_a_long_first_is_over_the_limit(first: str) -> None:
    document = f"{{ nodes(first: {first}) {{ x }} }}"
    assert ours(document, max_cost=5000) == ["Query cost exceeds the limit of 5000."]


def test_typename_adds_no_depth() -> None:
    assert ours("{ node { child { __typename } } }", max_depth=2) == []
    assert ours("{ node { child { __typename x } } }", max_depth=2) == [
        "Query depth exceeds the limit of 2."
    ]


def test_an_inline_fragment_without_a_type_counts_in_its_parent() -> None:
    document = "{ node { ... @include(if: true) { child { x } } } }"
    assert ours(document, max_cost=3, max_depth=3, max_directives=1) == []
    assert ours(document, max_cost=2) == ["Query cost exceeds the limit of 2."]
    assert ours(document, max_depth=2) == ["Query depth exceeds the limit of 2."]
    assert ours(document, max_directives=0) == ["Directives exceed the limit of 0."]
