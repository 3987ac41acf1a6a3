from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from app.http.app import create_app
from app.settings import Settings

pytestmark = pytest.mark.anyio


async def test_live_and_ready_while_the_database_answers(http: httpx.AsyncClient) -> None:
    assert (await http.get("/health/live")).json() == {"status": "live"}
    ready = await http.get("/health/ready")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})


@pytest.fixture
async def silent_server() -> AsyncIterator[int]:
    """A loopback port that accepts connections and never says a word, like a hung database."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    for writer in held:
        writer.close()
    server.close()


async def _ready_against(database_url: str, dev_keys_dir: Path) -> tuple[int, float]:
    app = create_app(Settings(database_url=database_url, dev_keys_dir=dev_keys_dir))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as c:
            live = await c.get("/health/live")
            assert live.status_code == 200  # the process itself is fine
            started = time.monotonic()
            response = await c.get("/health/ready")
            return response.status_code, time.monotonic() - started


async def test_ready_is_503_within_two_seconds_when_the_database_hangs(
    silent_server: int, dev_keys_dir: Path
) -> None:
    url = f"postgresql+asyncpg://gateway@127.0.0.1:{silent_server}/gateway"
    status, took = await _ready_against(url, dev_keys_dir)
    assert status == 503
    assert took < 2.0


async def test_ready_is_503_when_the_database_refuses(dev_keys_dir: Path) -> None:
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()  # nothing listens on `port` any more
    status, took = await _ready_against(
        f"postgresql+asyncpg://gateway@127.0.0.1:{port}/gateway", dev_keys_dir
    )
    assert status == 503
    assert took < 2.0
