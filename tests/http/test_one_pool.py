"""A worker reaches each database through one pool. On PostgreSQL the engine's transactions,
its autocommit reads and the prepared statements of the hot lookups all draw from it, so
whatever the load a worker holds at most `db_pool_size` server connections to a database, and
one more to the primary: the audit batch's own (`app/db/audit_connection.py`). The read
replica has a pool of its own, the one pool of that database."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest
from sqlalchemy.engine import make_url

from app.db.demo import demo_uids, seed_demo
from app.db.engine import engine_for_url
from app.http.app import create_app
from app.settings import Settings
from tests import pgbouncer
from tests.conftest import POSTGRES_ADMIN_URL, migrated_database
from tests.factories import CREATE_LPA, online_lpa

pytestmark = [pytest.mark.anyio, pytest.mark.postgres_only]
POOL = 3
CONCURRENT = 8 * POOL
STATUS = "query S($uid: LpaUid!) { lpaStatus(uid: $uid) { isRegistered } }"
VALIDATE = "query V($uid: LpaUid!) { validateLpa(uid: $uid) { valid } }"
RECORD = "query R($uid: LpaUid!) { lpa(uid: $uid) { uid attorneys { firstNames } feeDue } }"


@pytest.fixture
def replica_url(templates: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """A second database standing in for the read replica (it is never in recovery, so the
    lag probe finds it caught up and the reads that may lag go there)."""
    with migrated_database("postgresql", templates, tmp_path / "unused") as url:
        yield url


def _name(url: str) -> str:
    return str(make_url(url).database)


async def _peaks(databases: list[str], stop: asyncio.Event) -> dict[str, int]:
    """The most server connections each database had at once, sampled until `stop`."""
    assert POSTGRES_ADMIN_URL is not None
    dsn = make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql")
    conn = await asyncpg.connect(dsn.render_as_string(hide_password=False))
    peaks = dict.fromkeys(databases, 0)
    try:
        while not stop.is_set():
            rows = await conn.fetch(
                "SELECT datname, count(*) AS n FROM pg_stat_activity"
                " WHERE datname = ANY($1::text[]) GROUP BY datname",
                databases,
            )
            for row in rows:
                peaks[row["datname"]] = max(peaks[row["datname"]], row["n"])
            await asyncio.sleep(0.005)
    finally:
        await conn.close()
    return peaks


async def test_a_worker_holds_one_pool_per_database_under_concurrent_load(
    settings: Settings, backend: str, replica_url: str, token: Callable[[str], str]
) -> None:
    if backend == pgbouncer.BACKEND:
        pytest.skip("behind PgBouncer the server's connections are PgBouncer's, not the worker's")
    seeding = engine_for_url(replica_url)
    try:
        await seed_demo(seeding)  # the replica's copy of the demo LPAs
    finally:
        await seeding.dispose()
    app = create_app(replace(settings, db_pool_size=POOL, read_database_url=replica_url))
    async with app.router.lifespan_context(app):
        await seed_demo(app.state.gateway.engine)
        uids = demo_uids()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:

            async def ask(client: str, query: str, variables: dict[str, Any]) -> None:
                headers = {"Authorization": f"Bearer {token(client)}"}
                body = {"query": query, "variables": variables}
                response = await http.post("/graphql", json=body, headers=headers)
                assert response.status_code == 200, response.text
                assert "errors" not in response.json(), response.text

            async def one(n: int) -> None:
                uid = uids[n % len(uids)]
                for round_ in range(4):
                    await ask("opg.poas.use", STATUS, {"uid": uid})  # prepared, the replica
                    await ask("opg.poas.makeregister", VALIDATE, {"uid": uid})  # prepared
                    await ask("opg.poas.sirius", RECORD, {"uid": uid})  # loaders, the replica
                    await ask(  # a transaction, and its audit row at once, on the primary
                        "opg.poas.makeregister",
                        CREATE_LPA,
                        {"input": online_lpa(), "key": f"pool-{n}-{round_}"},
                    )

            stop = asyncio.Event()
            sampling = asyncio.create_task(
                _peaks([_name(settings.database_url), _name(replica_url)], stop)
            )
            try:
                await asyncio.gather(*(one(n) for n in range(CONCURRENT)))
                await app.state.gateway.audit.flush()
            finally:
                stop.set()
                peaks = await sampling
    primary, replica = peaks[_name(settings.database_url)], peaks[_name(replica_url)]
    assert 1 <= replica <= POOL, peaks
    assert primary == POOL + 1, peaks  # the whole pool, and the audit batch's connection
