"""The controls app (bench/controls.py) answers `lpaStatus` as the gateway does, and refuses
what the gateway refuses with the same status and code: its controls are the gateway's, on."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from starlette.applications import Starlette

from app.db.demo import seed_demo
from app.db.models import AuditEvent, table
from app.http.app import create_app
from app.settings import Settings
from bench import controls
from bench.cluster import Database
from bench.keys import ClientKeys
from bench.operations import OPERATIONS
from bench.run import _gateway_env

pytestmark = [pytest.mark.anyio, pytest.mark.postgres_only]

STATUS = next(op for op in OPERATIONS if op.name == "lpaStatus")
JSON = {"Content-Type": "application/json"}
Clients = tuple[httpx.AsyncClient, httpx.AsyncClient, ClientKeys, list[str], Starlette]


def _client(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1")


@pytest.fixture
async def both(database_url: str, tmp_path: Path) -> AsyncIterator[Clients]:
    """The gateway and the controls app, on the same database, settings and keys."""
    keys = ClientKeys(tmp_path / "keys")
    settings = Settings.from_env(_gateway_env(Database(database_url, None), keys, tmp_path, {}))
    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    gateway, ceiling = create_app(settings), controls.create_app(settings, dsn)
    async with (
        gateway.router.lifespan_context(gateway),
        ceiling.router.lifespan_context(ceiling),
    ):
        demo = await seed_demo(ceiling.state.controls.gateway.engine)  # after start-up
        uids = [d["uid"] for d in demo] + ["M-0000-0000-0000"]
        async with _client(gateway) as one, _client(ceiling) as other:
            yield one, other, keys, uids, ceiling


def _body(uid: str) -> str:
    return STATUS.bodies([{"uid": uid}], "trusted")[0]


def _headers(keys: ClientKeys) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {keys.token(STATUS.client)}",
        "Content-Type": "application/json",
    }


async def test_it_answers_lpa_status_with_the_gateways_bytes(both: Clients) -> None:
    gateway, ceiling, keys, uids, _ = both
    found = 0
    for uid in uids:
        ours = await ceiling.post("/graphql", content=_body(uid), headers=_headers(keys))
        theirs = await gateway.post("/graphql", content=_body(uid), headers=_headers(keys))
        assert (ours.status_code, ours.content) == (theirs.status_code, theirs.content), uid
        assert ours.headers["x-request-id"] != theirs.headers["x-request-id"]
        found += ours.json()["data"]["lpaStatus"] is not None
    assert 0 < found < len(uids)  # answers and nulls alike


async def test_it_refuses_what_the_gateway_refuses_with_the_same_status_and_code(
    both: Clients,
) -> None:
    gateway, ceiling, keys, uids, _ = both
    good, headers = _body(uids[0]), _headers(keys)
    ad_hoc = STATUS.bodies([{"uid": uids[0]}], "ad-hoc")[0]
    unknown = json.dumps({"documentId": "sha256:" + "0" * 64, "variables": {"uid": uids[0]}})
    cases = {
        "foreign host": (good, {**headers, "Host": "evil.example"}),
        "no token": (good, {"Content-Type": "application/json"}),
        "forged token": (good, {**headers, "Authorization": "Bearer e30.e30.AAAA"}),
        "two tokens": (good, {**headers, "X-Jwt-Authorization": headers["Authorization"]}),
        "not JSON media": (good, {**headers, "Content-Type": "text/plain"}),
        "too large": (good + " " * 70_000, headers),
        "not JSON": ("{", headers),
        "duplicate member": ('{"documentId": "a", "documentId": "b"}', headers),
        "batched": (f"[{good}]", headers),
        "unknown document": (unknown, headers),
        "malformed id": (json.dumps({"documentId": "sha256:xyz"}), headers),
    }
    for case, (body, sent) in cases.items():
        ours = await ceiling.post("/graphql", content=body, headers=sent)
        theirs = await gateway.post("/graphql", content=body, headers=sent)
        assert ours.status_code == theirs.status_code != 200, case
        assert ours.json()["errors"][0]["extensions"] == theirs.json()["errors"][0]["extensions"]
    # Text the manifest holds no hash of is GraphQL to parse: the gateway would, this may not.
    assert (await ceiling.post("/graphql", content=ad_hoc, headers=headers)).status_code == 400


async def test_every_request_leaves_its_audit_row_through_the_gateways_batch(
    both: Clients,
) -> None:
    _, ceiling, keys, uids, app = both
    sent = [
        await ceiling.post("/graphql", content=_body(uids[0]), headers=_headers(keys)),
        await ceiling.post("/graphql", content=_body(uids[0]), headers=JSON),
    ]
    gateway = app.state.controls.gateway
    await gateway.audit.flush()
    audit = table(AuditEvent)
    async with gateway.engine.connect() as conn:
        rows = (await conn.execute(select(audit))).mappings().all()
    by_id = {r["request_id"]: r for r in rows}
    allowed, refused = (by_id[r.headers["x-request-id"]] for r in sent)
    assert (allowed["decision"], allowed["client"], allowed["lpa_uids"]) == (
        "allowed",
        STATUS.client,
        [uids[0]],
    )
    assert allowed["document_id"] == json.loads(_body(uids[0]))["documentId"]
    assert (refused["decision"], refused["reason"]) == ("denied", "unauthenticated")


def test_a_control_is_taken_out_only_by_its_own_name(tmp_path: Path) -> None:
    keys = ClientKeys(tmp_path / "keys")
    env = _gateway_env(Database("postgresql://x@127.0.0.1/x", None), keys, tmp_path, {})
    with pytest.raises(ValueError, match="no such control: graphql"):
        controls.create_app(Settings.from_env(env), "postgresql://x@127.0.0.1/x", ["graphql"])
