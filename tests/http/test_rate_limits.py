"""Per-client request rate limits: 429 RATE_LIMITED with Retry-After, to that client only,
before any GraphQL work, shared by every worker (the database, or Redis), and cheap.

Two gateway apps on one database (or one Redis) stand for two workers. Time is a clock the
test moves, so nothing here depends on how fast the machine is.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from app.http.app import create_app
from app.http.rate_limiter import lease_size
from app.settings import DEFAULT_POLICY_DIR, Settings
from tests.http.test_audit import rows

pytestmark = pytest.mark.anyio

LIMITED = "opg.poas.sirius"
OTHER = "opg.poas.use"
REDIS_URL = os.environ.get("LPA_GATEWAY_TEST_REDIS_URL")
STORES = ["database", *(["redis"] if REDIS_URL else [])]
RATE_LIMITED_CODE = "RATE_LIMITED"


def policy_with_rate(folder: Path, client: str, per_second: float, burst: int) -> Path:
    """A copy of the real policy with `client`'s [rate] changed."""
    policy = folder / "permissions"
    shutil.rmtree(policy, ignore_errors=True)
    shutil.copytree(DEFAULT_POLICY_DIR, policy)
    path = policy / f"{client}.toml"
    text, found = re.subn(
        r"\[rate\]\nper_second = [^\n]*\nburst = [^\n]*\n",
        f"[rate]\nper_second = {per_second}\nburst = {burst}\n",
        path.read_text(),
    )
    assert found == 1
    path.write_text(text)
    return policy


@dataclass
class Clock:
    now: float = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Worker:
    app: Starlette
    http: httpx.AsyncClient
    token: Callable[[str], str]
    leases: list[str] = field(default_factory=list)

    async def ask(self, client: str = LIMITED) -> httpx.Response:
        return await self.http.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"Authorization": f"Bearer {self.token(client)}"},
        )


@pytest.fixture(params=STORES)
def store_settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    if request.param == "redis":
        return replace(settings, redis_url=REDIS_URL, redis_prefix=f"test-{uuid.uuid4().hex}")
    return settings


@pytest.fixture
def workers(
    store_settings: Settings, tmp_path: Path, token: Callable[[str], str]
) -> Callable[..., Any]:
    """`workers(n, per_second, burst)`: n gateway apps sharing one store and one clock,
    with LIMITED's rate set so."""

    @asynccontextmanager
    async def start(count: int, per_second: float, burst: int) -> AsyncIterator[list[Worker]]:
        policy = policy_with_rate(tmp_path, LIMITED, per_second, burst)
        settings = replace(store_settings, policy_dir=policy)
        clock = Clock()
        async with AsyncExitStack() as stack:
            started = []
            for _ in range(count):
                app = create_app(settings)
                await stack.enter_async_context(app.router.lifespan_context(app))
                http = await stack.enter_async_context(
                    httpx.AsyncClient(
                        transport=httpx.ASGITransport(app=app), base_url="http://localhost"
                    )
                )
                worker = Worker(app, http, token)
                limiter = app.state.gateway.rates
                limiter.clock = clock
                limiter.store.lease = counting(limiter.store.lease, worker.leases)
                started.append(worker)
            yield started

    return start


def counting(lease: Callable[..., Any], calls: list[str]) -> Callable[..., Any]:
    """The store's own lease, each round trip counted."""

    async def counted(client: str, *args: Any) -> Any:
        calls.append(client)
        return await lease(client, *args)

    return counted


def refused(response: httpx.Response) -> bool:
    if response.status_code != 429:
        assert response.status_code == 200, response.text
        return False
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": RATE_LIMITED_CODE}
    assert int(response.headers["retry-after"]) >= 1
    return True


async def test_the_burst_is_admitted_and_one_more_is_429(workers: Any) -> None:
    async with workers(1, per_second=0.5, burst=5) as [worker]:
        answers = [await worker.ask() for _ in range(6)]
        assert [refused(a) for a in answers] == [False] * 5 + [True]
        last = answers[-1]
        assert last.headers["retry-after"] == "2"  # one token at 0.5 a second
        assert last.headers["x-request-id"]
        # that client only
        assert not refused(await worker.ask(OTHER))
        recorded = [(r["client"], r["reason"]) for r in await rows(worker.app)]
        assert recorded[5] == (LIMITED, "rate-limited")
        assert recorded[6] == (OTHER, None)


