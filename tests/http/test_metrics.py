"""/metrics: every metric moves when it should, and only the configured scraper may read it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette

from app.http.app import create_app
from app.settings import Settings
from tests.factories import LPA_STATUS
from tests.production import production

pytestmark = pytest.mark.anyio

SCRAPER_TOKEN = "s" * 40
DONOR_CHECK = """
query Check($uid: LpaUid!, $dob: Date!, $postcode: String!) {
  donorIdentityMatches(uid: $uid, dateOfBirth: $dob, postcode: $postcode)
}
"""


async def scrape(http: httpx.AsyncClient, token: str | None = None) -> dict[tuple[str, ...], float]:
    """Every sample, keyed by (name, label=value, ...)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, *(f"{k}={v}" for k, v in sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def registered(demo: list[dict[str, Any]]) -> dict[str, Any]:
    return next(d for d in demo if d["status"] == "REGISTERED")


async def test_an_allowed_request_is_counted_and_timed(
    http: httpx.AsyncClient, gql: Any, demo: list[dict[str, Any]]
) -> None:
    for _ in range(2):  # the second through the children remembered for these labels
        await gql("opg.poas.use", LPA_STATUS, {"uid": registered(demo)["uid"]})
    samples = await scrape(http)
    labels = ("client=opg.poas.use", "operation=lpaStatus")
    assert samples[("lpa_gateway_requests_total", *labels, "outcome=allowed")] == 2
    assert samples[("lpa_gateway_request_duration_seconds_count", *labels)] == 2
    assert samples[("lpa_gateway_request_duration_seconds_sum", *labels)] > 0
    assert not any(key[0] == "lpa_gateway_denials_total" for key in samples)


async def test_denials_are_counted_by_client_and_reason(http: httpx.AsyncClient, gql: Any) -> None:
    await http.post("/graphql", json={"query": "{ __typename }"})
    await gql("opg.poas.use", '{ lpa(uid: "M-1234-5678-9018") { uid } }')
    await gql("opg.poas.use", '{ lpa(uid: "M-1234-5678-9018") { uid } }')
    samples = await scrape(http)
    assert samples[("lpa_gateway_denials_total", "client=-", "reason=unauthenticated")] == 1
    assert (
        samples[("lpa_gateway_denials_total", "client=opg.poas.use", "reason=invalid-document")]
        == 2
    )
    assert (
        samples[
            ("lpa_gateway_requests_total", "client=opg.poas.use", "operation=-", "outcome=denied")
        ]
        == 2
    )


async def test_an_internal_error_is_counted_as_an_error(
    http: httpx.AsyncClient, gql: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def explode(*_: Any, **__: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("app.db.repository.caller.status_row", explode)
    await gql("opg.poas.use", LPA_STATUS, {"uid": "M-1234-5678-9018"})
    samples = await scrape(http)
    key = ("lpa_gateway_requests_total", "client=opg.poas.use", "operation=lpaStatus")
    assert samples[(*key, "outcome=error")] == 1


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://localhost"
        ) as http,
    ):
        yield app, http


async def test_an_oracle_lockout_is_counted_once(
    settings: Settings, token: Callable[[str], str]
) -> None:
    async with serving(replace(settings, oracle_failure_budget=2)) as (app, http):
        from app.db.demo import seed_demo

        lpa = registered(await seed_demo(app.state.gateway.engine))
        wrong = {"uid": lpa["uid"], "dob": "1900-01-01", "postcode": "ZZ1 1ZZ"}
        auth = {"Authorization": f"Bearer {token('opg.poas.use')}"}
        answers = []
        for _ in range(3):
            response = await http.post(
                "/graphql", json={"query": DONOR_CHECK, "variables": wrong}, headers=auth
            )
            answers.append(response.json())
        assert answers[0] == answers[1] == {"data": {"donorIdentityMatches": False}}
        assert answers[2]["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        samples = await scrape(http)
    assert samples[("lpa_gateway_oracle_lockouts_total", "client=opg.poas.use")] == 1


async def test_no_lockout_is_counted_while_the_budget_lasts(
    http: httpx.AsyncClient, gql: Any, demo: list[dict[str, Any]]
) -> None:
    lpa = registered(demo)
    wrong = {"uid": lpa["uid"], "dob": "1900-01-01", "postcode": "ZZ1 1ZZ"}
    await gql("opg.poas.use", DONOR_CHECK, wrong)
    samples = await scrape(http)
    assert not any(key[0] == "lpa_gateway_oracle_lockouts_total" for key in samples)


async def test_pool_use_follows_checked_out_connections(
    app: Starlette, http: httpx.AsyncClient
) -> None:
    engine = app.state.gateway.engine
    before = (await scrape(http))[("lpa_gateway_db_pool_connections_in_use",)]
    async with engine.connect():
        held = (await scrape(http))[("lpa_gateway_db_pool_connections_in_use",)]
    after = (await scrape(http))[("lpa_gateway_db_pool_connections_in_use",)]
    assert held == before + 1
    assert after == before
    assert (await scrape(http))[("lpa_gateway_db_pool_size",)] > 0


async def test_development_without_a_token_is_open(http: httpx.AsyncClient) -> None:
    assert (await http.get("/metrics")).status_code == 200


async def test_a_configured_token_is_required_in_development_too(settings: Settings) -> None:
    async with serving(replace(settings, metrics_token=SCRAPER_TOKEN)) as (_, http):
        assert (await http.get("/metrics")).status_code == 401
        wrong = await http.get("/metrics", headers={"Authorization": "Bearer " + "x" * 40})
        assert wrong.status_code == 401
        assert wrong.headers["www-authenticate"] == "Bearer"
        await scrape(http, SCRAPER_TOKEN)


async def test_production_without_a_token_has_no_metrics(database_url: str, tmp_path: Path) -> None:
    async with serving(production(database_url, tmp_path)) as (_, http):
        assert (await http.get("/metrics")).status_code == 404


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer " + "x" * 40, f"Basic {SCRAPER_TOKEN}", f"Bearer {SCRAPER_TOKEN}x", "Bearer"],
)
async def test_production_refuses_any_other_scraper(
    database_url: str, tmp_path: Path, authorization: str | None
) -> None:
    settings = production(database_url, tmp_path, metrics_token=SCRAPER_TOKEN)
    headers = {"Authorization": authorization} if authorization else {}
    async with serving(settings) as (_, http):
        response = await http.get("/metrics", headers=headers)
        assert response.status_code == 401
        assert "lpa_gateway" not in response.text


async def test_production_serves_the_configured_scraper(database_url: str, tmp_path: Path) -> None:
    settings = production(database_url, tmp_path, metrics_token=SCRAPER_TOKEN)
    async with serving(settings) as (_, http):
        samples = await scrape(http, SCRAPER_TOKEN)
    assert ("lpa_gateway_db_pool_connections_in_use",) in samples
