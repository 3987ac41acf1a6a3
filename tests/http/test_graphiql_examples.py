"""The saved GraphiQL examples: every one runs as its client against the demo data without a
single error, and each is refused to a client whose policy does not grant what it asks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import FieldNode, OperationDefinitionNode, OperationType, parse

from app.authz.policy import load_policy
from app.http.graphiql_examples import (
    Example,
    ExampleError,
    example_files,
    examples_for,
    load_examples,
)

pytestmark = pytest.mark.anyio

POLICY = load_policy()
EXAMPLES = [(client, example) for client in example_files() for example in examples_for(client)]
SERVICE_CLIENTS = ("opg.poas.use", "opg.poas.makeregister", "opg.poas.sirius")


def granted(client: str, example: Example) -> bool:
    """Whether `client`'s policy grants every root field the example selects."""
    policy = POLICY.clients[client]
    [operation] = [
        d for d in parse(example.query).definitions if isinstance(d, OperationDefinitionNode)
    ]
    root = "Mutation" if operation.operation is OperationType.MUTATION else "Query"
    for selection in operation.selection_set.selections:
        assert isinstance(selection, FieldNode)
        name = selection.name.value
        allowed = (
            policy.introspection
            if name.startswith("__")
            else policy.grants.everything or f"{root}.{name}" in policy.grants.operations
        )
        if not allowed:
            return False
    return True


async def run(
    http: httpx.AsyncClient, token: Callable[[str], str], client: str, example: Example
) -> httpx.Response:
    return await http.post(
        "/graphql",
        json={
            "query": example.query,
            "variables": example.variables,
            "operationName": example.name,
        },
        headers={"Authorization": f"Bearer {token(client)}"},
    )


def test_every_client_of_the_development_policy_has_saved_examples() -> None:
    assert set(example_files()) == set(POLICY.active_clients("development"))
    for client in example_files():
        assert examples_for(client), client
        assert all(granted(client, example) for example in examples_for(client)), client


@pytest.mark.parametrize(
    ("client", "example"), EXAMPLES, ids=[f"{c}:{e.name}" for c, e in EXAMPLES]
)
async def test_a_saved_example_runs_as_its_client_without_errors(
    http: httpx.AsyncClient,
    token: Callable[[str], str],
    demo: list[dict[str, Any]],
    client: str,
    example: Example,
) -> None:
    response = await run(http, token, client, example)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    assert body["data"] is not None


@pytest.mark.parametrize(
    ("client", "example"), EXAMPLES, ids=[f"{c}:{e.name}" for c, e in EXAMPLES]
)
async def test_a_saved_example_is_refused_to_a_client_not_granted_it(
    http: httpx.AsyncClient,
    token: Callable[[str], str],
    demo: list[dict[str, Any]],
    client: str,
    example: Example,
) -> None:
    other = next(c for c in SERVICE_CLIENTS if c != client and not granted(c, example))
    response = await run(http, token, other, example)
    assert response.status_code == 400
    assert response.json()["errors"]
    assert response.json().get("data") is None


def test_examples_name_demo_lpas_only() -> None:
    from app.db.demo import demo_uids

    for client, example in EXAMPLES:
        uid = example.variables.get("uid")
        assert uid is None or uid in demo_uids(), (client, example.name)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "one or more"),
        ('[[example]]\nquery = "{ lpaStatus }"\n', "named operation"),
        ('[[example]]\nquery = "query A { a } query B { b }"\n', "named operation"),
        ('[[example]]\nquery = "query A {"\n', "Syntax Error"),
        ('[[example]]\nquery = "query A { a }"\nvariables = { d = 2026-01-01 }\n', "quote"),
        ('[[example]]\nquery = "query A { a }"\nextra = 1\n', "only `query`"),
        ('[[example]]\nquery = "query A { a }"\n[[example]]\nquery = "query A { b }"\n', "unique"),
        ("other = 1\n", "one or more"),
    ],
)
def test_malformed_example_files_are_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "opg.poas.use.toml"
    path.write_text(text)
    with pytest.raises(ExampleError, match=message):
        load_examples(path)


def test_a_tab_carries_the_query_its_variables_and_the_headers() -> None:
    [first, *_] = examples_for("opg.poas.use")
    tab = first.tab('{"Authorization": "Bearer t"}')
    assert tab["query"] == first.query
    assert '"uid": "M-' in tab["variables"]
    assert tab["headers"] == '{"Authorization": "Bearer t"}'
    [introspection] = [e for e in examples_for("developer") if e.name == "RootOperations"]
    assert introspection.tab("")["variables"] == ""
