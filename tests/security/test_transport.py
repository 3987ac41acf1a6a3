"""Only POST application/json, one operation, within 64 KiB, no websockets; runaway work is
stopped. Each refusal happens before any document is parsed or any resolver runs."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from app.http.app import create_app
from app.settings import Settings
from tests.spy import ResolverSpy

pytestmark = pytest.mark.anyio

QUERY = '{ lpaStatus(uid: "M-1234-5678-9018") { isRegistered } }'
LIMIT = 64 * 1024


@pytest.fixture
def parsed(app: Starlette, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    for view in app.state.gateway.views.values():
        original = view.executor.prepare

        def spy(source: str, _original: Any = original) -> Any:
            seen.append(source)
            return _original(source)

        monkeypatch.setattr(view.executor, "prepare", spy)
    return seen


def bearer(token: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {token('opg.poas.use')}"}


def padded(size: int) -> bytes:
    body = {"query": QUERY, "pad": ""}
    overhead = len(json.dumps(body).encode())
    body["pad"] = "x" * (size - overhead)
    encoded = json.dumps(body).encode()
    assert len(encoded) == size
    return encoded


@pytest.mark.parametrize(("size", "status"), [(LIMIT, 200), (LIMIT + 1, 413)])
async def test_body_limit_is_64_kib(
    http: httpx.AsyncClient, token: Any, parsed: list[str], size: int, status: int
) -> None:
    headers = {**bearer(token), "content-type": "application/json"}
    response = await http.post("/graphql", content=padded(size), headers=headers)
    assert response.status_code == status
    assert (parsed == []) is (status == 413)


def in_chunks(body: bytes) -> Callable[[], AsyncIterator[bytes]]:
    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 4096):
            yield body[start : start + 4096]

    return chunks


async def test_a_body_without_length_at_64_kib_is_read_whole(
    http: httpx.AsyncClient, token: Any, parsed: list[str]
) -> None:
    headers = {**bearer(token), "content-type": "application/json"}
    response = await http.post("/graphql", content=in_chunks(padded(LIMIT))(), headers=headers)
    assert response.status_code == 200, response.text
    assert parsed == [QUERY]


async def test_a_body_without_length_is_cut_at_64_kib(
    http: httpx.AsyncClient, token: Any, parsed: list[str], spy: ResolverSpy
) -> None:
    headers = {**bearer(token), "content-type": "application/json"}
    response = await http.post("/graphql", content=in_chunks(padded(LIMIT + 1))(), headers=headers)
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert parsed == []
    assert spy.calls == []


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", f"query={QUERY}"),
        (
            "multipart/form-data; boundary=x",
            f'--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n{QUERY}\r\n--x--',
        ),
        ("text/plain", json.dumps({"query": QUERY})),
        ("application/graphql", QUERY),
    ],
)
async def test_only_json_posts_are_read(
    http: httpx.AsyncClient,
    token: Any,
    parsed: list[str],
    spy: ResolverSpy,
    content_type: str,
    body: str,
) -> None:
    headers = {**bearer(token), "content-type": content_type}
    response = await http.post("/graphql", content=body, headers=headers)
    assert response.status_code == 415
    assert parsed == []
    assert spy.calls == []


async def test_get_queries_are_refused(
    http: httpx.AsyncClient, token: Any, parsed: list[str], spy: ResolverSpy
) -> None:
    response = await http.get("/graphql", params={"query": QUERY}, headers=bearer(token))
    assert response.status_code == 405
    assert parsed == []
    assert spy.calls == []


async def test_array_batching_is_refused(
    http: httpx.AsyncClient, token: Any, parsed: list[str], spy: ResolverSpy
) -> None:
    batch = [{"query": QUERY}] * 3
    response = await http.post("/graphql", json=batch, headers=bearer(token))
    assert response.status_code == 400
    assert "Batched operations are not supported" in response.text
    assert parsed == []
    assert spy.calls == []


async def test_responses_carry_no_cors_grant(http: httpx.AsyncClient, token: Any) -> None:
    response = await http.post(
        "/graphql", json={"query": QUERY}, headers={**bearer(token), "origin": "https://evil.test"}
    )
    assert "access-control-allow-origin" not in response.headers


async def test_websockets_are_off(app: Starlette) -> None:
    sent: list[dict[str, Any]] = []
    inbox = [{"type": "websocket.connect"}]

    async def receive() -> dict[str, Any]:
        return inbox.pop(0) if inbox else {"type": "websocket.disconnect", "code": 1000}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "websocket",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "headers": [],
        "query_string": b"",
        "subprotocols": ["graphql-transport-ws"],
        "scheme": "ws",
        "server": ("gateway.test", 80),
        "client": ("127.0.0.1", 1),
        "root_path": "",
        "app": app,
    }
    await app(scope, receive, send)
    assert sent[0]["type"] == "websocket.close"
    assert all(m["type"] != "websocket.accept" for m in sent)


async def test_a_request_running_too_long_is_stopped(
    settings: Settings, token: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def stuck(*_: Any, **__: Any) -> None:
        await asyncio.sleep(30)

    monkeypatch.setattr("app.db.repository.caller.status_row", stuck)
    app = create_app(replace(settings, request_timeout_seconds=1))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
            started = asyncio.get_running_loop().time()
            response = await http.post("/graphql", json={"query": QUERY}, headers=bearer(token))
            took = asyncio.get_running_loop().time() - started
    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
    assert took < 3


@pytest.mark.postgres_only
async def test_postgresql_ends_a_runaway_statement(
    settings: Settings, token: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import func, select

    from app.db.prepared import Prepared

    async def slow(statements: Any, *_: Any) -> None:  # on the driver, as the real lookup runs
        await statements.first(Prepared(select(func.pg_sleep(5))), {})

    monkeypatch.setattr("app.db.repository.caller.status_row", slow)
    app = create_app(replace(settings, statement_timeout_ms=200))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
            response = await http.post("/graphql", json={"query": QUERY}, headers=bearer(token))
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "TIMEOUT"
    assert "pg_sleep" not in response.text
