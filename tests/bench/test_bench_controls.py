"""The controls app (bench/controls.py) answers each read with the floor's answer, as the gateway
answers it where the floor's answer is the gateway's, audits it with the LPA UIDs the gateway
records, and refuses what the gateway refuses with the same status and code: its controls are
the gateway's, on."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
from bench.inprocess import main as inprocess
from bench.keys import ClientKeys
from bench.operations import OPERATIONS, Operation, Variables
from bench.run import _gateway_env

pytestmark = [pytest.mark.anyio, pytest.mark.postgres_only]

BY_NAME = {op.name: op for op in OPERATIONS}
STATUS = BY_NAME["lpaStatus"]
READS = [op for op in OPERATIONS if op.reads]
JSON = {"Content-Type": "application/json"}
UNKNOWN = "M-0000-0000-0000"


@dataclass(frozen=True, slots=True)
class Apps:
    """The gateway and the controls app, on the same database, settings and keys."""

    gateway: httpx.AsyncClient
    ceiling: httpx.AsyncClient
    keys: ClientKeys
    demo: list[dict[str, Any]]
    gateway_app: Starlette
    ceiling_app: Starlette

    def asked(self, op: Operation) -> list[Variables]:
        """Every demo LPA and an unknown UID; for the donor's identity, right and wrong."""
        if op.name != "donorIdentityMatches":
            return [{"uid": d["uid"]} for d in self.demo] + [{"uid": UNKNOWN}]
        right = [
            {"uid": d["uid"], "dob": d["donorDateOfBirth"], "postcode": d["donorPostcode"].lower()}
            for d in self.demo
        ]
        wrong = [{**r, "dob": "1900-01-01"} for r in right]
        return right + wrong + [{"uid": UNKNOWN, "dob": "1958-03-14", "postcode": "SW1A 1AA"}]

    async def both(
        self, op: Operation, variables: Variables
    ) -> tuple[httpx.Response, httpx.Response]:
        """The same trusted body and token, to the controls app and to the gateway."""
        body, headers = _body(op, variables), _headers(self.keys, op)
        ours = await self.ceiling.post("/graphql", content=body, headers=headers)
        theirs = await self.gateway.post("/graphql", content=body, headers=headers)
        return ours, theirs


def _client(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1")


@asynccontextmanager
async def _apps(database_url: str, tmp_path: Path, without: Collection[str]) -> AsyncIterator[Apps]:
    keys = ClientKeys(tmp_path / "keys")
    settings = Settings.from_env(_gateway_env(Database(database_url, None), keys, tmp_path, {}))
    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    gateway, ceiling = create_app(settings), controls.create_app(settings, dsn, without)
    async with (
        gateway.router.lifespan_context(gateway),
        ceiling.router.lifespan_context(ceiling),
    ):
        demo = await seed_demo(ceiling.state.controls.gateway.engine)  # after start-up
        async with _client(gateway) as one, _client(ceiling) as other:
            yield Apps(one, other, keys, demo, gateway, ceiling)


@pytest.fixture
async def apps(database_url: str, tmp_path: Path) -> AsyncIterator[Apps]:
    async with _apps(database_url, tmp_path, ()) as both:
        yield both


def _body(op: Operation, variables: Variables) -> str:
    return op.bodies([variables], "trusted")[0]


def _headers(keys: ClientKeys, op: Operation) -> dict[str, str]:
    return {"Authorization": f"Bearer {keys.token(op.client)}", "Content-Type": "application/json"}


def _same_answer(op: Operation, ours: httpx.Response, theirs: httpx.Response) -> None:
    """The gateway's bytes for lpaStatus and donorIdentityMatches. Where the floor's answer is
    not the gateway's:
    - lpa: the same members with the same values, in another order (the floor puts each
      person's address after their name and email, the document puts it last);
    - validateLpa: the floor checks only that everyone but the donor signed, and names no
      problem, where the gateway applies every registration rule and names each problem."""
    assert ours.status_code == theirs.status_code == 200
    if op.name == "lpa":
        assert ours.json() == theirs.json()
        return
    if op.name != "validateLpa":
        assert ours.content == theirs.content
        return
    answer, floors = theirs.json()["data"]["validateLpa"], ours.json()["data"]["validateLpa"]
    if answer is None:
        assert floors is None
    else:
        assert floors == {"valid": answer["valid"], "problems": []}
        assert answer["valid"] or answer["problems"]


@pytest.mark.parametrize("op", READS, ids=lambda op: op.name)
async def test_it_answers_each_read_with_the_floors_answer(apps: Apps, op: Operation) -> None:
    answers = []
    for variables in apps.asked(op):
        ours, theirs = await apps.both(op, variables)
        _same_answer(op, ours, theirs)
        assert ours.headers["x-request-id"] != theirs.headers["x-request-id"]
        answers.append(json.dumps(ours.json()["data"][op.name]))
    assert len(set(answers)) > 1  # answers and nulls (or matches and not) alike


async def test_validate_lpa_answers_differ_only_in_the_problems_named(apps: Apps) -> None:
    """The demo LPAs hold both: valid, and not (in progress, unsigned)."""
    validate = BY_NAME["validateLpa"]
    valid = [
        (await apps.both(validate, v))[1].json()["data"]["validateLpa"]
        for v in apps.asked(validate)
    ]
    assert {v["valid"] for v in valid if v is not None} == {True, False}


@pytest.mark.parametrize("op", READS, ids=lambda op: op.name)
async def test_its_audit_rows_carry_the_lpa_uids_the_gateway_records(
    apps: Apps, op: Operation
) -> None:
    sent = [await apps.both(op, variables) for variables in apps.asked(op)]
    for app in (apps.ceiling_app.state.controls.gateway, apps.gateway_app.state.gateway):
        await app.audit.flush()
    gateway = apps.gateway_app.state.gateway
    async with gateway.engine.connect() as conn:
        rows = (await conn.execute(select(table(AuditEvent)))).mappings().all()
    by_id = {r["request_id"]: r for r in rows}
    names = ("decision", "reason", "client", "operation_name", "document_id", "lpa_uids")
    recorded = []
    for ours, theirs in sent:
        mine, its = (by_id[r.headers["x-request-id"]] for r in (ours, theirs))
        assert [mine[n] for n in names] == [its[n] for n in names]
        recorded.append(bool(mine["lpa_uids"]))
    assert sorted(set(recorded)) == [False, True]  # UIDs recorded, and none


async def test_it_refuses_what_the_gateway_refuses_with_the_same_status_and_code(
    apps: Apps,
) -> None:
    uid = apps.demo[0]["uid"]
    good, headers = _body(STATUS, {"uid": uid}), _headers(apps.keys, STATUS)
    ad_hoc = STATUS.bodies([{"uid": uid}], "ad-hoc")[0]
    unknown = json.dumps({"documentId": "sha256:" + "0" * 64, "variables": {"uid": uid}})
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
        # a document of another client's manifest is not this client's
        "another's document": (_body(BY_NAME["lpa"], {"uid": uid}), headers),
    }
    for case, (body, sent) in cases.items():
        ours = await apps.ceiling.post("/graphql", content=body, headers=sent)
        theirs = await apps.gateway.post("/graphql", content=body, headers=sent)
        assert ours.status_code == theirs.status_code != 200, case
        assert ours.json()["errors"][0]["extensions"] == theirs.json()["errors"][0]["extensions"]
    # Text the manifest holds no hash of is GraphQL to parse: the gateway would, this may not.
    assert (await apps.ceiling.post("/graphql", content=ad_hoc, headers=headers)).status_code == 400


