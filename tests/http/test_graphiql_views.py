"""GraphiQL as each client sees it, in development: the page is handed that client's schema
view as SDL (what `schema/<client>.graphql` commits), so it never introspects; the client
itself still may not; a switcher lists every client; trusted documents follow the examples.
Production hands over nothing (tests/http/test_graphiql_page.py)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import build_schema, get_introspection_query

from app.authz.policy import load_policy
from app.http import graphiql_documents
from app.http.app import create_app
from app.http.graphiql import render_graphiql
from app.http.graphiql_examples import examples_for
from app.settings import Settings
from tests.http.test_graphiql_page import HTML, literals, preloaded_token

pytestmark = pytest.mark.anyio

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schema"
CLIENTS = load_policy().active_clients("development")


async def page_as(http: httpx.AsyncClient, client: str) -> dict[str, Any]:
    response = await http.get("/graphql", params={"as": client}, headers=HTML)
    assert response.status_code == 200
    return literals(response.text) | {"token": preloaded_token(response.text)}


@pytest.mark.parametrize("client", CLIENTS)
async def test_the_page_is_handed_the_clients_committed_view(
    http: httpx.AsyncClient, client: str
) -> None:
    page = await page_as(http, client)
    assert page["SCHEMA_SDL"] == (SCHEMA_DIR / f"{client}.graphql").read_text(encoding="utf-8")
    build_schema(page["SCHEMA_SDL"])  # a whole schema, as GraphiQL will build it
    assert page["CLIENT"] == client
    assert page["CLIENTS"] == CLIENTS


async def test_each_client_is_handed_a_different_view(http: httpx.AsyncClient) -> None:
    views = {client: (await page_as(http, client))["SCHEMA_SDL"] for client in CLIENTS}
    assert len(set(views.values())) == len(CLIENTS)
    use = build_schema(views["opg.poas.use"])
    assert use.mutation_type is None
    assert use.query_type is not None
    assert set(use.query_type.fields) == {"lpaStatus", "donorIdentityMatches"}


@pytest.mark.parametrize("client", CLIENTS)
async def test_the_pages_token_may_introspect_only_where_the_policy_grants_it(
    http: httpx.AsyncClient, client: str
) -> None:
    token = (await page_as(http, client))["token"]
    answer = await http.post(
        "/graphql",
        json={"query": get_introspection_query()},
        headers={"Authorization": f"Bearer {token}"},
    )
    if load_policy().clients[client].introspection:
        assert answer.status_code == 200
        assert "errors" not in answer.json()
    else:
        assert answer.status_code == 400
        assert "__schema" not in json.dumps(answer.json().get("data"))
        assert "introspection" in answer.json()["errors"][0]["message"]


def manifest(folder: Path, client: str, *texts: str) -> None:
    by_hash = {hashlib.sha256(text.encode()).hexdigest(): text for text in texts}
    (folder / f"{client}.json").write_text(json.dumps(by_hash), encoding="utf-8")


NEW_DOCUMENT = "query IsItValid($uid: LpaUid!) { validateLpa(uid: $uid) { valid } }"


async def test_trusted_documents_follow_the_examples_once_a_manifest_exists(
    settings: Settings, tmp_path: Path
) -> None:
    examples = examples_for("opg.poas.sirius")
    async with page_server(replace(settings, documents_dir=tmp_path)) as http:
        without = await page_as(http, "opg.poas.sirius")
    assert [tab["query"] for tab in without["EXAMPLE_TABS"]] == [e.query for e in examples]

    # The first example again, comments and layout aside, is not shown twice.
    same_as_first = "\n".join(
        line for line in examples[0].query.splitlines() if not line.startswith("#")
    ).replace("\n", " ")
    manifest(tmp_path, "opg.poas.sirius", same_as_first, NEW_DOCUMENT)
    async with page_server(replace(settings, documents_dir=tmp_path)) as http:
        page = await page_as(http, "opg.poas.sirius")
        other = await page_as(http, "opg.poas.use")
    assert [tab["query"] for tab in page["EXAMPLE_TABS"]] == [
        *(e.query for e in examples),
        NEW_DOCUMENT,
    ]
    last = page["EXAMPLE_TABS"][-1]
    assert last["variables"] == ""
    assert page["token"] in last["headers"]
    # Another client's manifest is not this client's.
    assert NEW_DOCUMENT not in [tab["query"] for tab in other["EXAMPLE_TABS"]]


@asynccontextmanager
async def page_server(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
            yield http


@pytest.mark.parametrize(
    ("left", "right", "same"),
    [
        ("query A { x }", "# a comment\nquery A {\n  x\n}\n", True),
        ("query A { x }", "query A { y }", False),
        ("query A { x }", "query B { x }", False),
        ("not graphql {", "not graphql {\n", True),
        ("not graphql {", "query A { x }", False),
    ],
)
def test_same_operations_ignores_only_comments_and_layout(
    left: str, right: str, same: bool
) -> None:
    assert graphiql_documents.same_operations(left, right) is same


def page_with_switcher(client: str) -> str:
    return render_graphiql(
        endpoint="/graphql",
        static_prefix="/static/graphiql",
        headers={},
        example_query="",
        client=client,
        clients=["developer", "opg.poas.use"],
    )


def test_the_client_shown_must_be_one_the_switcher_offers() -> None:
    page = literals(page_with_switcher("opg.poas.use"))
    assert (page["CLIENT"], page["CLIENTS"]) == ("opg.poas.use", ["developer", "opg.poas.use"])
    with pytest.raises(ValueError, match="must be one of the clients"):
        page_with_switcher("opg.poas.nobody")
