"""Every string and list input is bounded by its meaning, at the limit and one past it."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import (
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLObjectType,
    get_named_type,
    get_nullable_type,
)

from app.graphql.bounds import LIST_CAPS, STRING_CAPS
from app.graphql.schema import build_schema
from tests.factories import CREATE_LPA, attorney, online_lpa

pytestmark = pytest.mark.anyio


def inputs() -> list[tuple[str, str, Any]]:
    """(coordinate, name, type) of every argument and input field of the schema."""
    schema = build_schema()._schema
    found = []
    for named in schema.type_map.values():
        if isinstance(named, GraphQLObjectType) and not named.name.startswith("__"):
            for field_name, field in named.fields.items():
                for arg_name, arg in field.args.items():
                    found.append((f"{named.name}.{field_name}.{arg_name}", arg_name, arg.type))
        elif isinstance(named, GraphQLInputObjectType):
            for field_name, field in named.fields.items():
                found.append((f"{named.name}.{field_name}", field_name, field.type))
    return found


def test_every_string_and_list_input_has_a_cap() -> None:
    missing = []
    for coordinate, name, type_ in inputs():
        if isinstance(get_nullable_type(type_), GraphQLList) and name not in LIST_CAPS:
            missing.append(coordinate)
        if get_named_type(type_).name == "String" and name not in STRING_CAPS:
            missing.append(coordinate)
    assert missing == []


async def create(gql: Any, lpa: dict[str, Any]) -> Any:
    return (await gql("opg.poas.makeregister", CREATE_LPA, {"input": lpa, "key": "k"})).json()


def assert_bad_input(body: dict[str, Any], message: str, secret: str) -> None:
    assert body["data"] is None
    assert [(e["extensions"]["code"], e["message"]) for e in body["errors"]] == [
        ("BAD_USER_INPUT", message)
    ]
    assert secret not in str(body)


@pytest.mark.parametrize(("length", "ok"), [(100, True), (101, False)])
async def test_names_are_at_most_100_characters(gql: Any, length: int, ok: bool) -> None:
    lpa = online_lpa()
    lpa["donor"]["firstNames"] = "Z" * length
    body = await create(gql, lpa)
    if ok:
        assert body["data"]["createLpa"]["accepted"] is True
    else:
        assert_bad_input(body, "input.donor.firstNames is longer than 100 characters", "Z" * 101)


@pytest.mark.parametrize(("length", "ok"), [(10_000, True), (10_001, False)])
async def test_free_text_is_at_most_10000_characters(gql: Any, length: int, ok: bool) -> None:
    body = await create(gql, online_lpa(restrictionsAndConditions="r" * length))
    if ok:
        assert body["data"]["createLpa"]["accepted"] is True
    else:
        assert_bad_input(
            body, "input.restrictionsAndConditions is longer than 10000 characters", "r" * 100
        )


@pytest.mark.parametrize(("count", "ok"), [(20, True), (21, False)])
async def test_at_most_20_attorneys(gql: Any, count: int, ok: bool) -> None:
    people = [attorney(firstNames=f"A{i}") for i in range(count)]
    body = await create(gql, online_lpa(attorneys=people, howAttorneysMakeDecisions="JOINTLY"))
    if ok:
        assert body["data"]["createLpa"]["accepted"] is True
    else:
        assert_bad_input(body, "input.attorneys has more than 20 items", "A20")


@pytest.mark.parametrize(("count", "answer"), [(10, "TOO_MANY"), (11, "BAD_USER_INPUT")])
async def test_people_to_notify_beyond_the_rule_and_beyond_the_bound(
    gql: Any, count: int, answer: str
) -> None:
    person = {"firstNames": "P", "lastName": "N", "address": {"line1": "1 A Road", "country": "GB"}}
    body = await create(gql, online_lpa(peopleToNotify=[person] * count))
    if answer == "TOO_MANY":  # within the bound: the rule (at most 5) answers as a verdict
        assert body["data"]["createLpa"]["problems"] == [
            {"source": "/peopleToNotify", "code": "TOO_MANY"}
        ]
    else:
        assert body["errors"][0]["message"] == "input.peopleToNotify has more than 10 items"


@pytest.mark.parametrize(("length", "ok"), [(16, True), (17, False)])
async def test_postcodes_are_at_most_16_characters(gql: Any, length: int, ok: bool) -> None:
    lpa = online_lpa()
    lpa["donor"]["address"]["postcode"] = "P" * length
    body = await create(gql, lpa)
    assert ("errors" not in body) is ok
