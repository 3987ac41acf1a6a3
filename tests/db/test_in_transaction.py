"""Statements run by asyncpg inside a SQLAlchemy transaction (`InTransaction`) are part of that
transaction, and fail as SQLAlchemy's own statements fail: the same exception classes, the
unique violation an `IntegrityError`, a dead or cut-off connection invalidated. On SQLite every
statement goes through SQLAlchemy, and the same contract holds."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, cast

import pytest
from sqlalchemy import bindparam, event, func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.db.availability import database_unavailable
from app.db.engine import engine_for_url
from app.db.idempotency import recall, remember
from app.db.in_transaction import InTransaction
from app.db.prepared import Prepared
from app.db.repository import CallerRepository, Database
from app.db.visibility import RowRule
from app.domain.verdict import Verdict
from app.graphql.context import RequestContext
from app.graphql.errors import Conflict, Timeout, known_failure
from app.graphql.idempotent import run_once
from app.settings import Settings

pytestmark = pytest.mark.anyio
CLIENT = "opg.poas.makeregister"
AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
FIRST = Verdict(accepted=True, uid="M-1111-1111-1111", version=1)
_SLEEP = Prepared(select(func.pg_sleep(bindparam("seconds")).label("slept")))
_LEFT_IN_A_TRANSACTION = text(
    "SELECT count(*) FROM pg_stat_activity"
    " WHERE datname = current_database() AND state LIKE 'idle in transaction%'"
)


class _RollBack(Exception):
    pass


Block = Callable[[AsyncConnection], Awaitable[object]]


async def _run_and_roll_back(engine: AsyncEngine, block: Block) -> None:
    """`block` in a transaction that an exception then rolls back, as a failed mutation's."""
    async with engine.begin() as conn:
        await block(conn)
        raise _RollBack


async def _run(engine: AsyncEngine, block: Block) -> None:
    async with engine.begin() as conn:
        await block(conn)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = engine_for_url(database_url, statement_timeout_ms=300)
    yield engine
    await engine.dispose()


async def _remembered(engine: AsyncEngine, key: str) -> bool:
    async with engine.begin() as conn:
        return await recall(InTransaction(conn), CLIENT, key) is not None


async def _in_transaction(conn: AsyncConnection) -> bool:
    return bool((await conn.get_raw_connection()).driver_connection.is_in_transaction())


async def test_a_statement_run_by_the_driver_rolls_back_with_its_transaction(
    engine: AsyncEngine, backend: str
) -> None:
    async def block(conn: AsyncConnection) -> None:
        tx = await InTransaction.of(conn)
        if backend == "postgresql":
            assert await _in_transaction(conn)  # begun before any statement of its own
        await remember(tx, CLIENT, "k", "hash", FIRST, AT)  # the transaction's first
        assert await recall(tx, CLIENT, "k") is not None
        seen = await conn.execute(text("SELECT count(*) FROM idempotency_records"))
        assert seen.scalar_one() == 1  # SQLAlchemy's statements see it: one transaction

    with pytest.raises(_RollBack):
        await _run_and_roll_back(engine, block)
    assert not await _remembered(engine, "k")
    async with engine.begin() as conn:  # and commits with it
        await remember(await InTransaction.of(conn), CLIENT, "k", "hash", FIRST, AT)
    assert await _remembered(engine, "k")


@pytest.mark.postgres_only
async def test_unbegun_a_driver_statement_would_commit_on_its_own(engine: AsyncEngine) -> None:
    """The twin: why `InTransaction.of` begins the transaction. SQLAlchemy's adapter sends
    BEGIN only before its own first statement; asyncpg's, sent first, commits alone."""

    async def block(conn: AsyncConnection) -> None:
        adapted = (await conn.get_raw_connection()).dbapi_connection
        assert not await _in_transaction(conn)
        await remember(InTransaction(conn, adapted), CLIENT, "k", "hash", FIRST, AT)

    with pytest.raises(_RollBack):
        await _run_and_roll_back(engine, block)
    assert await _remembered(engine, "k")


