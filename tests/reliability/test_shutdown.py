"""Graceful shutdown: on SIGTERM `serve` refuses new connections, lets the requests in flight
finish and answer, and only then exits, so no acknowledged write is lost and no write is done
without its answer."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest

from app.cli import GRACEFUL_SHUTDOWN_SECONDS
from tests.reliability.cluster import Cluster
from tests.reliability.gateways import gateway_on
from tests.reliability.storm import CLIENT, CREATE, SUB, Chain, lpa_input

IN_FLIGHT = 12
WAIT = 15.0  # bound on every wait in these tests


def create_body(name: str) -> dict[str, Any]:
    chain = Chain(0, name, valid=True, steps=())
    return {"query": CREATE, "variables": {"input": lpa_input(chain), "key": name}}


async def markers(dsn: str) -> list[str]:
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        rows = await conn.fetch("SELECT first_names FROM actors WHERE role = 'donor'")
    finally:
        await conn.close()
    return sorted(r["first_names"] for r in rows)


async def waiting_on_locks(dsn: str) -> int:
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        return int(
            await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )
    finally:
        await conn.close()


async def _drain(cluster: Cluster, work: Path) -> None:
    async with gateway_on(cluster, work, CLIENT, SUB) as (gateway, token, dsn):
        assert gateway.process is not None
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=gateway.url, headers=headers, timeout=WAIT) as http:
            assert (await http.post("/graphql", json=create_body("Drain-warm"))).status_code == 200

            # Hold the LPA number table so that every create stalls mid-transaction.
            locker = await asyncpg.connect(dsn, timeout=10)
            held = locker.transaction()
            await held.start()
            await locker.execute("LOCK TABLE lpa_numbers IN ACCESS EXCLUSIVE MODE")
            try:
                in_flight = [
                    asyncio.create_task(http.post("/graphql", json=create_body(f"Drain-{i:02d}")))
                    for i in range(IN_FLIGHT)
                ]
                deadline = time.monotonic() + WAIT
                while await waiting_on_locks(dsn) < IN_FLIGHT:
                    assert time.monotonic() < deadline, "the creates never reached the lock"
                    await asyncio.sleep(0.05)

                gateway.process.send_signal(signal.SIGTERM)
                await asyncio.sleep(0.5)
                assert gateway.process.poll() is None  # still draining
                async with httpx.AsyncClient(base_url=gateway.url, timeout=2) as newcomer:
                    with pytest.raises(httpx.ConnectError):
                        await newcomer.get("/health/live")  # new connections are refused
                assert not any(task.done() for task in in_flight)
            finally:
                await held.rollback()
                await locker.close()

            answers = await asyncio.gather(*in_flight)
        for answer in answers:
            assert answer.status_code == 200, answer.text
            assert answer.json()["data"]["createLpa"]["accepted"] is True
        status = await asyncio.to_thread(gateway.process.wait, GRACEFUL_SHUTDOWN_SECONDS + 5)
        assert status in (0, -signal.SIGTERM)
        assert "Application shutdown complete" in gateway.output()
        expected = ["Drain-warm", *(f"Drain-{i:02d}" for i in range(IN_FLIGHT))]
        assert await markers(dsn) == sorted(expected)


def test_sigterm_refuses_new_connections_and_lets_requests_in_flight_finish(
    running_cluster: Cluster, tmp_path: Path
) -> None:
    asyncio.run(_drain(running_cluster, tmp_path))


async def _under_load(cluster: Cluster, work: Path) -> dict[str, Any]:
    acknowledged: dict[str, str] = {}  # marker -> uid
    refused = unanswered = 0
    async with gateway_on(cluster, work, CLIENT, SUB) as (gateway, token, dsn):
        assert gateway.process is not None
        headers = {"Authorization": f"Bearer {token}"}
        stop_at = time.monotonic() + WAIT

        async def client(http: httpx.AsyncClient, worker: int) -> None:
            nonlocal refused, unanswered
            for n in range(10_000):
                if time.monotonic() > stop_at:
                    return
                name = f"Load-{worker:02d}-{n:05d}"
                try:
                    response = await http.post("/graphql", json=create_body(name))
                except httpx.ConnectError:
                    refused += 1
                    return  # the gateway is gone: this client stops
                except httpx.HTTPError:
                    unanswered += 1
                    continue
                result = response.json()["data"]["createLpa"]
                assert result["accepted"] is True, response.text
                acknowledged[name] = result["uid"]

        async with httpx.AsyncClient(base_url=gateway.url, headers=headers, timeout=WAIT) as http:
            workers = [asyncio.create_task(client(http, w)) for w in range(32)]
            deadline = time.monotonic() + WAIT
            while len(acknowledged) < 150:
                assert time.monotonic() < deadline, "the load never got going"
                await asyncio.sleep(0.01)
            gateway.process.send_signal(signal.SIGTERM)
            signalled_at = len(acknowledged)
            await asyncio.gather(*workers)
        status = await asyncio.to_thread(gateway.process.wait, GRACEFUL_SHUTDOWN_SECONDS + 5)
        stored = await markers(dsn)
    return {
        "status": status,
        "acknowledged": acknowledged,
        "stored": stored,
        "refused": refused,
        "unanswered": unanswered,
        "answered_after_sigterm": len(acknowledged) - signalled_at,
    }


def test_sigterm_under_load_loses_no_acknowledged_write(
    running_cluster: Cluster, tmp_path: Path
) -> None:
    seen = asyncio.run(_under_load(running_cluster, tmp_path))

    assert seen["status"] in (0, -signal.SIGTERM)
    assert seen["refused"] > 0, "no client saw the gateway refuse new connections"
    assert seen["answered_after_sigterm"] > 0, "no request in flight at SIGTERM was answered"
    stored = seen["stored"]
    assert len(stored) == len(set(stored))  # nothing twice
    # Every acknowledged create is stored, and nothing was stored without its answer.
    assert sorted(seen["acknowledged"]) == stored, seen
