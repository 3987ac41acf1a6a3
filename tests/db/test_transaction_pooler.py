"""Behind PgBouncer in transaction mode (LPA_GATEWAY_DATABASE_POOLER=transaction) no named
statement and no session setting outlives a transaction, on the asyncpg path (`Statements`,
the rate bucket's writes among them, and the audit batch's own connection) and the SQLAlchemy
path; the
statement timeout still holds. PgBouncer keeps ONE server connection here, so every client
connection shares it from one transaction to the next: a statement left behind by one
client meets the next."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import anyio
import asyncpg  # type: ignore[import-untyped]
import pytest
from sqlalchemy import bindparam, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.audit import audit_events, write_rows
from app.db.audit_connection import AuditConnection
from app.db.availability import error_chain
from app.db.demo import demo_uids, seed_demo
from app.db.engine import engine_for_url, without_transaction
from app.db.prepared import Prepared, Statements
from app.db.rate_buckets import SqlRateStore
from app.db.repository import CallerRepository, Database
from app.db.repository.reads import status_row
from app.db.repository.store import lpas
from app.db.visibility import RowRule
from app.domain.uid import uid_for_sequence
from app.domain.verdict import Verdict
from tests import pgbouncer
from tests.conftest import pg_admin
from tests.copies import drop_database
from tests.db.test_audit_batch import row
from tests.domain.builders import an_lpa

pytestmark = [pytest.mark.anyio, pytest.mark.postgres_only]
TIMEOUT_MS = 200
CONCURRENT = 12
_SLEEP = Prepared(select(func.pg_sleep(bindparam("seconds")).label("slept")))


@pytest.fixture
def pooled_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    pgbouncer.require()
    with pgbouncer.in_front_of(database_url, tmp_path, pool_size=1) as url:
        yield url


@pytest.fixture
async def seeded(database_url: str) -> None:
    engine = engine_for_url(database_url)
    try:
        await seed_demo(engine)
    finally:
        await engine.dispose()


def _engine(url: str, *, pooler: bool) -> AsyncEngine:
    return engine_for_url(
        url, pool_size=CONCURRENT, statement_timeout_ms=TIMEOUT_MS, transaction_pooler=pooler
    )


@pytest.fixture
async def pooled(pooled_url: str, seeded: None) -> AsyncIterator[tuple[AsyncEngine, Statements]]:
    engine = _engine(pooled_url, pooler=True)
    statements = Statements(engine, statement_timeout_ms=TIMEOUT_MS, transaction_pooler=True)
    yield engine, statements
    await statements.close()
    await engine.dispose()


async def _server_state(pooled_url: str) -> tuple[list[str], str]:
    """The named statements and the statement timeout on PgBouncer's one server connection,
    asked by a client that prepares nothing."""
    dsn = make_url(pooled_url).set(drivername="postgresql").render_as_string(False)
    conn = await asyncpg.connect(dsn, statement_cache_size=0)
    try:
        names = await conn.fetch("SELECT name FROM pg_prepared_statements")
        timeout = await conn.fetchval("SHOW statement_timeout")
    finally:
        await conn.close()
    return [r["name"] for r in names], str(timeout)


async def test_every_path_works_concurrently_and_leaves_nothing_on_the_server(
    pooled: tuple[AsyncEngine, Statements], pooled_url: str
) -> None:
    engine, statements = pooled
    reads, uid = without_transaction(engine), demo_uids()[0]
    rates = SqlRateStore(statements)

    async def one(i: int) -> None:
        assert await status_row(statements, uid, RowRule.ALL, "opg.poas.sirius") is not None
        await write_rows(statements, [row(i), row(i + 1000)])  # insert_all
        assert (await rates.lease(f"client-{i}", 10.0, 5, 1, 1000.0 + i)).granted == 1
        async with reads.connect() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM lpas"))).scalar_one() > 0
        async with engine.begin() as conn:
            await conn.execute(audit_events.insert().values(**row(i + 2000)))

    await asyncio.gather(*(one(i) for i in range(CONCURRENT)))
    batch_connection = AuditConnection(
        pooled_url,
        engine.dialect,
        connect_timeout=5,
        statement_timeout_ms=TIMEOUT_MS,
        transaction_pooler=True,
    )
    try:  # the audit batch's own connection, twice: its statement must not be left named
        for i in range(2):
            await write_rows(batch_connection, [row(3000 + i)])
    finally:
        await batch_connection.close()
    async with reads.connect() as conn:
        written = (await conn.execute(select(func.count()).select_from(audit_events))).scalar()
    assert written == 3 * CONCURRENT + 2
    names, timeout = await _server_state(pooled_url)
    assert timeout == "0"  # SET LOCAL: the timeout went with each transaction
    # SQLAlchemy closes its uniquely named statements lazily; asyncpg's path names none
    assert not [n for n in names if n.startswith("__asyncpg_stmt_")]


async def test_the_driver_s_named_statements_collide_behind_the_same_pooler(
    pooled_url: str, seeded: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The denied twin, as the issue found it with `lpa-gateway seed`: without the pooler
    mode asyncpg names its statements, counting from 1 in each process, and a second
    process's `__asyncpg_stmt_1__` meets the first's on the server connection they share
    (the engine's first statement on connecting may be the one that meets it)."""
    uid = demo_uids()[0]

    async def a_process_reads(*, pooler: bool) -> None:
        monkeypatch.setattr(asyncpg.connection, "_uid", 0)  # a new process counts from 1
        # no timeout: PgBouncer would refuse it
        engine = engine_for_url(pooled_url, transaction_pooler=pooler)
        statements = Statements(engine, transaction_pooler=pooler)
        try:
            await status_row(statements, uid, RowRule.ALL, "opg.poas.sirius")
        finally:
            await statements.close()
            await engine.dispose()

    await a_process_reads(pooler=True)
    await a_process_reads(pooler=True)  # nothing named was left, nothing collides
    await a_process_reads(pooler=False)
    with pytest.raises(Exception, match="already exists") as collided:  # connecting, or reading
        await a_process_reads(pooler=False)
    duplicate = asyncpg.exceptions.DuplicatePreparedStatementError
    assert any(isinstance(e, duplicate) for e in error_chain(collided.value))