async def test_remembering_a_key_twice_is_an_integrity_error(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await remember(await InTransaction.of(conn), CLIENT, "k", "hash", FIRST, AT)
    with pytest.raises(IntegrityError) as twice:
        async with engine.begin() as conn:
            await remember(await InTransaction.of(conn), CLIENT, "k", "hash", FIRST, AT)
    assert isinstance(known_failure(twice.value), Conflict)


async def _failure(engine: AsyncEngine, driver: bool, statement: str) -> BaseException:
    """What a statement that fails raises, run by the driver or through SQLAlchemy."""

    async def block(conn: AsyncConnection) -> None:
        tx = await InTransaction.of(conn) if driver else InTransaction(conn)
        if statement == "duplicate":
            await remember(tx, CLIENT, "k", "hash", FIRST, AT)
        else:
            await tx.first(_SLEEP, {"seconds": 3})

    with pytest.raises(DBAPIError) as failed:
        await _run(engine, block)
    return failed.value


def _classes(error: BaseException) -> list[type]:
    """The exception, what it wraps (`orig`) and what that was raised from."""
    orig = cast(Any, error).orig
    return [type(error), type(orig), type(orig.__cause__)]


@pytest.mark.postgres_only
@pytest.mark.parametrize("statement", ["duplicate", "timeout"])
async def test_a_failure_on_the_driver_is_raised_as_sqlalchemy_raises_it(
    engine: AsyncEngine, statement: str
) -> None:
    async with engine.begin() as conn:
        await remember(await InTransaction.of(conn), CLIENT, "k", "hash", FIRST, AT)
    on_driver = await _failure(engine, True, statement)
    through_sqlalchemy = await _failure(engine, False, statement)
    assert _classes(on_driver) == _classes(through_sqlalchemy)
    assert str(on_driver.orig) == str(through_sqlalchemy.orig)  # type: ignore[attr-defined]
    expected = Conflict if statement == "duplicate" else Timeout
    assert isinstance(known_failure(on_driver), expected)
    assert await _remembered(engine, "k")  # the pool still works


@pytest.mark.postgres_only
async def test_a_connection_killed_under_a_driver_statement_is_invalidated(
    engine: AsyncEngine,
) -> None:

    async def block(conn: AsyncConnection) -> None:
        tx = await InTransaction.of(conn)
        pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        async with engine.connect() as other:
            await other.execute(text(f"SELECT pg_terminate_backend({int(pid)})"))
        await tx.first(_SLEEP, {"seconds": 0})

    with pytest.raises(DBAPIError) as gone:
        await _run(engine, block)
    assert gone.value.connection_invalidated
    assert database_unavailable(gone.value)
    assert not await _remembered(engine, "k")  # the next transaction gets a live connection


@pytest.mark.postgres_only
@pytest.mark.parametrize("driver", [True, False], ids=["driver", "sqlalchemy"])
async def test_a_statement_cut_off_by_cancellation_invalidates_its_connection(
    engine: AsyncEngine, driver: bool
) -> None:
    """As SQLAlchemy does when its own statement is cut off: the connection's state is
    unknown, so it is closed, and nothing is left open on the server."""
    invalidated: list[object] = []
    event.listen(engine.sync_engine.pool, "invalidate", lambda *a: invalidated.append(a))

    async def block(conn: AsyncConnection) -> None:
        tx = await InTransaction.of(conn) if driver else InTransaction(conn)
        await remember(tx, CLIENT, "k", "hash", FIRST, AT)
        await asyncio.wait_for(tx.first(_SLEEP, {"seconds": 0.25}), 0.05)

    with pytest.raises(TimeoutError):
        await _run(engine, block)
    assert len(invalidated) == 1
    async with engine.connect() as conn:
        assert (await conn.execute(_LEFT_IN_A_TRANSACTION)).scalar_one() == 0
    assert not await _remembered(engine, "k")


async def test_a_statement_listener_on_the_engine_sees_every_statement(
    engine: AsyncEngine,
) -> None:
    """Tracing (OpenTelemetry's SQLAlchemy instrumentation) listens for the engine's
    statements and would miss the driver's: with a listener, SQLAlchemy runs them all."""
    seen: list[str] = []

    def listener(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", listener)
    async with engine.begin() as conn:
        await remember(await InTransaction.of(conn), CLIENT, "k", "hash", FIRST, AT)
    assert [s for s in seen if s.startswith("INSERT INTO idempotency_records")]


async def test_of_refuses_a_connection_outside_a_transaction(
    engine: AsyncEngine, backend: str
) -> None:
    async with engine.connect() as conn:
        if backend == "postgresql":
            with pytest.raises(ValueError, match="transaction"):
                await InTransaction.of(conn)
        else:
            assert (await InTransaction.of(conn)).conn is conn  # SQLAlchemy runs everything


@pytest.fixture
async def database(settings: Settings) -> AsyncIterator[Database]:
    database = Database.of(settings)
    yield database
    await database.close()


@pytest.mark.postgres_only
async def test_concurrent_twins_with_one_key_commit_once_and_answer_alike(
    database: Database,
) -> None:
    """Both twins pass the recall before either remembers; the second's remember meets the
    first's row, which is an IntegrityError however its statement ran, and `run_once` answers
    it with what the first stored."""
    repository = CallerRepository(database, database, RowRule.ALL, CLIENT)
    ctx = cast(
        RequestContext,
        type("Ctx", (), {"repository": repository, "replay_idempotent": True, "now": lambda: AT}),
    )
    inside = asyncio.Barrier(2)
    ran: list[int] = []

    async def work(n: int) -> Verdict:
        await inside.wait()  # both in their transactions, past the recall
        ran.append(n)
        return Verdict(accepted=True, uid=f"M-000{n}-0000-0000", version=1)

    answers = await asyncio.gather(
        *(run_once(ctx, "op", {"same": "payload"}, "key", lambda _, n=n: work(n)) for n in (1, 2))
    )
    assert sorted(ran) == [1, 2]  # the work ran twice
    assert answers[0] == answers[1]  # one answer: the one that committed
    async with database.engine.connect() as conn:
        stored = (await conn.execute(text("SELECT count(*) FROM idempotency_records"))).scalar()
    assert stored == 1
