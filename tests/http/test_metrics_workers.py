"""/metrics with several uvicorn workers: with PROMETHEUS_MULTIPROC_DIR set, whichever worker
answers the scrape reports the requests of all of them; without it, each worker only its own."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from app.authz.tokens import mint_dev_token
from app.db.engine import engine_for_url
from app.db.migrate import upgrade
from app.settings import Settings
from tests.factories import LPA_STATUS
from tests.live_server import LiveServer, live_server

REQUESTS = 12
SUB = "urn:opg:poas:use:users:22222222-2222-4222-8222-222222222222"


def counted(
    server: LiveServer, http: httpx.Client, name: str = "lpa_gateway_requests_total"
) -> float:
    text = http.get(f"{server.base_url}/metrics").text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name
    )


def pool_size_of_one_worker(database_url: str) -> int:
    engine = engine_for_url(database_url)
    size = engine.sync_engine.pool.size()  # type: ignore[attr-defined]
    asyncio.run(engine.dispose())
    return int(size)


def send(server: LiveServer, http: httpx.Client, token: str) -> None:
    for _ in range(REQUESTS):
        # A fresh connection each time, so that the requests spread over the workers.
        response = httpx.post(
            f"{server.base_url}/graphql",
            json={"query": LPA_STATUS, "variables": {"uid": "M-1234-5678-9018"}},
            headers={"Authorization": f"Bearer {token}", "Connection": "close"},
            trust_env=False,
        )
        assert response.status_code == 200


@pytest.fixture
def migrated(tmp_path: Path) -> Path:
    upgrade(f"sqlite+aiosqlite:///{tmp_path / 'gateway.sqlite3'}")
    return tmp_path


def test_every_worker_reports_the_requests_of_all_workers(migrated: Path) -> None:
    multiproc = migrated / "prometheus"
    multiproc.mkdir()
    (multiproc / "counter_99999.db").write_bytes(b"stale")  # serve clears a previous run's files
    env = {"PROMETHEUS_MULTIPROC_DIR": str(multiproc)}
    with (
        live_server(migrated, ("serve", "--workers", "2"), env) as server,
        httpx.Client(trust_env=False, headers={"Connection": "close"}) as http,
    ):
        token = mint_dev_token(Settings(dev_keys_dir=migrated / "dev-keys"), "opg.poas.use", SUB)
        send(server, http, token)
        scrapes = {counted(server, http) for _ in range(6)}
        pool_sizes = {counted(server, http, "lpa_gateway_db_pool_size") for _ in range(6)}
    assert scrapes == {REQUESTS}
    # Both workers' pools, summed, in every scrape: the answer covers every worker.
    url = f"sqlite+aiosqlite:///{migrated / 'gateway.sqlite3'}"
    assert pool_sizes == {2 * pool_size_of_one_worker(url)}
    assert not (multiproc / "counter_99999.db").exists()


def test_without_the_directory_one_worker_reports_its_own(migrated: Path) -> None:
    with (
        live_server(migrated, ("serve",)) as server,
        httpx.Client(trust_env=False) as http,
    ):
        token = mint_dev_token(Settings(dev_keys_dir=migrated / "dev-keys"), "opg.poas.use", SUB)
        send(server, http, token)
        assert counted(server, http) == REQUESTS
        url = f"sqlite+aiosqlite:///{migrated / 'gateway.sqlite3'}"
        assert counted(server, http, "lpa_gateway_db_pool_size") == pool_size_of_one_worker(url)
