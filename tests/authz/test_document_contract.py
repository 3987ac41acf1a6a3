"""The consumer contract: `documents check` passes on the shipped manifests and fails when a
policy change would break a client's registered operation; `documents add` refuses what the
check would; and the manifests hold every example a client is shown."""

from __future__ import annotations

import json
import logging
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from app.authz.manifests import document_hash, load_manifest, manifest_path, manifest_text
from app.authz.policy import load_policy
from app.cli import main
from app.graphql.document_contract import DocumentRefused, add_document, document_problems
from app.graphql.schema import build_schema
from app.http.graphiql_examples import example_files, examples_for
from app.settings import DEFAULT_DOCUMENTS_DIR
from tests.authz.test_views import drop_grant
from tests.test_client_docs import examples as doc_examples

pytestmark = pytest.mark.anyio

FULL = build_schema()._schema
POLICY = load_policy()
USE = "opg.poas.use"
REGISTRATION_DATE = "LpaStatus.registrationDate"


def shipped(client: str) -> dict[str, str]:
    return load_manifest(manifest_path(DEFAULT_DOCUMENTS_DIR, client))


def uses_registration_date() -> list[str]:
    return [key for key, text in shipped(USE).items() if "registrationDate" in text]


@pytest.fixture
def documents(tmp_path: Path) -> Path:
    """A copy of the shipped manifests, to change."""
    return Path(shutil.copytree(DEFAULT_DOCUMENTS_DIR, tmp_path / "documents"))


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, documents: Path) -> Path:
    for name in ("ENV", "POLICY_DIR"):
        monkeypatch.delenv(f"LPA_GATEWAY_{name}", raising=False)
    monkeypatch.setenv("LPA_GATEWAY_DOCUMENTS_DIR", str(documents))
    return documents


def test_every_shipped_trusted_document_passes_its_view_and_limits() -> None:
    checked = document_problems(POLICY, FULL, DEFAULT_DOCUMENTS_DIR)
    assert checked.problems == []
    assert checked.documents == sum(len(shipped(c)) for c in POLICY.clients) > 20


@pytest.mark.parametrize("client", sorted(example_files()))
def test_every_example_a_client_is_shown_is_one_of_its_trusted_documents(client: str) -> None:
    """GraphiQL's saved tabs and the examples of docs/clients/<client>.md, as exact text."""
    texts = [example.query for example in examples_for(client)]
    texts += [query for query, _ in doc_examples(client)]
    assert texts
    missing = [text for text in texts if document_hash(text) not in shipped(client)]
    assert missing == [], "add them with `lpa-gateway documents add --client C FILE`"


def test_every_operation_make_bench_sends_is_trusted_for_its_client() -> None:
    """The bench runs the gateway in production, where use and makeregister are trusted-only."""
    from bench.operations import OPERATIONS

    for operation in OPERATIONS:
        assert document_hash(operation.document) in shipped(operation.client), operation.name


def test_the_manifests_are_in_canonical_form() -> None:
    for client in POLICY.clients:
        path = manifest_path(DEFAULT_DOCUMENTS_DIR, client)
        assert path.read_text() == manifest_text(shipped(client)), client


def test_a_policy_change_that_removes_a_field_a_trusted_document_uses_fails_the_check(
    policy_copy: Any, capsys: pytest.CaptureFixture[str], cli: Path, monkeypatch: Any
) -> None:
    assert main(["documents", "check"]) == 0
    assert "trusted documents pass" in capsys.readouterr().out

    folder = policy_copy(drop_grant("opg.poas.use.toml", REGISTRATION_DATE))
    monkeypatch.setenv("LPA_GATEWAY_POLICY_DIR", str(folder))
    assert main(["documents", "check"]) == 1
    err = capsys.readouterr().err
    failing = uses_registration_date()
    assert failing
    for key in failing:
        assert f"opg.poas.use.json: sha256:{key} fails its view: " in err
    assert "registrationDate" in err
    assert len(err.splitlines()) == len(failing)  # no other document is named


