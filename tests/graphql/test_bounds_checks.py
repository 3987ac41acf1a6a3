"""Each argument's bounds check, worked out once from its type, with no database: every string
and list input of the schema at its cap and one past it, a place spelt out only on refusal, the
fail-closed caps of a name nobody gave one, and the middleware keeping one check per argument."""

from __future__ import annotations

from typing import Any, cast

import pytest
from graphql import (
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLString,
    get_named_type,
    get_nullable_type,
)

from app.graphql.bounds import (
    FALLBACK_STRING_CAP,
    LIST_CAPS,
    STRING_CAPS,
    InputBounds,
    bound,
    spelt,
)
from app.graphql.errors import BadUserInput
from app.graphql.schema import build_schema
from tests.factories import attorney, online_lpa
from tests.security.test_bounds import inputs

SCHEMA = build_schema()._schema
CREATE = cast(GraphQLInputObjectType, SCHEMA.type_map["CreateLpaInput"])


def _refused(check: Any, value: Any, where: Any = "arg") -> str:
    with pytest.raises(BadUserInput) as refused:
        check(value, where)
    return str(refused.value)


STRINGS = [(c, n, t) for c, n, t in inputs() if get_named_type(t).name == "String"]
LISTS = [(c, n, t) for c, n, t in inputs() if isinstance(get_nullable_type(t), GraphQLList)]


@pytest.mark.parametrize(("coordinate", "name", "type_"), STRINGS, ids=[s[0] for s in STRINGS])
def test_every_string_input_is_taken_at_its_cap_and_refused_one_past_it(
    coordinate: str, name: str, type_: Any
) -> None:
    check, cap = bound(type_, name), STRING_CAPS[name]
    if isinstance(get_nullable_type(type_), GraphQLList):
        check(["s" * cap], name)
        message = _refused(check, ["s" * (cap + 1)], name)
        assert message == f"{name}[0] is longer than {cap} characters"
    else:
        check("s" * cap, name)
        message = _refused(check, "s" * (cap + 1), name)
        assert message == f"{name} is longer than {cap} characters"
    assert "sss" not in message  # the place, never the value


@pytest.mark.parametrize(("coordinate", "name", "type_"), LISTS, ids=[s[0] for s in LISTS])
def test_every_list_input_is_taken_at_its_cap_and_refused_one_past_it(
    coordinate: str, name: str, type_: Any
) -> None:
    check, cap = bound(type_, name), LIST_CAPS[name]
    check([None] * cap, name)
    assert _refused(check, [None] * (cap + 1), name) == f"{name} has more than {cap} items"


def test_a_place_deep_in_an_input_is_spelt_out_with_its_fields_and_indexes() -> None:
    lpa = online_lpa(attorneys=[attorney(), attorney()])
    lpa["attorneys"][1]["address"]["line1"] = "x" * 101
    check = bound(CREATE, "input")
    check(online_lpa(), "input")
    assert (
        _refused(check, lpa, "input") == "input.attorneys[1].address.line1 is longer than 100 "
        "characters"
    )
    assert spelt(((("input", "attorneys"), 1), "address")) == "input.attorneys[1].address"


def test_a_name_nobody_gave_a_cap_is_held_to_the_closed_defaults() -> None:
    string = bound(GraphQLString, "noSuchName")
    string("s" * FALLBACK_STRING_CAP, "noSuchName")
    assert _refused(string, "s" * (FALLBACK_STRING_CAP + 1)) == (
        f"arg is longer than {FALLBACK_STRING_CAP} characters"
    )
    listed = bound(GraphQLList(GraphQLString), "noSuchName")
    listed([], "noSuchName")
    assert _refused(listed, ["s"]) == "arg has more than 0 items"


def test_null_is_taken_everywhere_and_values_that_are_not_strings_have_no_length_cap() -> None:
    bound(CREATE, "input")(None, "input")
    bound(GraphQLList(GraphQLString), "attorneys")(None, "attorneys")
    bound(GraphQLString, "firstNames")(None, "firstNames")
    bound(GraphQLString, "firstNames")(10**200, "firstNames")


def test_the_middleware_works_each_arguments_check_out_once() -> None:
    bounds = InputBounds()
    field = cast(Any, SCHEMA.mutation_type).fields["createLpa"]

    class Info:
        parent_type = SCHEMA.mutation_type
        field_name = "createLpa"

    def resolver(_root: Any, _info: Any, **args: Any) -> str:
        return "resolved"

    args = {"input": online_lpa(), "idempotencyKey": "k"}
    assert bounds.resolve(resolver, None, cast(Any, Info), **args) == "resolved"
    checks = dict(bounds._checks)
    assert bounds.resolve(resolver, None, cast(Any, Info), **args) == "resolved"
    assert bounds._checks == checks
    assert {id(field.args[name]) for name in args} == set(checks)
    too_long = {**args, "idempotencyKey": "k" * 256}
    with pytest.raises(BadUserInput, match="idempotencyKey is longer than 255 characters"):
        bounds.resolve(resolver, None, cast(Any, Info), **too_long)


def test_a_lists_items_are_held_to_the_cap_of_the_lists_own_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name = "restrictionsAndConditions"  # a string cap (10,000) far from the fallback (100)
    monkeypatch.setitem(LIST_CAPS, name, 2)
    texts = bound(GraphQLList(GraphQLString), name)
    texts(["s" * STRING_CAPS[name]] * 2, "arg")
    assert _refused(texts, ["s", "s" * (STRING_CAPS[name] + 1)]) == (
        f"arg[1] is longer than {STRING_CAPS[name]} characters"
    )
