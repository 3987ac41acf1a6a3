"""The donor identity oracle: yes/no only, once per document, and a failure budget per
(client, LPA) that holds across processes."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import event, func, literal_column, select
from sqlalchemy import table as sql_table
from starlette.applications import Starlette

from app.db.models import AuditEvent, OracleBudget, table
from app.db.oracle_budget import RedisBudget, SqlBudget
from app.db.prepared import Prepared, Statements
from app.db.repository import reads as reads_module
from app.db.repository.oracle import oracle_attempt
from app.db.visibility import RowRule
from app.graphql.context import RequestContext
from app.http.app import create_app
from app.settings import Settings

pytestmark = pytest.mark.anyio

ORACLE = """query($uid: LpaUid!, $dob: Date!, $postcode: String!) {
  donorIdentityMatches(uid: $uid, dateOfBirth: $dob, postcode: $postcode)
}"""
REDIS_URL = os.environ.get("LPA_GATEWAY_TEST_REDIS_URL")
STORES = ["database", *(["redis"] if REDIS_URL else [])]


@pytest.fixture(params=STORES)
async def oracle_app(
    request: pytest.FixtureRequest, settings: Settings
) -> AsyncIterator[Starlette]:
    if request.param == "redis":
        settings = replace(settings, redis_url=REDIS_URL, redis_prefix=f"test-{uuid.uuid4().hex}")
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def ask(oracle_app: Starlette, token: Any) -> Any:
    transport = httpx.ASGITransport(app=oracle_app)
    client = httpx.AsyncClient(transport=transport, base_url="http://localhost")

    async def call(uid: str, dob: str, postcode: str, query: str = ORACLE) -> httpx.Response:
        return await client.post(
            "/graphql",
            json={"query": query, "variables": {"uid": uid, "dob": dob, "postcode": postcode}},
            headers={"Authorization": f"Bearer {token('opg.poas.use')}"},
        )

    yield call
    await client.aclose()


@pytest.fixture
async def demo_lpas(oracle_app: Starlette) -> list[dict[str, Any]]:
    from app.db.demo import seed_demo

    return await seed_demo(oracle_app.state.gateway.engine)


def registered(demo: list[dict[str, Any]]) -> dict[str, Any]:
    return next(d for d in demo if d["status"] == "REGISTERED")


async def test_the_right_answer_matches_ignoring_case_and_spaces(
    ask: Any, demo_lpas: list[dict[str, Any]]
) -> None:
    lpa = registered(demo_lpas)
    for postcode in (lpa["donorPostcode"], "sw1a1aa", " S W 1 A 1 A A "):
        response = await ask(lpa["uid"], lpa["donorDateOfBirth"], postcode)
        assert response.json() == {"data": {"donorIdentityMatches": True}}


async def test_unknown_invisible_and_wrong_answers_are_identical(
    ask: Any, demo_lpas: list[dict[str, Any]]
) -> None:
    lpa = registered(demo_lpas)
    hidden = next(d for d in demo_lpas if d["status"] == "IN_PROGRESS")
    answers = [
        await ask(lpa["uid"], "1958-03-15", lpa["donorPostcode"]),  # wrong date of birth
        await ask(lpa["uid"], lpa["donorDateOfBirth"], "SW1A 1AB"),  # wrong postcode
        await ask("M-1234-5678-9018", "1958-03-14", "SW1A 1AA"),  # unknown
        await ask(hidden["uid"], hidden["donorDateOfBirth"], hidden["donorPostcode"]),  # hidden
    ]
    assert {a.content for a in answers} == {b'{"data":{"donorIdentityMatches":false}}'}
    assert {a.status_code for a in answers} == {200}


async def test_the_budget_locks_the_lpa_after_five_failures(
    ask: Any, oracle_app: Starlette, demo_lpas: list[dict[str, Any]]
) -> None:
    lpa = registered(demo_lpas)
    for _ in range(5):
        wrong = await ask(lpa["uid"], "2000-01-01", lpa["donorPostcode"])
        assert wrong.json() == {"data": {"donorIdentityMatches": False}}

    right = await ask(lpa["uid"], lpa["donorDateOfBirth"], lpa["donorPostcode"])

    assert right.json()["data"] is None
    assert [e["extensions"]["code"] for e in right.json()["errors"]] == ["RATE_LIMITED"]
    audit = table(AuditEvent)
    async with oracle_app.state.gateway.engine.connect() as conn:
        lockouts = (await conn.execute(select(audit).where(audit.c.kind == "oracle-lockout"))).all()
    assert [(r.client, r.lpa_uids) for r in lockouts] == [("opg.poas.use", [lpa["uid"]])]
    other = next(d for d in demo_lpas if d["status"] == "CANCELLED")
    still_open = await ask(other["uid"], other["donorDateOfBirth"], other["donorPostcode"])
    assert still_open.json() == {"data": {"donorIdentityMatches": True}}


async def test_four_failures_leave_the_right_answer_working(
    ask: Any, demo_lpas: list[dict[str, Any]]
) -> None:
    lpa = registered(demo_lpas)
    for _ in range(4):
        await ask(lpa["uid"], "2000-01-01", lpa["donorPostcode"])
    right = await ask(lpa["uid"], lpa["donorDateOfBirth"], lpa["donorPostcode"])
    assert right.json() == {"data": {"donorIdentityMatches": True}}


async def test_the_lock_ends_with_its_window(
    ask: Any,
    oracle_app: Starlette,
    demo_lpas: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lpa = registered(demo_lpas)
    for _ in range(5):
        await ask(lpa["uid"], "2000-01-01", lpa["donorPostcode"])
    budget = oracle_app.state.gateway.budget
    if isinstance(budget, RedisBudget):
        # Redis ends the window itself: the key expires 24 hours after the first failure.
        ttl = await budget.redis.ttl(budget._key("opg.poas.use", lpa["uid"]))
        assert 24 * 3600 - 60 < ttl <= 24 * 3600
        return
    later = RequestContext.now() + timedelta(hours=24, seconds=1)
    monkeypatch.setattr(RequestContext, "now", staticmethod(lambda: later))
    right = await ask(lpa["uid"], lpa["donorDateOfBirth"], lpa["donorPostcode"])
    assert right.json() == {"data": {"donorIdentityMatches": True}}


TWICE_BY_ALIAS = """query($uid: LpaUid!, $dob: Date!, $postcode: String!) {
  a: donorIdentityMatches(uid: $uid, dateOfBirth: $dob, postcode: $postcode)
  b: donorIdentityMatches(uid: $uid, dateOfBirth: $dob, postcode: $postcode)
}"""
TWICE_BY_FRAGMENT = """query($uid: LpaUid!, $dob: Date!, $postcode: String!) { ...F ...F }
fragment F on Query { donorIdentityMatches(uid: $uid, dateOfBirth: $dob, postcode: $postcode) }"""
TWICE_NESTED = """query($uid: LpaUid!, $dob: Date!, $postcode: String!) { ...A }
fragment A on Query {
  ...B
  x: donorIdentityMatches(uid: $uid, dateOfBirth: $dob, postcode: $postcode)
}
fragment B on Query { donorIdentityMatches(uid: $uid, dateOfBirth: $dob, postcode: $postcode) }"""
ONCE_IN_FRAGMENT = """query($uid: LpaUid!, $dob: Date!, $postcode: String!) { ...F }
fragment F on Query { donorIdentityMatches(uid: $uid, dateOfBirth: $dob, postcode: $postcode) }"""


@pytest.mark.parametrize("document", [TWICE_BY_ALIAS, TWICE_BY_FRAGMENT, TWICE_NESTED])
async def test_more_than_once_per_document_is_refused_before_running(
    ask: Any, oracle_app: Starlette, demo_lpas: list[dict[str, Any]], document: str
) -> None:
    lpa = registered(demo_lpas)
    response = await ask(lpa["uid"], "2000-01-01", lpa["donorPostcode"], document)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    budget = oracle_app.state.gateway.budget
    assert not await budget.spent("opg.poas.use", lpa["uid"], RequestContext.now())
    # nothing ran, so nothing was counted: five more failures are still needed to lock
    for _ in range(4):
        await ask(lpa["uid"], "2000-01-01", lpa["donorPostcode"])
    assert not await budget.spent("opg.poas.use", lpa["uid"], RequestContext.now())


async def test_once_in_a_fragment_is_fine(ask: Any, demo_lpas: list[dict[str, Any]]) -> None:
    lpa = registered(demo_lpas)
    response = await ask(
        lpa["uid"], lpa["donorDateOfBirth"], lpa["donorPostcode"], ONCE_IN_FRAGMENT
    )
    assert response.json() == {"data": {"donorIdentityMatches": True}}


@pytest.mark.parametrize(("postcode", "status"), [("A" * 16, 200), ("A" * 17, 400)])
async def test_postcode_length_limit(
    ask: Any, demo_lpas: list[dict[str, Any]], postcode: str, status: int
) -> None:
    lpa = registered(demo_lpas)
    response = await ask(lpa["uid"], lpa["donorDateOfBirth"], postcode)
    body = response.json()
    if status == 200:
        assert body == {"data": {"donorIdentityMatches": False}}
    else:
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_only_use_an_lpa_may_ask(gql: Any) -> None:
    variables = {"uid": "M-1234-5678-9018", "dob": "1950-01-01", "postcode": "SW1A 1AA"}
    for client in ("opg.poas.makeregister", "opg.poas.sirius"):
        response = await gql(client, ORACLE, variables)
        assert response.status_code == 400


# One connection for an attempt: the budget's check, the donor lookup and the budget's write
# share one pooled connection where they share a database; each is still the statement it was,
# so the budget counts and locks as before, concurrent attempts included.
CLIENT = "opg.poas.use"
WRONG = "2000-01-01"


@contextmanager
def checkouts(app: Starlette) -> Iterator[list[object]]:
    """Every connection checked out of the worker's pool meanwhile."""
    seen: list[object] = []

    def checkout(*_: object) -> None:
        seen.append(_)

    pool = app.state.gateway.engine.sync_engine.pool
    event.listen(pool, "checkout", checkout)
    try:
        yield seen
    finally:
        event.remove(pool, "checkout", checkout)


