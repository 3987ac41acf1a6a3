"""GET /graphql as a browser asks for it: GraphiQL from the app's own files, with a token and
the saved examples of the client chosen by `?as=`, in development; in production only when
switched on and the policy grants introspection, and then with no token at all."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from starlette.applications import Starlette

from app.authz.manifests import load_manifest, manifest_path
from app.http.app import StartupRefused, create_app
from app.http.graphiql import STATIC_DIR, asset_manifest
from app.http.graphiql_documents import same_operations
from app.http.graphiql_examples import examples_for
from app.settings import DEFAULT_DOCUMENTS_DIR, Settings
from tests.http.test_graphiql_assets import checksum_mismatches
from tests.production import production

pytestmark = pytest.mark.anyio

HTML = {"Accept": "text/html,application/xhtml+xml"}
LITERAL = re.compile(
    r"const (ENDPOINT|DEFAULT_HEADERS|EXAMPLE_QUERY|EXAMPLE_TABS|SCHEMA_SDL|CLIENT|CLIENTS) = (.*);"
)


def literals(page: str) -> dict[str, Any]:
    return {name: json.loads(value) for name, value in LITERAL.findall(page)}


def preloaded_token(page: str) -> str | None:
    headers = literals(page)["DEFAULT_HEADERS"]
    if not headers:
        return None
    scheme, token = json.loads(headers)["Authorization"].split(" ")
    assert scheme == "Bearer"
    return str(token)


def assert_no_outside_host(page: str) -> None:
    assert "http://" not in page
    assert "https://" not in page
    assert "http:\\/\\/" not in page
    assert "https:\\/\\/" not in page
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*//""", page, re.IGNORECASE)
    for url in re.findall(r"""(?:src|href)="([^"]*)\"""", page):
        assert url.startswith("/static/graphiql/") or url == "data:,", url


def assert_examples_then_trusted_documents(tabs: list[dict[str, str]], client: str) -> None:
    """The saved examples in order, then each of the client's trusted documents (if it has a
    manifest) that is not one of the examples."""
    examples = [example.query for example in examples_for(client)]
    queries = [tab["query"] for tab in tabs]
    assert queries[: len(examples)] == examples
    documents = load_manifest(manifest_path(DEFAULT_DOCUMENTS_DIR, client)).values()
    assert set(queries[len(examples) :]) <= set(documents)
    for document in documents:
        shown = any(same_operations(document, example) for example in examples)
        assert shown or document in queries[len(examples) :]


async def test_the_default_page_preloads_a_developer_token_and_its_examples(
    http: httpx.AsyncClient,
) -> None:
    response = await http.get("/graphql", headers=HTML)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    token = preloaded_token(response.text)
    assert token is not None
    assert jwt.decode(token, options={"verify_signature": False})["iss"] == "developer"
    tabs = literals(response.text)["EXAMPLE_TABS"]
    assert_examples_then_trusted_documents(tabs, "developer")
    assert all(token in tab["headers"] for tab in tabs)
    assert_no_outside_host(response.text)


@pytest.mark.parametrize("client", ["opg.poas.use", "opg.poas.makeregister", "opg.poas.sirius"])
async def test_as_preloads_that_clients_token_which_works(
    http: httpx.AsyncClient, demo: list[dict[str, Any]], client: str
) -> None:
    response = await http.get("/graphql", params={"as": client}, headers=HTML)
    assert response.status_code == 200
    token = preloaded_token(response.text)
    assert token is not None
    assert jwt.decode(token, options={"verify_signature": False})["iss"] == client
    assert_examples_then_trusted_documents(literals(response.text)["EXAMPLE_TABS"], client)
    assert_no_outside_host(response.text)

    first = examples_for(client)[0]
    answer = await http.post(
        "/graphql",
        json={"query": first.query, "variables": first.variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200
    assert "errors" not in answer.json()


async def test_as_an_unknown_client_is_not_found(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", params={"as": "opg.poas.nobody"}, headers=HTML)
    assert response.status_code == 404
    assert "Bearer" not in response.text


async def test_without_asking_for_html_get_is_refused(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql")
    assert response.status_code == 405
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


@pytest.mark.parametrize("entry", asset_manifest(), ids=lambda entry: entry["file"])
async def test_each_served_asset_matches_its_recorded_checksum(
    http: httpx.AsyncClient, entry: dict[str, str]
) -> None:
    response = await http.get(f"/static/graphiql/{entry['file']}")
    assert response.status_code == 200
    assert checksum_mismatches(entry, response.content) == []
    assert response.content == (STATIC_DIR / entry["file"]).read_bytes()


async def test_served_assets_reference_no_outside_host(http: httpx.AsyncClient) -> None:
    for entry in asset_manifest():
        if entry["file"].endswith(".css"):
            css = (await http.get(f"/static/graphiql/{entry['file']}")).text
            urls = re.findall(r"url\(\s*['\"]?([^'\")]+)", css)
            assert all(url.startswith("data:") for url in urls), entry["file"]
            assert "@import" not in css


@pytest.fixture
async def switched_off(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(replace(settings, graphiql=False))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://localhost"
        ) as http,
    ):
        yield http


async def test_development_can_switch_graphiql_off(switched_off: httpx.AsyncClient) -> None:
    assert (await switched_off.get("/graphql", headers=HTML)).status_code == 405
    assert (await switched_off.get("/static/graphiql/graphiql.min.js")).status_code == 404


@asynccontextmanager
async def serve(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app: Starlette = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://localhost"
        ) as http,
    ):
        yield http


async def test_production_serves_no_graphiql_by_default(database_url: str, tmp_path: Path) -> None:
    async with serve(production(database_url, tmp_path)) as http:
        assert (await http.get("/graphql", headers=HTML)).status_code == 405
        assert (await http.get("/static/graphiql/graphiql.min.js")).status_code == 404


async def test_production_graphiql_when_switched_on_preloads_no_token(
    database_url: str, tmp_path: Path
) -> None:
    settings = production(database_url, tmp_path, graphiql=True, allow_developer_client=True)
    async with serve(settings) as http:
        for params in ({}, {"as": "opg.poas.use"}, {"as": "developer"}):
            response = await http.get("/graphql", params=params, headers=HTML)
            assert response.status_code == 200
            assert preloaded_token(response.text) is None
            assert "Bearer ey" not in response.text
            page = literals(response.text)
            assert page["EXAMPLE_TABS"] == []
            # No schema handed over and no switcher: GraphiQL introspects with the caller's token.
            assert (page["SCHEMA_SDL"], page["CLIENT"], page["CLIENTS"]) == (None, None, [])
            assert_no_outside_host(response.text)
        assert (await http.get("/static/graphiql/graphiql.min.js")).status_code == 200


async def test_production_refuses_graphiql_unless_the_policy_grants_introspection(
    database_url: str, tmp_path: Path
) -> None:
    app = create_app(production(database_url, tmp_path, graphiql=True))
    with pytest.raises(StartupRefused, match="introspection"):
        async with app.router.lifespan_context(app):
            pass
