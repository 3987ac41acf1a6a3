"""LPA_GATEWAY_READ_DATABASE_URL on real servers: a throwaway primary and a streaming replica
of it. Where each answer's statements went is counted by the servers themselves (scans of
each table in their statistics, flushed when the gateway's connections close), and the lag
fallback is proven by pausing the replica's replay and by stopping it."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest

from app.authz.tokens import mint_dev_token
from app.db.demo import seed_demo
from app.db.engine import engine_for_url
from app.db.migrate import upgrade
from app.http.app import create_app
from app.settings import Settings
from tests.factories import SUBS
from tests.reliability.cluster import (
    Cluster,
    ClusterUnavailable,
    create_database,
    find_bin_dir,
    streaming_replica,
    throwaway_cluster,
)
from tests.reliability.topology_probes import caught_up

pytestmark = pytest.mark.anyio
DATABASE = "routed"
TIMES = 3  # each question is asked this many times
SETTLE_SECONDS = 15.0  # bound on waiting for a probe to see a change

STATUS = "query($uid: LpaUid!) { lpaStatus(uid: $uid) { isRegistered } }"
ORACLE = """query($uid: LpaUid!, $dob: Date!, $postcode: String!) {
  donorIdentityMatches(uid: $uid, dateOfBirth: $dob, postcode: $postcode) }"""
RECORD = "query($uid: LpaUid!) { lpa(uid: $uid) { uid donor { uid } history { changeType } } }"
EVENTS = "{ lpaEvents(first: 5) { nextCursor } }"
QUESTION = "query($uid: LpaUid!) { validateLpa(uid: $uid) { valid } }"


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Cluster, Cluster]]:
    try:
        find_bin_dir()
    except ClusterUnavailable as error:
        if _ci():
            pytest.fail(f"CI needs a throwaway PostgreSQL cluster: {error}", pytrace=False)
        pytest.skip(str(error))
    with (
        throwaway_cluster("lpa-routing-primary-") as primary,
        streaming_replica(primary, "lpa-routing-replica-") as replica,
    ):
        asyncio.run(create_database(primary, DATABASE))
        upgrade(primary.url(DATABASE))
        asyncio.run(_seed(primary))
        assert asyncio.run(caught_up(primary, replica))
        yield primary, replica


def _ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


async def _seed(primary: Cluster) -> None:
    engine = engine_for_url(primary.url(DATABASE))
    try:
        await seed_demo(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def lpa(servers: tuple[Cluster, Cluster]) -> dict[str, Any]:
    """A registered demo LPA, its donor's details included."""
    primary, _ = servers

    async def demos() -> list[dict[str, Any]]:
        engine = engine_for_url(primary.url(DATABASE))
        try:
            return await seed_demo(engine)  # stores nothing more: answers the summaries
        finally:
            await engine.dispose()

    return next(d for d in asyncio.run(demos()) if d["status"] == "REGISTERED")


@pytest.fixture
def settings(servers: tuple[Cluster, Cluster], tmp_path: Path) -> Settings:
    primary, replica = servers
    return Settings(
        database_url=primary.url(DATABASE),
        read_database_url=replica.url(DATABASE),
        max_replica_lag_seconds=1,
        dev_keys_dir=tmp_path / "keys",
    )


Ask = Callable[[str, str, dict[str, Any] | None], Any]


@asynccontextmanager
async def gateway(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Ask]]:
    """The gateway's app, and a way to ask it something as a client; every connection is
    closed on the way out, which flushes the servers' statistics."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:

            async def ask(client: str, query: str, variables: dict[str, Any] | None) -> Any:
                token = mint_dev_token(settings, client, SUBS[client])
                answer = await http.post(
                    "/graphql",
                    json={"query": query, "variables": variables or {}},
                    headers={"Authorization": f"Bearer {token}"},
                )
                assert answer.status_code == 200, answer.text
                body = answer.json()
                assert "errors" not in body, body
                return body["data"]

            yield http, ask


async def _scans(cluster: Cluster) -> dict[str, int]:
    """Scans (sequential and index) of each of the gateway's tables, as the server counts."""
    conn = await asyncpg.connect(cluster.dsn(DATABASE), timeout=10)
    try:
        rows = await conn.fetch(
            "SELECT relname, coalesce(seq_scan, 0) + coalesce(idx_scan, 0) AS scans"
            " FROM pg_stat_user_tables"
        )
    finally:
        await conn.close()
    return {r["relname"]: int(r["scans"]) for r in rows}