@pytest.mark.postgres_only
async def test_an_attempt_takes_one_connection(
    ask: Any, oracle_app: Starlette, demo_lpas: list[dict[str, Any]]
) -> None:
    """Before: one each for the check, the lookup and (for a wrong answer) the write."""
    lpa = registered(demo_lpas)
    await ask(lpa["uid"], WRONG, lpa["donorPostcode"])  # the client's first rate lease
    for dob in (WRONG, lpa["donorDateOfBirth"]):
        with checkouts(oracle_app) as seen:
            response = await ask(lpa["uid"], dob, lpa["donorPostcode"])
        assert response.json() == {"data": {"donorIdentityMatches": dob != WRONG}}
        assert len(seen) == 1
    pool = oracle_app.state.gateway.engine.sync_engine.pool
    assert pool.checkedout() == 0


async def test_concurrent_failures_count_each_and_lock_once(
    ask: Any, oracle_app: Starlette, demo_lpas: list[dict[str, Any]]
) -> None:
    """Attempts that pass the check before the budget is spent each count one failure, by the
    one atomic write; the failure that spends it is the only one that writes the lockout's
    audit row; once spent, even the right answer is refused."""
    lpa = registered(demo_lpas)
    budget = oracle_app.state.gateway.budget
    answers = await asyncio.gather(
        *(ask(lpa["uid"], WRONG, lpa["donorPostcode"]) for _ in range(3 * budget.limit))
    )
    bodies = [a.json() for a in answers]
    failed = [b for b in bodies if b == {"data": {"donorIdentityMatches": False}}]
    refused = [b for b in bodies if b not in failed]
    assert len(failed) >= budget.limit
    assert all(b["errors"][0]["extensions"]["code"] == "RATE_LIMITED" for b in refused)
    engine = oracle_app.state.gateway.engine
    audit = table(AuditEvent)
    async with engine.connect() as conn:
        lockouts = await conn.scalar(
            select(func.count()).select_from(audit).where(audit.c.kind == "oracle-lockout")
        )
        if isinstance(budget, RedisBudget):
            counted = int(await budget.redis.get(budget._key(CLIENT, lpa["uid"])))
        else:
            budgets = table(OracleBudget)
            counted = await conn.scalar(
                select(budgets.c.failures).where(budgets.c.lpa_uid == lpa["uid"])
            )
    assert counted == len(failed)
    assert lockouts == 1
    right = await ask(lpa["uid"], lpa["donorDateOfBirth"], lpa["donorPostcode"])
    assert right.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert engine.sync_engine.pool.checkedout() == 0


