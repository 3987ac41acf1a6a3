"""While PostgreSQL is down, the gateway answers fast with a retryable UNAVAILABLE and is not
ready; when PostgreSQL comes back, the same gateway process recovers by itself."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx

from tests.reliability.cluster import Cluster
from tests.reliability.gateways import gateway_on
from tests.reliability.storm import CLIENT, CREATE, SUB, Chain, lpa_input

FAST = 2.0  # seconds: the most a refused request may take while the database is down


def create_body(n: int) -> dict[str, Any]:
    chain = Chain(n, f"Outage-{n:04d}", valid=True, steps=())
    return {"query": CREATE, "variables": {"input": lpa_input(chain), "key": f"outage-{n}"}}


async def timed_post(http: httpx.AsyncClient, body: dict[str, Any]) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = await http.post("/graphql", json=body)
    return response, time.monotonic() - started


def codes(response: httpx.Response) -> set[str]:
    return {e["extensions"]["code"] for e in response.json().get("errors", [])}


async def lpa_count(dsn: str) -> int:
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM lpas"))
    finally:
        await conn.close()


async def warm(http: httpx.AsyncClient, first: int, count: int) -> list[str]:
    """Concurrent creates, so that the gateway's pool holds several connections; their UIDs."""
    answers = await asyncio.gather(
        *(http.post("/graphql", json=create_body(n)) for n in range(first, first + count))
    )
    assert all(a.json()["data"]["createLpa"]["accepted"] for a in answers)
    return [a.json()["data"]["createLpa"]["uid"] for a in answers]


VALIDATE = "query V($uid: LpaUid!) { validateLpa(uid: $uid) { valid } }"


async def _down_then_up(cluster: Cluster, work: Path) -> None:
    async with gateway_on(cluster, work, CLIENT, SUB) as (gateway, token, dsn):
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=gateway.url, headers=headers, timeout=10) as http:
            await warm(http, 0, 12)
            await asyncio.to_thread(cluster.stop, "fast")
            try:
                for _ in range(3):
                    response, took = await timed_post(http, create_body(100))
                    assert took < FAST, took
                    assert response.status_code == 503
                    assert response.headers["retry-after"] == "1"
                    assert codes(response) == {"UNAVAILABLE"}
                    assert "Internal" not in response.text
                started = time.monotonic()
                ready = await http.get("/health/ready")
                assert (ready.status_code, time.monotonic() - started < FAST) == (503, True)
                assert (await http.get("/health/live")).status_code == 200
            finally:
                await asyncio.to_thread(cluster.start)

            # The same process, no restart: the first request after recovery succeeds.
            assert (await http.get("/health/ready")).status_code == 200
            retried, _ = await timed_post(http, create_body(100))
            first = retried.json()["data"]["createLpa"]
            assert first["accepted"] is True
            again, _ = await timed_post(http, create_body(100))
            assert again.json()["data"]["createLpa"] == first
        assert await lpa_count(dsn) == 13
        assert gateway.process is not None
        assert gateway.process.poll() is None  # still the same process
        assert gateway.starts == 1


def test_while_postgres_is_down_requests_fail_fast_as_unavailable_then_recover(
    running_cluster: Cluster, tmp_path: Path
) -> None:
    asyncio.run(_down_then_up(running_cluster, tmp_path))


async def _crash_between_requests(cluster: Cluster, work: Path) -> None:
    async with gateway_on(cluster, work, CLIENT, SUB) as (gateway, token, dsn):
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=gateway.url, headers=headers, timeout=10) as http:
            uids = await warm(http, 0, 12)
            # Every pooled connection dies with the server; no request sees the outage, be it
            # a write (SQLAlchemy) or a lookup (prepared statements, on the same pool).
            await asyncio.to_thread(cluster.restart_immediate)
            answers = await asyncio.gather(
                *(http.post("/graphql", json=create_body(n)) for n in range(100, 112)),
                *(http.post("/graphql", json={"query": VALIDATE, "variables": {"uid": u}})
                  for u in uids),
            )  # fmt: skip
        for answer in answers[:12]:
            assert answer.status_code == 200, answer.text
            assert answer.json()["data"]["createLpa"]["accepted"] is True
        for answer in answers[12:]:
            assert answer.status_code == 200, answer.text
            assert answer.json()["data"]["validateLpa"] is not None, answer.text
        assert await lpa_count(dsn) == 24
        assert gateway.starts == 1


def test_dead_pooled_connections_do_not_fail_the_first_requests_after_a_crash(
    running_cluster: Cluster, tmp_path: Path
) -> None:
    asyncio.run(_crash_between_requests(running_cluster, tmp_path))