async def _settled_scans(cluster: Cluster) -> dict[str, int]:
    """The counts once the closed connections' statistics have arrived (they no longer change)."""
    last = await _scans(cluster)
    for _ in range(20):
        await asyncio.sleep(0.25)
        now = await _scans(cluster)
        if now == last:
            return now
        last = now
    return last


async def _where_it_went(
    servers: tuple[Cluster, Cluster], settings: Settings, client: str, query: str, **values: Any
) -> tuple[dict[str, int], dict[str, int]]:
    """Scans of each table on the primary and on the replica while `query` was asked."""
    primary, replica = servers
    before = await _settled_scans(primary), await _settled_scans(replica)
    async with gateway(settings) as (_, ask):
        for _ in range(TIMES):
            await ask(client, query, values)
    after = await _settled_scans(primary), await _settled_scans(replica)
    return tuple(  # type: ignore[return-value]
        {t: a[t] - b.get(t, 0) for t in a if a[t] != b.get(t, 0)}
        for b, a in zip(before, after, strict=True)
    )


async def test_reads_that_may_lag_go_to_the_replica(
    servers: tuple[Cluster, Cluster], settings: Settings, lpa: dict[str, Any]
) -> None:
    uid = lpa["uid"]
    on_primary, on_replica = await _where_it_went(
        servers, settings, "opg.poas.use", STATUS, uid=uid
    )
    assert on_replica.get("lpas", 0) >= TIMES
    assert "lpas" not in on_primary

    on_primary, on_replica = await _where_it_went(
        servers, settings, "opg.poas.sirius", RECORD, uid=uid
    )
    assert on_replica.get("lpas", 0) >= TIMES
    assert on_replica.get("actors", 0) >= TIMES  # the DataLoaders read there too
    assert on_replica.get("changes", 0) >= TIMES
    assert not {"lpas", "actors", "changes"} & set(on_primary)

    on_primary, on_replica = await _where_it_went(servers, settings, "opg.poas.sirius", EVENTS)
    assert on_replica.get("outbox", 0) >= TIMES
    assert "outbox" not in on_primary


async def test_the_oracle_looks_up_on_the_replica_and_counts_failures_on_the_primary(
    servers: tuple[Cluster, Cluster], settings: Settings, lpa: dict[str, Any]
) -> None:
    on_primary, on_replica = await _where_it_went(
        servers,
        settings,
        "opg.poas.use",
        ORACLE,
        uid=lpa["uid"],
        dob="1900-01-01",  # a wrong answer: each counts against the budget
        postcode=lpa["donorPostcode"],
    )
    assert on_replica.get("lpas", 0) >= TIMES
    assert "lpas" not in on_primary
    assert on_primary.get("oracle_budgets", 0) >= TIMES  # `spent` and the failure's upsert
    assert "oracle_budgets" not in on_replica


async def test_the_online_service_s_questions_about_its_own_lpas_go_to_the_primary(
    servers: tuple[Cluster, Cluster], settings: Settings, lpa: dict[str, Any]
) -> None:
    on_primary, on_replica = await _where_it_went(
        servers, settings, "opg.poas.makeregister", QUESTION, uid=lpa["uid"]
    )
    assert on_primary.get("lpas", 0) >= TIMES
    assert "lpas" not in on_replica