async def test_a_refused_request_does_no_graphql_work(
    workers: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with workers(1, per_second=0.5, burst=2) as [worker]:
        executor = worker.app.state.gateway.views[LIMITED].executor
        parsed: list[str] = []
        prepare = executor.prepare
        monkeypatch.setattr(executor, "prepare", lambda q: parsed.append(q) or prepare(q))
        answers = [await worker.ask() for _ in range(3)]
        assert [refused(a) for a in answers] == [False, False, True]
        assert len(parsed) == 2


async def test_tokens_come_back_at_the_rate(workers: Any) -> None:
    async with workers(1, per_second=8, burst=1) as [worker]:
        clock = worker.app.state.gateway.rates.clock
        assert not refused(await worker.ask())
        assert refused(await worker.ask())
        for _ in range(5):  # an eighth of a second brings one token, and only one
            clock.now += 0.125
            assert not refused(await worker.ask())
            assert refused(await worker.ask())
        clock.now -= 60  # a clock that goes back refills nothing
        assert refused(await worker.ask())


async def test_retry_after_is_when_a_token_will_be_there(workers: Any) -> None:
    async with workers(1, per_second=0.25, burst=1) as [worker]:
        clock = worker.app.state.gateway.rates.clock
        assert not refused(await worker.ask())
        answer = await worker.ask()
        assert answer.headers["retry-after"] == "4"
        clock.now += 3.875
        assert refused(await worker.ask())
        clock.now += 0.125
        assert not refused(await worker.ask())


async def test_two_workers_share_one_bucket_at_the_limit_and_one_past_it(workers: Any) -> None:
    async with workers(2, per_second=0.001, burst=6) as (first, second):
        answers = [await (first if i % 2 else second).ask() for i in range(6)]
        assert not any(refused(a) for a in answers)
        assert refused(await first.ask())
        assert refused(await second.ask())


async def test_leases_bound_what_workers_admit_together(workers: Any) -> None:
    """burst 200, so a lease is 10: the first worker holds 9 unspent tokens, the second gets
    the other 190 (refused early by 9 <= W * (L - 1)), and together they never pass 200."""
    async with workers(2, per_second=0.001, burst=200) as (first, second):
        lease = 10
        assert not refused(await first.ask())
        admitted_by_second = 0
        while not refused(await second.ask()):
            admitted_by_second += 1
        assert admitted_by_second == 200 - lease
        admitted_by_first = 1
        while not refused(await first.ask()):
            admitted_by_first += 1
        assert admitted_by_first == lease
        assert admitted_by_first + admitted_by_second == 200
        assert refused(await second.ask())


async def test_the_hot_path_leases_in_batches_and_a_refused_client_costs_nothing(
    workers: Any,
) -> None:
    async with workers(1, per_second=0.001, burst=200) as [worker]:
        for _ in range(100):
            assert not refused(await worker.ask())
        assert len(worker.leases) == 10  # one round trip per lease of 10, not per request
        for _ in range(100):
            assert not refused(await worker.ask())
        assert refused(await worker.ask())
        trips = len(worker.leases)
        for _ in range(20):
            assert refused(await worker.ask())
        assert len(worker.leases) == trips  # answered from memory until Retry-After


async def test_concurrent_requests_of_one_worker_take_exactly_the_burst(workers: Any) -> None:
    async with workers(1, per_second=0.001, burst=10) as [worker]:
        answers = await asyncio.gather(*(worker.ask() for _ in range(30)))
        assert sum(not refused(a) for a in answers) == 10


def test_the_lease_size_follows_the_burst() -> None:
    from app.authz.policy import RateLimit

    sizes = [
        lease_size(RateLimit(1.0, burst)) for burst in (1, 19, 20, 39, 40, 200, 999, 1000, 10**6)
    ]
    assert sizes == [1, 1, 1, 1, 2, 10, 49, 50, 50]