async def test_the_suite_s_database_admin_names_no_statement(
    backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Why the counter reset above cannot reach the suite's own thread: the suite makes and
    drops its databases on a thread of its own (tests/copies.py), through plain asyncpg on the
    simple query protocol, which draws no name from the counter. (Through SQLAlchemy it drew
    one per statement, and a reset between two of them collided on the admin's own
    connection.)"""
    monkeypatch.setattr(asyncpg.connection, "_uid", 0)
    name = f"lpa_gw_admin_{backend}_{uuid.uuid4().hex[:10]}"
    await anyio.to_thread.run_sync(pg_admin, f'CREATE DATABASE "{name}"')
    try:
        assert asyncpg.connection._uid == 0
    finally:
        await anyio.to_thread.run_sync(pg_admin, drop_database(name))
    assert asyncpg.connection._uid == 0


async def test_the_statement_timeout_holds_on_both_paths(
    pooled: tuple[AsyncEngine, Statements],
) -> None:
    engine, statements = pooled
    assert await statements.first(_SLEEP, {"seconds": 0.05}) is not None  # under the limit
    with pytest.raises(asyncpg.exceptions.QueryCanceledError):
        await statements.first(_SLEEP, {"seconds": 2 * TIMEOUT_MS / 1000})
    for reads in (engine, without_transaction(engine)):
        async with reads.connect() as conn:
            await conn.execute(text("SELECT pg_sleep(0.05)"))
        with pytest.raises(DBAPIError) as refused:
            async with reads.connect() as conn:
                await conn.execute(text(f"SELECT pg_sleep({2 * TIMEOUT_MS / 1000})"))
        assert getattr(refused.value.orig, "sqlstate", None) == "57014"
    # the pool still works after a statement it cut off
    assert await statements.first(_SLEEP, {"seconds": 0}) is not None


async def test_a_timeout_per_connection_is_refused_by_pgbouncer(pooled_url: str) -> None:
    """Why the pooler mode sets it per transaction: PgBouncer refuses the start-up parameter."""
    engine = _engine(pooled_url, pooler=False)
    try:
        with pytest.raises(DBAPIError, match="unsupported startup parameter"):
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
    finally:
        await engine.dispose()


async def test_a_create_runs_its_statements_in_its_own_transaction_behind_the_pooler(
    pooled: tuple[AsyncEngine, Statements], pooled_url: str
) -> None:
    """The create's statements run by asyncpg inside the SQLAlchemy transaction
    (`InTransaction`): concurrently on PgBouncer's one server connection, nothing named is left
    there, the transaction's SET LOCAL timeout bounds them, and they roll back with it."""
    engine, statements = pooled
    database = Database(engine, without_transaction(engine), statements)
    repository = CallerRepository(database, database, RowRule.ALL, "opg.poas.makeregister")

    async def create(key: str, *, fail: bool = False) -> None:
        async with repository.transaction() as lpas:
            uid = uid_for_sequence(await lpas.allocate_number())
            new = an_lpa(id=None, uid=uid, created_at=_AT, updated_at=_AT)  # people of its own
            await lpas.create(new, author="test", anomalies=[])
            await lpas.remember(key, "hash", Verdict(accepted=True, uid=uid, version=1), _AT)
            if fail:
                raise ValueError("the mutation failed after its writes")

    before = await _count_lpas(engine)
    await asyncio.gather(*(create(f"k{i}") for i in range(CONCURRENT)))
    with pytest.raises(ValueError, match="failed"):
        await create("rolled-back", fail=True)
    assert await _count_lpas(engine) == before + CONCURRENT
    assert await repository.recall("k0") is not None
    assert await repository.recall("rolled-back") is None
    with pytest.raises(DBAPIError) as refused:
        async with repository.transaction() as lpas:
            await lpas.tx.first(_SLEEP, {"seconds": 2 * TIMEOUT_MS / 1000})
    assert getattr(refused.value.orig, "sqlstate", None) == "57014"
    names, timeout = await _server_state(pooled_url)
    assert timeout == "0"
    assert not [n for n in names if n.startswith("__asyncpg_stmt_")]


async def test_without_a_timeout_the_pooler_s_transaction_is_begun_before_the_driver_s_statement(
    pooled_url: str, seeded: None
) -> None:
    """No SET LOCAL begins the transaction here: `InTransaction.of` does, so the remembered
    answer, its first statement, goes with the rollback."""
    engine = engine_for_url(pooled_url, transaction_pooler=True)
    statements = Statements(engine, transaction_pooler=True)
    database = Database(engine, without_transaction(engine), statements)
    repository = CallerRepository(database, database, RowRule.ALL, "opg.poas.makeregister")
    verdict = Verdict(accepted=True, uid="M-1111-1111-1111", version=1)

    async def remember_and_fail() -> None:
        async with repository.transaction() as lpas:
            await lpas.remember("key", "hash", verdict, _AT)
            raise ValueError("failed")

    try:
        with pytest.raises(ValueError, match="failed"):
            await remember_and_fail()
        assert await repository.recall("key") is None
    finally:
        await statements.close()
        await engine.dispose()


_AT = datetime(2026, 1, 2, tzinfo=UTC)


async def _count_lpas(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(lpas))).scalar_one())