async def test_a_failed_lookup_counts_nothing_and_gives_the_connection_back(
    ask: Any,
    oracle_app: Starlette,
    demo_lpas: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As before: the check ran, the lookup failed, so no failure was written."""
    lpa = registered(demo_lpas)
    broken = Prepared(select(literal_column("1").label("x")).select_from(sql_table("no_such")))
    monkeypatch.setattr(reads_module, "_DONOR_BY_RULE", dict.fromkeys(RowRule, broken))
    response = await ask(lpa["uid"], WRONG, lpa["donorPostcode"])
    assert response.json()["data"] is None
    assert response.json()["errors"][0]["extensions"]["code"] == "INTERNAL"
    monkeypatch.undo()
    for _ in range(4):  # none of the five was spent by the failed lookup
        await ask(lpa["uid"], WRONG, lpa["donorPostcode"])
    right = await ask(lpa["uid"], lpa["donorDateOfBirth"], lpa["donorPostcode"])
    assert right.json() == {"data": {"donorIdentityMatches": True}}
    assert oracle_app.state.gateway.engine.sync_engine.pool.checkedout() == 0


async def test_a_budget_elsewhere_keeps_its_own_connections(oracle_app: Starlette) -> None:
    """In Redis, or on a database other than the lookup's (the replica's), the budget is
    left as it is and the lookup runs on its database's statements; otherwise both run on
    one held connection."""
    gateway = oracle_app.state.gateway
    database = gateway.database
    budget = oracle_app.state.oracle_budget
    async with oracle_attempt(database, budget, RowRule.ALL, CLIENT) as attempt:
        if isinstance(gateway.budget, RedisBudget):
            assert attempt.budget is budget
        else:
            assert attempt.budget is not budget
            assert attempt.budget.statements is database.statements
    elsewhere = SqlBudget(Statements(database.engine), budget.limit, gateway.budget.window)
    async with oracle_attempt(database, elsewhere, RowRule.ALL, CLIENT) as attempt:
        assert attempt.budget is elsewhere
        assert attempt._reads is database.statements