async def test_it_does_not_answer_create_lpa_and_audits_the_refusal(apps: Apps) -> None:
    """A write's row is written before its answer, on a path the controls app does not take:
    its document is trusted, but the floor's write is not run."""
    create = BY_NAME["createLpa"]
    body = _body(create, {"input": {}, "key": "k-1"})
    refused = await apps.ceiling.post("/graphql", content=body, headers=_headers(apps.keys, create))
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["message"] == "The controls app does not answer createLpa."
    gateway = apps.ceiling_app.state.controls.gateway
    await gateway.audit.flush()
    async with gateway.engine.connect() as conn:
        rows = (await conn.execute(select(table(AuditEvent)))).mappings().all()
    row = next(r for r in rows if r["request_id"] == refused.headers["x-request-id"])
    assert (row["decision"], row["reason"], row["client"]) == (
        "denied",
        "bad_user_input",
        create.client,
    )


async def test_every_request_leaves_its_audit_row_through_the_gateways_batch(
    apps: Apps,
) -> None:
    uid = apps.demo[0]["uid"]
    sent = [
        await apps.ceiling.post(
            "/graphql", content=_body(STATUS, {"uid": uid}), headers=_headers(apps.keys, STATUS)
        ),
        await apps.ceiling.post("/graphql", content=_body(STATUS, {"uid": uid}), headers=JSON),
    ]
    gateway = apps.ceiling_app.state.controls.gateway
    await gateway.audit.flush()
    async with gateway.engine.connect() as conn:
        rows = (await conn.execute(select(table(AuditEvent)))).mappings().all()
    by_id = {r["request_id"]: r for r in rows}
    allowed, refused = (by_id[r.headers["x-request-id"]] for r in sent)
    assert (allowed["decision"], allowed["client"], allowed["lpa_uids"]) == (
        "allowed",
        STATUS.client,
        [uid],
    )
    assert allowed["document_id"] == json.loads(_body(STATUS, {"uid": uid}))["documentId"]
    assert (refused["decision"], refused["reason"]) == ("denied", "unauthenticated")


@pytest.mark.parametrize("op", READS, ids=lambda op: op.name)
async def test_without_the_document_lookup_it_answers_the_first_requests_operation(
    database_url: str, tmp_path: Path, op: Operation
) -> None:
    """The lookup taken out still names the floor's handler: the first request's, kept."""
    async with _apps(database_url, tmp_path, ["document"]) as apps:
        for variables in apps.asked(op)[:3]:
            ours, theirs = await apps.both(op, variables)
            _same_answer(op, ours, theirs)


def test_a_control_is_taken_out_only_by_its_own_name(tmp_path: Path) -> None:
    keys = ClientKeys(tmp_path / "keys")
    env = _gateway_env(Database("postgresql://x@127.0.0.1/x", None), keys, tmp_path, {})
    with pytest.raises(ValueError, match="no such control: graphql"):
        controls.create_app(Settings.from_env(env), "postgresql://x@127.0.0.1/x", ["graphql"])


@pytest.mark.parametrize("flag", ["--controls", "--controls-without=log"])
def test_the_harness_measures_the_controls_app_for_reads_only(
    flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as refused:
        inprocess(["--operation", "createLpa", flag])
    assert refused.value.code == 2
    assert "the controls app answers reads only" in capsys.readouterr().err
    assert list(controls.READS) == ["lpaStatus", "validateLpa", "donorIdentityMatches", "lpa"]
