"""Fuzzing, bounded per run: whatever a client sends, the gateway never answers 5xx and never
lets an unexpected error through.

- hypothesis-graphql, in process: documents generated from each client's committed view.
- schemathesis in GraphQL mode: each client's committed SDL, against a real gateway process,
  with that client's token.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from graphql import StringValueNode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import from_schema
from starlette.applications import Starlette

from app.authz.tokens import mint_dev_token
from app.db.demo import seed_demo
from app.db.engine import engine_for_url
from app.db.migrate import upgrade
from app.settings import Settings
from tests.factories import SUBS
from tests.processes import gateway

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schema"
CLIENTS = ("opg.poas.use", "opg.poas.makeregister", "opg.poas.sirius")
KNOWN_CODES = {
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "BAD_USER_INPUT",
    "CONFLICT",
    "IDEMPOTENCY_KEY_REUSED",
    "RATE_LIMITED",
    "TIMEOUT",
}
UIDS = ["M-8437-7464-3309", "M-9710-5736-7760", "M-2256-2281-6681", "M-1234-5678-9018"]


def string(values: st.SearchStrategy[str]) -> st.SearchStrategy[StringValueNode]:
    return values.map(lambda v: StringValueNode(value=v))


SCALARS = {
    "LpaUid": string(st.sampled_from(UIDS)),
    "Date": string(st.dates().map(lambda d: d.isoformat())),
    "DateTime": string(st.datetimes().map(lambda d: d.isoformat() + "Z")),
    "UUID": string(st.uuids().map(str)),
}


def assert_handled(status: int, body: Any) -> None:
    assert status < 500, body
    for error in (body or {}).get("errors", []):
        assert error["extensions"]["code"] in KNOWN_CODES, error
        assert "Traceback" not in error["message"]


@pytest.mark.anyio
@pytest.mark.parametrize("client", CLIENTS)
async def test_generated_documents_in_process(
    app: Starlette, token: Any, client: str, backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("the in-process fuzz exercises the GraphQL layer; one database is enough")
    await seed_demo(app.state.gateway.engine)
    sdl = (SCHEMA_DIR / f"{client}.graphql").read_text()
    headers = {"Authorization": f"Bearer {token(client)}"}
    transport = httpx.ASGITransport(app=app)
    answers: list[tuple[int, Any]] = []
    documents: list[str] = []

    @settings(
        max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(st.data())
    def collect(data: st.DataObject) -> None:
        documents.append(str(data.draw(from_schema(sdl, custom_scalars=SCALARS))))

    collect()
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
        for document in documents:
            response = await http.post("/graphql", json={"query": document}, headers=headers)
            answers.append((response.status_code, response.json()))
    assert len(answers) >= 30
    for status, body in answers:
        assert_handled(status, body)


@pytest.fixture(scope="module")
def live_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Settings]]:
    folder = tmp_path_factory.mktemp("fuzz")
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{folder / 'fuzz.sqlite3'}",
        dev_keys_dir=folder / "keys",
    )
    upgrade(settings.database_url)

    async def seed() -> None:
        engine = engine_for_url(settings.database_url)
        try:
            await seed_demo(engine)
        finally:
            await engine.dispose()

    asyncio.run(seed())
    with gateway(settings, LPA_GATEWAY_ORACLE_FAILURE_BUDGET="100000") as url:
        yield url, settings


for _name, _strategy in SCALARS.items():
    schemathesis.graphql.scalar(_name, _strategy)

SCHEMAS = {
    client: schemathesis.graphql.from_path(SCHEMA_DIR / f"{client}.graphql") for client in CLIENTS
}


def _fuzz(client: str) -> Any:
    @SCHEMAS[client].parametrize()
    @settings(
        max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def test(case: Any, live_gateway: tuple[str, Settings]) -> None:
        url, gateway_settings = live_gateway
        token = mint_dev_token(gateway_settings, client, SUBS[client])
        response = case.call(
            base_url=f"{url}/graphql", headers={"Authorization": f"Bearer {token}"}
        )
        assert_handled(response.status_code, json.loads(response.content or b"null"))

    return test


test_schemathesis_use = _fuzz("opg.poas.use")
test_schemathesis_makeregister = _fuzz("opg.poas.makeregister")
test_schemathesis_sirius = _fuzz("opg.poas.sirius")
