"""The bodies `make bench` sends: a trusted body names the registered document by its hash, an
ad-hoc body carries text that no manifest holds, and the gateway, started with the bench's own
settings and policy, answers both shapes of every operation as the load generator expects."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import parse, print_ast

from app.authz.manifests import document_hash, load_manifest, manifest_path
from app.db.demo import seed_demo
from app.http.app import create_app
from app.settings import DEFAULT_DOCUMENTS_DIR, Settings
from bench.cluster import Database
from bench.keys import ClientKeys
from bench.operations import DOCUMENTS, KEY_PLACEHOLDER, OPERATIONS, Operation
from bench.policy import bench_policy
from bench.run import _gateway_env
from bench.seed import Seeded

pytestmark = pytest.mark.anyio


def rng(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 - reproducible bodies, not secrets


JSON = {"Content-Type": "application/json"}  # as wrk's script sends each body


def manifest(client: str) -> dict[str, str]:
    return load_manifest(manifest_path(DEFAULT_DOCUMENTS_DIR, client))


def seeded_from(demo: list[dict[str, Any]]) -> Seeded:
    """The demo LPAs as the bench's seeder describes what it seeded."""
    return Seeded(
        count=len(demo),
        status_uids=[d["uid"] for d in demo if d["status"] in ("REGISTERED", "CANCELLED")],
        own_uids=[d["uid"] for d in demo],  # the demo LPAs are makeregister's
        donors=[(d["uid"], d["donorDateOfBirth"], d["donorPostcode"]) for d in demo],
        seconds=0.0,
    )


SEEDED = Seeded(
    count=1,
    status_uids=["M-7890-0400-4000"],
    own_uids=["M-1234-5678-9018"],
    donors=[("M-7890-0400-4000", "1960-02-03", "CF10 1AA")],
    seconds=0.0,
)


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
def test_a_trusted_body_names_the_registered_document_by_the_hash_of_its_text(
    op: Operation,
) -> None:
    [variables] = op.variables(SEEDED, rng(1), count=1)
    body = json.loads(op.bodies([variables], "trusted")[0])
    assert list(body) == ["documentId", "variables", "operationName"]
    prefix, hex_hash = body["documentId"].split(":")
    assert prefix == "sha256"
    assert manifest(op.client)[hex_hash] == op.document  # the manifest's key for this text
    assert hex_hash == document_hash(op.document)
    assert body["variables"] == variables
    assert body["operationName"] == op.operation_name
    assert f"{op.operation_name}(" in op.document


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
def test_an_ad_hoc_body_sends_the_same_operation_in_text_no_manifest_holds(op: Operation) -> None:
    [variables] = op.variables(SEEDED, rng(1), count=1)
    body = json.loads(op.bodies([variables], "ad-hoc")[0])
    assert list(body) == ["query", "variables", "operationName"]
    text = body["query"]
    assert text != op.document
    assert all(document_hash(text) not in manifest(client) for client in _clients())
    assert print_ast(parse(text)) == print_ast(parse(op.document))  # the same operation
    assert body["variables"] == variables
    assert body["operationName"] == op.operation_name


def test_both_shapes_carry_the_same_variables_in_the_same_order() -> None:
    for op in OPERATIONS:
        variables = op.variables(SEEDED, rng(3), count=20)
        shapes = [[json.loads(b)["variables"] for b in op.bodies(variables, d)] for d in DOCUMENTS]
        assert shapes[0] == shapes[1] == variables


def _clients() -> list[str]:
    return sorted(p.stem for p in DEFAULT_DOCUMENTS_DIR.glob("*.json"))


def test_the_bench_policy_opens_ad_hoc_text_and_lifts_rate_limits_only(tmp_path: Path) -> None:
    from app.authz.policy import MAX_RATE, load_policy

    shipped, bench = load_policy(), load_policy(bench_policy(tmp_path))
    assert {c.documents for c in shipped.clients.values()} == {"trusted", "any"}
    assert set(bench.clients) == set(shipped.clients)
    for client, policy in bench.clients.items():
        assert policy.documents == "any"
        assert (policy.rate.per_second, policy.rate.burst) == (MAX_RATE, MAX_RATE)
        before = shipped.clients[client]
        assert (policy.grants, policy.rows, policy.limits) == (
            before.grants,
            before.rows,
            before.limits,
        )


@pytest.fixture
async def bench_gateway(
    database_url: str, tmp_path: Path
) -> AsyncIterator[tuple[httpx.AsyncClient, ClientKeys, Seeded]]:
    """The gateway with the environment `make bench` gives it (production, its policy, its
    keys), on this test's database, with the demo LPAs stored after start-up."""
    keys = ClientKeys(tmp_path / "keys")
    env = _gateway_env(Database(database_url, None), keys, tmp_path, {})
    app = create_app(Settings.from_env(env))
    async with app.router.lifespan_context(app):
        demo = await seed_demo(app.state.gateway.engine)  # production refuses them at start-up
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            yield http, keys, seeded_from(demo)


async def test_the_bench_gateway_answers_both_shapes_of_every_operation(
    bench_gateway: tuple[httpx.AsyncClient, ClientKeys, Seeded],
) -> None:
    http, keys, seeded = bench_gateway
    for op in OPERATIONS:
        variables = op.variables(seeded, rng(5), count=3)
        headers = {"Authorization": f"Bearer {keys.token(op.client)}", **JSON}
        answers: dict[str, list[object]] = {}
        for document in DOCUMENTS:
            answers[document] = []
            for body in op.bodies(variables, document):
                keyed = body.replace(KEY_PLACEHOLDER, uuid.uuid4().hex)
                response = await http.post("/graphql", content=keyed, headers=headers)
                assert response.status_code == 200, (op.name, document, response.text)
                assert op.expect in response.text, (op.name, document, response.text)
                assert '"errors"' not in response.text, (op.name, document, response.text)
                answers[document].append(response.json())
        if op.reads:
            assert answers["trusted"] == answers["ad-hoc"], op.name


async def test_without_the_bench_policy_the_trusted_only_clients_ad_hoc_rows_are_refused(
    database_url: str, tmp_path: Path
) -> None:
    """Why the bench opens its policy: in production, as shipped, use and makeregister may
    send only their trusted documents."""
    keys = ClientKeys(tmp_path / "keys")
    env = _gateway_env(Database(database_url, None), keys, tmp_path, {})
    env.pop("LPA_GATEWAY_POLICY_DIR")
    app = create_app(Settings.from_env(env))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            for op in OPERATIONS:
                [variables] = op.variables(SEEDED, rng(1), count=1)
                headers = {"Authorization": f"Bearer {keys.token(op.client)}", **JSON}
                body = op.bodies([variables], "ad-hoc")[0].replace(KEY_PLACEHOLDER, "k")
                response = await http.post("/graphql", content=body, headers=headers)
                if op.client == "opg.poas.sirius":
                    assert response.status_code == 200, response.text
                else:
                    assert response.status_code == 400, (op.name, response.text)
                    code = response.json()["errors"][0]["extensions"]["code"]
                    assert code == "PERSISTED_QUERY_REQUIRED"
