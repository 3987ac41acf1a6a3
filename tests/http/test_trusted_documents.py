"""Requests that name a trusted document, by `documentId` or Apollo's `persistedQuery`, and the
policy that decides whether a client may also send ad-hoc text."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from starlette.applications import Starlette

from app.authz.manifests import ManifestError, document_hash, load_manifest, manifest_path
from app.http.app import create_app
from app.settings import DEFAULT_DOCUMENTS_DIR, Settings
from tests.factories import SUBS
from tests.http.test_audit import rows
from tests.production import keys_file, production, signed_token
from tests.spy import ResolverSpy
from tests.test_client_docs import examples

pytestmark = pytest.mark.anyio

USE, MAKE, SIRIUS = "opg.poas.use", "opg.poas.makeregister", "opg.poas.sirius"
FLAGS, FLAGS_VARIABLES = examples(USE)[0]
FLAGS_HASH = document_hash(FLAGS)
SIRIUS_TEXT = examples(SIRIUS)[0][0]
# In no manifest: what a client composes for itself.
AD_HOC = "query Mine($uid: LpaUid!) { lpaStatus(uid: $uid) { isCancelled } }"
UNKNOWN = hashlib.sha256(b"no document has this text").hexdigest()
FORMS = ("documentId", "persistedQuery")

Post = Callable[[str, dict[str, Any]], Awaitable[httpx.Response]]


def named(hex_hash: str, form: str) -> dict[str, Any]:
    if form == "documentId":
        return {"documentId": f"sha256:{hex_hash}"}
    return {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": hex_hash}}}


def code(response: httpx.Response) -> str:
    body = response.json()
    assert "data" not in body, body
    [error] = body["errors"]
    return str(error["extensions"]["code"])


@pytest.fixture
def post(http: httpx.AsyncClient, token: Callable[[str], str]) -> Post:
    async def send(client: str, body: dict[str, Any]) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token(client)}"}
        return await http.post("/graphql", json=body, headers=headers)

    return send


@pytest.fixture
async def production_post(database_url: str, tmp_path: Path) -> AsyncIterator[Post]:
    """The shipped policy and manifests, in production, with keys for the three services."""
    key = Ed25519PrivateKey.generate()
    (tmp_path / "keys").mkdir()  # production() writes a keys file of its own in tmp_path
    keys = keys_file(tmp_path / "keys", (USE, MAKE, SIRIUS), key)
    app = create_app(production(database_url, tmp_path, client_keys_file=keys))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:

            async def send(client: str, body: dict[str, Any]) -> httpx.Response:
                headers = {"Authorization": f"Bearer {signed_token(key, client, SUBS[client])}"}
                return await http.post("/graphql", json=body, headers=headers)

            yield send


@pytest.mark.parametrize("form", FORMS)
async def test_a_trusted_document_named_by_its_id_answers_as_its_text_would(
    post: Post, demo: list[dict[str, Any]], form: str
) -> None:
    by_id = await post(USE, {**named(FLAGS_HASH, form), "variables": FLAGS_VARIABLES})
    as_text = await post(USE, {"query": FLAGS, "variables": FLAGS_VARIABLES})
    assert by_id.status_code == as_text.status_code == 200
    assert by_id.json() == as_text.json()
    assert by_id.json()["data"]["lpaStatus"]["isRegistered"] is True

    unknown = await post(USE, {**named(UNKNOWN, form), "variables": FLAGS_VARIABLES})
    assert unknown.status_code == 400
    assert unknown.json() == {
        "errors": [
            {
                "message": "No trusted document has this id.",
                "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
            }
        ]
    }


@pytest.mark.parametrize("form", FORMS)
async def test_another_clients_document_looks_exactly_like_an_unknown_one(
    post: Post, spy: ResolverSpy, demo: list[dict[str, Any]], form: str
) -> None:
    variables = examples(SIRIUS)[0][1]
    theirs = await post(SIRIUS, {**named(document_hash(SIRIUS_TEXT), form), "variables": variables})
    assert theirs.status_code == 200, theirs.text
    assert "errors" not in theirs.json()
    assert spy.calls
    spy.calls.clear()

    other_clients = await post(USE, {**named(document_hash(SIRIUS_TEXT), form)})
    unknown = await post(USE, {**named(UNKNOWN, form)})
    assert other_clients.status_code == unknown.status_code == 400
    assert other_clients.json() == unknown.json()
    assert code(unknown) == "PERSISTED_QUERY_NOT_FOUND"
    assert spy.calls == []


@pytest.mark.parametrize("form", FORMS)
async def test_a_query_sent_with_an_id_must_be_the_document_it_names(
    post: Post, demo: list[dict[str, Any]], form: str
) -> None:
    body = {"query": FLAGS, "variables": FLAGS_VARIABLES}
    matching = await post(USE, {**body, **named(FLAGS_HASH, form)})
    assert matching.status_code == 200
    assert matching.json()["data"]["lpaStatus"]["isRegistered"] is True

    differing = await post(USE, {**body, **named(document_hash(FLAGS + " "), form)})
    assert differing.status_code == 400
    assert code(differing) == "PERSISTED_QUERY_HASH_MISMATCH"
    # and a text that is not the named document never runs, whatever it is
    another = await post(USE, {"query": AD_HOC, **named(FLAGS_HASH, form)})
    assert code(another) == "PERSISTED_QUERY_HASH_MISMATCH"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"documentId": "sha256:" + FLAGS_HASH.upper()}, "PERSISTED_QUERY_MALFORMED"),
        ({"documentId": "sha256:" + FLAGS_HASH[:63]}, "PERSISTED_QUERY_MALFORMED"),
        ({"documentId": "sha256:" + FLAGS_HASH + "0"}, "PERSISTED_QUERY_MALFORMED"),
        ({"documentId": FLAGS_HASH}, "PERSISTED_QUERY_MALFORMED"),
        ({"documentId": "md5:" + FLAGS_HASH[:32]}, "PERSISTED_QUERY_MALFORMED"),
        ({"documentId": 12}, "PERSISTED_QUERY_MALFORMED"),
        ({"documentId": ["sha256:" + FLAGS_HASH]}, "PERSISTED_QUERY_MALFORMED"),
        ({"extensions": "persistedQuery"}, "PERSISTED_QUERY_MALFORMED"),
        ({"extensions": {"persistedQuery": FLAGS_HASH}}, "PERSISTED_QUERY_MALFORMED"),
        ({"extensions": {"persistedQuery": {"version": 1}}}, "PERSISTED_QUERY_MALFORMED"),
        (
            {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": FLAGS_HASH[:63]}}},
            "PERSISTED_QUERY_MALFORMED",
        ),
        (
            {"extensions": {"persistedQuery": {"version": 2, "sha256Hash": FLAGS_HASH}}},
            "PERSISTED_QUERY_VERSION_UNSUPPORTED",
        ),
        (
            {"extensions": {"persistedQuery": {"version": "1", "sha256Hash": FLAGS_HASH}}},
            "PERSISTED_QUERY_VERSION_UNSUPPORTED",
        ),
        (
            {"extensions": {"persistedQuery": {"version": True, "sha256Hash": FLAGS_HASH}}},
            "PERSISTED_QUERY_VERSION_UNSUPPORTED",
        ),
        (
            {"extensions": {"persistedQuery": {"sha256Hash": FLAGS_HASH}}},
            "PERSISTED_QUERY_VERSION_UNSUPPORTED",
        ),
        (
            {
                "documentId": f"sha256:{FLAGS_HASH}",
                "extensions": {"persistedQuery": {"version": 1, "sha256Hash": UNKNOWN}},
            },
            "PERSISTED_QUERY_HASH_MISMATCH",
        ),
        ({"query": 5}, "BAD_USER_INPUT"),
        ({}, "BAD_USER_INPUT"),
        ({"variables": FLAGS_VARIABLES}, "BAD_USER_INPUT"),
    ],
)
async def test_a_malformed_id_gets_a_stable_code_and_runs_nothing(
    app: Starlette, post: Post, spy: ResolverSpy, body: dict[str, Any], expected: str
) -> None:
    response = await post(USE, body)
    assert response.status_code == 400
    assert code(response) == expected
    assert spy.calls == []
    [row] = await rows(app)
    assert (row["decision"], row["reason"], row["document_id"]) == (
        "denied",
        expected.lower(),
        None,
    )


async def test_the_same_id_in_both_forms_is_one_document(
    post: Post, demo: list[dict[str, Any]]
) -> None:
    both = {**named(FLAGS_HASH, "documentId"), **named(FLAGS_HASH, "persistedQuery")}
    response = await post(USE, {**both, "variables": FLAGS_VARIABLES})
    assert response.status_code == 200
    assert response.json()["data"]["lpaStatus"]["isRegistered"] is True


@pytest.mark.parametrize("client", [USE, MAKE])
async def test_in_production_a_trusted_only_client_runs_its_documents_and_nothing_else(
    production_post: Post, client: str
) -> None:
    text, variables = examples(client)[0]
    by_id = await production_post(
        client, {**named(document_hash(text), "documentId"), "variables": variables}
    )
    assert by_id.status_code == 200, by_id.text
    assert "errors" not in by_id.json()
    in_full = await production_post(client, {"query": text, "variables": variables})
    assert in_full.status_code == 200, in_full.text  # the trusted text itself, sent whole

    ad_hoc = await production_post(client, {"query": AD_HOC, "variables": FLAGS_VARIABLES})
    assert ad_hoc.status_code == 400
    assert code(ad_hoc) == "PERSISTED_QUERY_REQUIRED"
    # naming the ad-hoc text's own hash does not make it trusted
    with_its_hash = await production_post(
        client, {"query": AD_HOC, **named(document_hash(AD_HOC), "persistedQuery")}
    )
    assert code(with_its_hash) == "PERSISTED_QUERY_REQUIRED"
    # nor does naming another client's document
    sirius = await production_post(client, named(document_hash(SIRIUS_TEXT), "documentId"))
    assert code(sirius) == "PERSISTED_QUERY_NOT_FOUND"


async def test_in_production_case_management_may_send_ad_hoc_documents(
    production_post: Post,
) -> None:
    ad_hoc = "query Mine($uid: LpaUid!) { lpa(uid: $uid) { status } }"
    response = await production_post(SIRIUS, {"query": ad_hoc, "variables": FLAGS_VARIABLES})
    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"lpa": None}}
    with_its_hash = await production_post(
        SIRIUS,
        {
            "query": ad_hoc,
            **named(document_hash(ad_hoc), "documentId"),
            "variables": FLAGS_VARIABLES,
        },
    )
    assert with_its_hash.json() == response.json()  # an id that agrees changes nothing


async def test_in_development_every_client_may_send_ad_hoc_documents_and_start_up_says_so(
    settings: Settings, token: Callable[[str], str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "lpa_gateway.documents")
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
            headers = {"Authorization": f"Bearer {token(USE)}"}
            response = await http.post(
                "/graphql", json={"query": AD_HOC, "variables": FLAGS_VARIABLES}, headers=headers
            )
    assert response.status_code == 200
    assert response.json() == {"data": {"lpaStatus": None}}
    [line] = [r for r in caplog.records if r.name == "lpa_gateway.documents"]
    assert line.levelno == logging.WARNING
    assert line.getMessage() == (
        "development: every client may also send ad-hoc documents; in production "
        "opg.poas.makeregister, opg.poas.use may send only their trusted documents"
    )


async def test_production_start_up_says_nothing_of_ad_hoc_documents(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "lpa_gateway.documents")
    app = create_app(production(database_url, tmp_path))
    async with app.router.lifespan_context(app):
        documents = app.state.gateway.documents
    assert [r for r in caplog.records if r.name == "lpa_gateway.documents"] == []
    assert documents[USE].ad_hoc is False
    assert len(documents[USE].trusted) == len(
        load_manifest(manifest_path(DEFAULT_DOCUMENTS_DIR, USE))
    )


async def test_audit_rows_and_log_lines_carry_the_trusted_document_id(
    app: Starlette, post: Post, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "lpa_gateway.request")
    variables = FLAGS_VARIABLES
    await post(USE, {**named(FLAGS_HASH, "documentId"), "variables": variables})
    await post(USE, {**named(FLAGS_HASH, "persistedQuery"), "variables": variables})
    await post(USE, {"query": FLAGS, "variables": variables})
    await post(USE, {"query": AD_HOC, "variables": variables})
    await post(USE, named(UNKNOWN, "documentId"))

    trusted = f"sha256:{FLAGS_HASH}"
    recorded = [
        (r["document_id"], r["document_hash"], r["decision"], r["reason"]) for r in await rows(app)
    ]
    assert recorded == [
        (trusted, FLAGS_HASH, "allowed", None),
        (trusted, FLAGS_HASH, "allowed", None),
        (trusted, FLAGS_HASH, "allowed", None),
        (None, document_hash(AD_HOC), "allowed", None),
        (None, UNKNOWN, "denied", "persisted_query_not_found"),
    ]
    logged = [getattr(r, "document_id", None) for r in caplog.records if r.msg == "request"]
    assert logged == [trusted, trusted, trusted, "-", "-"]


DOCS = Path(__file__).resolve().parents[2] / "docs" / "clients"
README = Path(__file__).resolve().parents[2] / "README.md"
NAMED_BODY = re.compile(r"```json\n(\{\"documentId\".*?)\n```", re.DOTALL)


@pytest.mark.parametrize("client", sorted(p.stem for p in DOCS.glob("*.md")))
async def test_the_request_each_client_page_shows_runs_as_that_client(
    post: Post, demo: list[dict[str, Any]], client: str
) -> None:
    [body] = NAMED_BODY.findall((DOCS / f"{client}.md").read_text())
    response = await post(client, json.loads(body))
    assert response.status_code == 200, response.text
    assert "errors" not in response.json()
    assert all(value is not None for value in response.json()["data"].values())


def test_the_document_id_in_the_readme_is_a_trusted_document_of_use() -> None:
    [hex_hash] = re.findall(r"sha256:([0-9a-f]{64})", README.read_text())
    assert hex_hash in load_manifest(manifest_path(DEFAULT_DOCUMENTS_DIR, USE))


async def test_start_up_refuses_a_malformed_manifest_naming_it(
    settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "documents"
    folder.mkdir()
    manifest_path(folder, USE).write_text('{"' + UNKNOWN + '": "{ __typename }"}')
    app = create_app(replace(settings, documents_dir=folder))
    with pytest.raises(
        ManifestError, match=re.escape(f"opg.poas.use.json: {UNKNOWN} is not the SHA-256")
    ):
        async with app.router.lifespan_context(app):
            pass


def test_serve_refuses_a_malformed_manifest_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import main

    folder = tmp_path / "documents"
    folder.mkdir()
    manifest_path(folder, USE).write_text("[]")
    monkeypatch.setenv("LPA_GATEWAY_DEV_KEYS_DIR", str(tmp_path / "dev-keys"))
    monkeypatch.setenv("LPA_GATEWAY_DOCUMENTS_DIR", str(folder))
    for name in ("ENV", "DATABASE_URL", "CLIENT_KEYS_FILE", "POLICY_DIR"):
        monkeypatch.delenv(f"LPA_GATEWAY_{name}", raising=False)

    def serving(*_: Any, **__: Any) -> None:
        raise AssertionError("serve started with a malformed manifest")

    monkeypatch.setattr("uvicorn.run", serving)
    assert main(["serve"]) == 2
    assert (
        capsys.readouterr().err
        == "error: opg.poas.use.json: expected an object of hash -> document text\n"
    )