def test_a_tighter_limit_that_a_trusted_document_exceeds_fails_the_check(
    policy_copy: Any,
) -> None:
    def tighten(texts: dict[str, str]) -> None:
        texts["opg.poas.use.toml"] = texts["opg.poas.use.toml"].replace("depth = 3", "depth = 1")

    checked = document_problems(load_policy(policy_copy(tighten)), FULL, DEFAULT_DOCUMENTS_DIR)
    failing = {line.split()[1] for line in checked.problems}
    status_documents = {
        f"sha256:{key}" for key, text in shipped(USE).items() if "lpaStatus(" in text
    }
    assert failing == status_documents  # lpaStatus { ... } is depth 2; the oracle is depth 1
    assert all("depth" in line for line in checked.problems)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda p: p.write_text("{"), "opg.poas.use.json: not valid JSON"),
        (
            lambda p: p.write_text(json.dumps(load_manifest(p), indent=4)),
            "opg.poas.use.json: not in canonical form",
        ),
        (
            lambda p: p.write_text(json.dumps({"0" * 64: "{ __typename }"})),
            f"opg.poas.use.json: {'0' * 64} is not the SHA-256",
        ),
        (
            lambda p: shutil.copy(p, p.with_name("opg.poas.nobody.json")),
            "opg.poas.nobody.json: no client of that name",
        ),
    ],
)
def test_a_broken_manifest_fails_the_check(documents: Path, edit: Any, message: str) -> None:
    edit(documents / "opg.poas.use.json")
    problems = document_problems(POLICY, FULL, documents).problems
    assert [p for p in problems if p.startswith(message)], problems


def test_add_writes_the_document_under_its_hash_sorted_and_stable(documents: Path) -> None:
    text = "query Registered($uid: LpaUid!) {\n  lpaStatus(uid: $uid) { isRegistered }\n}\n"
    before = shipped(USE)
    added = add_document(POLICY, FULL, documents, USE, text)
    assert added == f"sha256:{document_hash(text)}"
    path = manifest_path(documents, USE)
    after = load_manifest(path)
    assert after == {**before, document_hash(text): text}
    assert path.read_text() == manifest_text(after)
    assert list(after) == sorted(after)
    assert add_document(POLICY, FULL, documents, USE, text) == added  # twice: no change
    assert load_manifest(path) == after
    assert document_problems(POLICY, FULL, documents).problems == []


@pytest.mark.parametrize(
    ("client", "text", "message"),
    [
        (USE, "query A($uid: LpaUid!) { lpa(uid: $uid) { uid } }", "fails opg.poas.use's view"),
        (USE, "query A { lpaStatus(", "Syntax Error"),
        (USE, "{ a1: __typename " + "a: __typename " * 1000 + "}", "fails opg.poas.use's view"),
        ("opg.poas.nobody", "{ __typename }", "unknown client"),
    ],
)
def test_add_refuses_what_the_check_would_and_leaves_the_manifest_alone(
    documents: Path, client: str, text: str, message: str
) -> None:
    before = manifest_path(documents, USE).read_text()
    with pytest.raises(DocumentRefused, match=re.escape(message)):
        add_document(POLICY, FULL, documents, client, text)
    assert manifest_path(documents, USE).read_text() == before


def test_the_add_command_prints_the_id_or_refuses_in_one_line(
    cli: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.graphql"
    good.write_text("query Cancelled($uid: LpaUid!) { lpaStatus(uid: $uid) { isCancelled } }\n")
    assert main(["documents", "add", "--client", USE, str(good)]) == 0
    assert capsys.readouterr().out == f"sha256:{document_hash(good.read_text())}\n"
    assert document_hash(good.read_text()) in load_manifest(manifest_path(cli, USE))

    bad = tmp_path / "bad.graphql"
    bad.write_text("query Full($uid: LpaUid!) { lpa(uid: $uid) { uid } }\n")
    assert main(["documents", "add", "--client", USE, str(bad)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: the document fails opg.poas.use's view")
    assert captured.err.count("\n") == 1

    binary = tmp_path / "binary.graphql"
    binary.write_bytes(b"\xff\xfe{")
    assert main(["documents", "add", "--client", USE, str(binary)]) == 2
    assert "is not UTF-8 text" in capsys.readouterr().err


async def test_a_trusted_document_its_view_no_longer_allows_is_answered_like_its_text(
    policy_copy: Any,
    app_with_policy: Any,
    token: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Start-up says which documents fail; a request naming one gets what sending it would."""
    [key, *_] = uses_registration_date()
    folder = policy_copy(drop_grant("opg.poas.use.toml", REGISTRATION_DATE))
    caplog.set_level(logging.ERROR, "lpa_gateway.documents")
    async with app_with_policy(folder) as (_app, http):
        headers = {"Authorization": f"Bearer {token(USE)}"}
        variables = {"uid": "M-8437-7464-3309"}
        named = await http.post(
            "/graphql",
            json={"documentId": f"sha256:{key}", "variables": variables},
            headers=headers,
        )
        sent = await http.post(
            "/graphql", json={"query": shipped(USE)[key], "variables": variables}, headers=headers
        )
    assert named.status_code == sent.status_code == 400
    assert named.json() == sent.json()
    assert named.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert f"trusted document sha256:{key} of opg.poas.use fails its view" in caplog.text