async def _ready(http: httpx.AsyncClient) -> dict[str, Any]:
    answer = await http.get("/health/ready")
    assert answer.status_code == 200  # a lagging or lost replica never makes it unready
    return dict(answer.json()["replica"])


async def _until(http: httpx.AsyncClient, in_use: bool) -> dict[str, Any]:
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        seen = await _ready(http)
        if seen["inUse"] is in_use or time.monotonic() > deadline:
            return seen
        await asyncio.sleep(0.2)


async def _lag_metric(http: httpx.AsyncClient) -> float:
    text = (await http.get("/metrics")).text
    line = next(x for x in text.splitlines() if x.startswith("lpa_gateway_replica_lag_seconds "))
    return float(line.split()[1])


async def _on(cluster: Cluster, sql: str) -> None:
    conn = await asyncpg.connect(cluster.dsn(DATABASE), timeout=10)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def test_a_replica_paused_beyond_the_bound_sends_reads_to_the_primary(
    servers: tuple[Cluster, Cluster], settings: Settings, lpa: dict[str, Any]
) -> None:
    async with gateway(settings) as (http, ask):
        assert await _until(http, in_use=True) == {"lagSeconds": 0.0, "inUse": True}
        # An idle primary: its last commit is older than the bound, but nothing is missing.
        await asyncio.sleep(settings.max_replica_lag_seconds + 1)
        assert await _ready(http) == {"lagSeconds": 0.0, "inUse": True}
        await _on(servers[1], "SELECT pg_wal_replay_pause()")
        try:
            await _on(servers[0], "CREATE TABLE IF NOT EXISTS lag_marker (at timestamptz)")
            await _on(servers[0], "INSERT INTO lag_marker VALUES (now())")
            behind = await _until(http, in_use=False)
            assert behind["inUse"] is False
            assert behind["lagSeconds"] > settings.max_replica_lag_seconds
            assert await _lag_metric(http) > settings.max_replica_lag_seconds
            await ask("opg.poas.use", STATUS, {"uid": lpa["uid"]})  # answered by the primary
        finally:
            await _on(servers[1], "SELECT pg_wal_replay_resume()")
        caught = await _until(http, in_use=True)
        assert caught == {"lagSeconds": 0.0, "inUse": True}
        assert await _lag_metric(http) == 0.0


async def test_while_paused_the_reads_went_to_the_primary(
    servers: tuple[Cluster, Cluster], settings: Settings, lpa: dict[str, Any]
) -> None:
    """Counted by the servers: the paused replica served none of them."""
    await _on(servers[1], "SELECT pg_wal_replay_pause()")
    try:
        await _on(servers[0], "CREATE TABLE IF NOT EXISTS lag_marker (at timestamptz)")
        await _on(servers[0], "INSERT INTO lag_marker VALUES (now())")
        await asyncio.sleep(settings.max_replica_lag_seconds + 0.5)
        on_primary, on_replica = await _where_it_went(
            servers, settings, "opg.poas.use", STATUS, uid=lpa["uid"]
        )
    finally:
        await _on(servers[1], "SELECT pg_wal_replay_resume()")
    assert on_primary.get("lpas", 0) >= TIMES
    assert "lpas" not in on_replica


async def test_a_stopped_replica_sends_reads_to_the_primary(
    servers: tuple[Cluster, Cluster], settings: Settings, lpa: dict[str, Any]
) -> None:
    _, replica = servers
    async with gateway(settings) as (http, ask):
        assert (await _until(http, in_use=True))["inUse"] is True
        await asyncio.to_thread(replica.stop)
        try:
            gone = await _until(http, in_use=False)
            assert gone == {"lagSeconds": None, "inUse": False}
            assert await _lag_metric(http) == float("inf")
            for _ in range(TIMES):
                answer = await ask("opg.poas.use", STATUS, {"uid": lpa["uid"]})
                assert answer == {"lpaStatus": {"isRegistered": True}}
        finally:
            await asyncio.to_thread(replica.start)
        assert (await _until(http, in_use=True))["inUse"] is True
