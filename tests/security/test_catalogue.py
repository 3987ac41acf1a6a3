"""The catalogue of hostile documents. Each is refused, and no resolver runs.

(Transport attacks, including batching and the CSRF shapes, are in test_transport.py; the JWT
pitfalls in test_jwt_pitfalls.py; limits at their edges in test_limit_rules.py and
test_bounds.py.)"""

from __future__ import annotations

from typing import Any

import pytest

from app.http.graphql_endpoint import MAX_BODY_BYTES
from tests.security.hostile_shapes import SHAPES, build
from tests.spy import ResolverSpy

pytestmark = pytest.mark.anyio

UID = "M-1234-5678-9018"
ORACLE = f'donorIdentityMatches(uid: "{UID}", dateOfBirth: "1950-01-01", postcode: "SW1A 1AA")'


def circular_introspection(levels: int) -> str:
    inner = "name"
    for _ in range(levels):
        inner = f"fields {{ type {{ {inner} }} }}"
    return f"{{ __schema {{ types {{ {inner} }} }} }}"


CATALOGUE: dict[str, tuple[str, str]] = {
    "oracle brute force by aliases": (
        "opg.poas.use",
        "{ " + " ".join(f"a{i}: {ORACLE}" for i in range(15)) + " }",
    ),
    "oracle twice through a fragment": (
        "opg.poas.use",
        f"query {{ ...F ...F }} fragment F on Query {{ {ORACLE} }}",
    ),
    "circular fragments": (
        "opg.poas.sirius",
        "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
    ),
    "deep nesting past the client's depth": (
        "opg.poas.use",
        f'{{ lpaStatus(uid: "{UID}") {{ lpaType {{ a {{ b {{ c }} }} }} }} }}',
    ),
    "circular introspection by a client that may not introspect": (
        "opg.poas.sirius",
        circular_introspection(3),
    ),
    "circular introspection by a client that may": ("developer", circular_introspection(4)),
    "field duplication past the cost": (
        "opg.poas.use",
        f'{{ lpaStatus(uid: "{UID}") {{ ' + "isRegistered " * 120 + "} }",
    ),
    "directive overloading": (
        "opg.poas.use",
        f'{{ lpaStatus(uid: "{UID}") {{ ' + "isRegistered @include(if: true) " * 60 + "} }",
    ),
    "huge token count": ("opg.poas.use", "{ " + "__typename " * 1200 + "}"),
    "introspection probe": ("opg.poas.use", "{ __schema { queryType { name } } }"),
    "type probe": ("opg.poas.use", '{ __type(name: "Lpa") { name fields { name } } }'),
    "suggestion probe for a field": ("opg.poas.use", f'{{ lpa(uid: "{UID}") {{ uid }} }}'),
    "suggestion probe for an argument": (
        "opg.poas.use",
        f'{{ lpaStatus(uidd: "{UID}") {{ lpaType }} }}',
    ),
    "suggestion probe for a type": (
        "opg.poas.use",
        "query($x: LpaStatusz) { __typename }",
    ),
    "mutation by a read-only client": (
        "opg.poas.use",
        'mutation { withdrawLpa(uid: "M-1234-5678-9018", expectedVersion: 1, '
        'idempotencyKey: "k") { accepted } }',
    ),
    "subscription": ("opg.poas.use", "subscription { lpaStatus { isRegistered } }"),
    # Validation work: each fills the token limit; tests/security/test_validation_work.py
    # counts the work of these and of every size up to them.
    **{
        f"{shape.name} of fragments (validation work)": (
            "opg.poas.use",
            build(shape, "F", 1000, MAX_BODY_BYTES),
        )
        for shape in SHAPES
        if shape.name in ("ladder x2", "diamond", "fragments spread side by side")
    },
}


@pytest.mark.parametrize(("client", "document"), CATALOGUE.values(), ids=CATALOGUE.keys())
async def test_hostile_documents_are_refused_before_any_resolver(
    gql: Any, spy: ResolverSpy, client: str, document: str
) -> None:
    response = await gql(client, document)
    assert response.status_code == 400, response.text
    errors = response.json()["errors"]
    assert {e["extensions"]["code"] for e in errors} == {"BAD_USER_INPUT"}
    assert all("Did you mean" not in e["message"] for e in errors)
    assert spy.calls == []


async def test_directive_overloading_answers_one_error(gql: Any) -> None:
    document = "{ " + "__typename @include(if: true) " * 110 + "}"  # within 1000 tokens
    errors = (await gql("developer", document)).json()["errors"]
    assert [e["message"] for e in errors] == ["Directives exceed the limit of 50."]


async def test_a_document_wrong_in_many_ways_gets_a_short_answer(gql: Any) -> None:
    document = "{ " + " ".join(f"nope{i}" for i in range(200)) + " }"
    errors = (await gql("developer", document)).json()["errors"]
    assert len(errors) <= 11  # at most ten, and graphql-core's note that it stopped


async def test_a_database_constraint_answers_a_generic_conflict(
    gql: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.factories import CREATE_LPA, online_lpa

    # Two LPAs issued the same UID: the unique constraint stops the second.
    monkeypatch.setattr("app.graphql.create_lpa.uid_for_sequence", lambda _n: UID)
    first = await gql("opg.poas.makeregister", CREATE_LPA, {"input": online_lpa(), "key": "a"})
    assert first.json()["data"]["createLpa"]["uid"] == UID
    second = await gql("opg.poas.makeregister", CREATE_LPA, {"input": online_lpa(), "key": "b"})
    [error] = second.json()["errors"]
    assert error["extensions"]["code"] == "CONFLICT"
    assert error["message"] == "The change conflicts with the stored data."
    for leak in ("INSERT", "lpas", "uid", UID, "UNIQUE", "duplicate", "Dora"):
        assert leak not in error["message"]
