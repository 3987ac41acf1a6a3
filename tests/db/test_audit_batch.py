"""The batch of read audit rows: written in order, all of them, never answered past its lag."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db import audit_batch
from app.db.audit import REQUEST, Inserts, audit_events
from app.db.audit_batch import AuditBacklog, AuditBatch
from app.db.audit_connection import AuditConnection
from app.db.engine import engine_for_url

pytestmark = pytest.mark.anyio


_TERMINATE_THE_OTHERS = text(
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def row(n: int) -> dict[str, Any]:
    return {
        "occurred_at": datetime.now(UTC),
        "kind": REQUEST,
        "request_id": f"{n:032x}",
        "client": "opg.poas.use",
        "sub": None,
        "operation_name": "Status",
        "document_hash": None,
        "decision": "allowed",
        "reason": None,
        "lpa_uids": [f"M-0000-0000-000{n % 10}"],
        "duration_ms": 1.5,
    }


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = engine_for_url(database_url)
    yield engine
    await engine.dispose()


def connection_of(database_url: str, engine: AsyncEngine) -> AuditConnection:
    """The batch's own connection to the database, compiling with `engine`'s dialect."""
    return AuditConnection(database_url, engine.dialect, connect_timeout=2.0)


@pytest.fixture
async def connection(engine: AsyncEngine, database_url: str) -> AsyncIterator[AuditConnection]:
    opened = connection_of(database_url, engine)
    yield opened
    await opened.close()


async def stored(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as conn:
        query = select(audit_events.c.request_id).order_by(audit_events.c.id)
        return list((await conn.execute(query)).scalars())


async def test_rows_are_answered_for_up_to_max_lag_and_not_a_moment_longer(
    engine: AsyncEngine, connection: AuditConnection
) -> None:
    clock = Clock()
    batch = AuditBatch(connection, interval=0.2, max_lag=1.0, patience=0.05, clock=clock)
    await batch.admit(row(1))
    clock.now += 1.0
    await batch.admit(row(2))  # the oldest is exactly 1 s old: still answered
    clock.now += 0.001
    with pytest.raises(AuditBacklog):
        await batch.admit(row(3))  # no writer to catch up: refused after its patience
    assert len(batch) == 3  # the refused request's row is still kept
    await batch.flush()
    assert not batch.lagging()
    assert await stored(engine) == [f"{n:032x}" for n in (1, 2, 3)]


async def test_a_stalled_writer_is_waited_for_and_the_answer_goes(
    engine: AsyncEngine, database_url: str
) -> None:
    """The process stalled for 1.5 s (the clock moved, nothing ran): the first row is past its
    lag, but the writer is not failing, and writes it at its next turn (within 0.5 s, so not
    before the row is seen lagging)."""
    clock = Clock()
    batch = AuditBatch(connection_of(database_url, engine), interval=0.5, patience=5.0, clock=clock)
    await batch.start()
    try:
        batch.add(row(1))
        clock.now += 1.5
        assert batch.lagging()
        await asyncio.wait_for(batch.admit(row(2)), 5.0)  # no AuditBacklog: it caught up
        assert not batch.lagging()
    finally:
        await batch.close()
    assert await stored(engine) == [f"{n:032x}" for n in (1, 2)]


async def said(caplog: pytest.LogCaptureFixture, message: str) -> None:
    """Wait (at most 5 s) until the writer has logged `message`."""
    for _ in range(500):
        if message in caplog.messages:
            return
        await asyncio.sleep(0.01)
    assert message in caplog.messages


async def test_a_failing_writer_is_not_waited_for_until_it_writes_again(
    engine: AsyncEngine,
    connection: AuditConnection,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The writer's last try failed: the database is out of reach, and the answer is withheld
    at once, not after `patience` (a minute here; the test gives it five seconds). Once it
    writes again, a stall is waited for again."""

    async def unreachable(*_: Any) -> None:
        raise OSError("database out of reach")

    monkeypatch.setattr(audit_batch, "write_rows", unreachable)
    clock = Clock()
    batch = AuditBatch(connection, interval=0.05, patience=60.0, clock=clock)
    await batch.start()
    try:
        batch.add(row(1))
        await said(caplog, "audit rows not written yet: 1 queued")
        clock.now += 1.5
        with pytest.raises(AuditBacklog):
            await asyncio.wait_for(batch.admit(row(2)), 5.0)
        assert len(batch) == 2
        monkeypatch.undo()
        await said(caplog, "audit rows written again")
        batch.add(row(3))
        clock.now += 1.5
        await asyncio.wait_for(batch.admit(row(4)), 5.0)
    finally:
        monkeypatch.undo()
        await batch.close()
    assert await stored(engine) == [f"{n:032x}" for n in (1, 2, 3, 4)]


async def test_the_queue_is_bounded(
    connection: AuditConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_batch, "MAX_QUEUED", 3)
    batch = AuditBatch(connection)
    for n in range(3):
        batch.add(row(n))  # up to the limit
    with pytest.raises(AuditBacklog):
        batch.add(row(3))  # limit + 1
    assert len(batch) == 3


async def test_a_failed_write_keeps_its_rows_in_order_and_writes_them_once(
    engine: AsyncEngine, connection: AuditConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = audit_batch.write_rows
    failures = [OSError("database out of reach")]

    async def flaky(target: Inserts, rows: Sequence[Mapping[str, Any]]) -> None:
        if failures:
            raise failures.pop()
        await real(target, rows)

    monkeypatch.setattr(audit_batch, "write_rows", flaky)
    batch = AuditBatch(connection)
    for n in range(3):
        batch.add(row(n))
    with pytest.raises(OSError, match="out of reach"):
        await batch.flush()
    assert len(batch) == 3
    assert await stored(engine) == []
    batch.add(row(3))
    await batch.flush()
    await batch.flush()  # nothing left: nothing written twice
    assert await stored(engine) == [f"{n:032x}" for n in range(4)]


async def test_a_batch_is_at_most_max_batch_rows_per_statement(
    engine: AsyncEngine, connection: AuditConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_batch, "MAX_BATCH", 2)
    real, sizes = audit_batch.write_rows, []

    async def counting(target: Inserts, rows: Sequence[Mapping[str, Any]]) -> None:
        sizes.append(len(rows))
        await real(target, rows)

    monkeypatch.setattr(audit_batch, "write_rows", counting)
    batch = AuditBatch(connection)
    for n in range(2):
        batch.add(row(n))
    await batch.flush()  # at the limit: one statement
    for n in range(2, 5):
        batch.add(row(n))
    await batch.flush()  # limit + 1: two
    assert sizes == [2, 2, 1]
    assert len(await stored(engine)) == 5


async def test_close_writes_what_is_queued(engine: AsyncEngine, database_url: str) -> None:
    batch = AuditBatch(connection_of(database_url, engine), interval=0.5)
    await batch.start()
    for n in range(4):
        batch.add(row(n))
    await batch.close()  # long before the interval: close itself writes them
    assert await stored(engine) == [f"{n:032x}" for n in range(4)]


async def test_close_waits_for_a_write_in_flight_instead_of_cutting_it_off(
    engine: AsyncEngine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real, committed = audit_batch.write_rows, threading.Event()

    async def slow_to_answer(target: Inserts, rows: Sequence[Mapping[str, Any]]) -> None:
        await real(target, rows)  # committed ...
        committed.set()
        await asyncio.sleep(0.3)  # ... but the answer is slow to come back

    monkeypatch.setattr(audit_batch, "write_rows", slow_to_answer)
    batch = AuditBatch(connection_of(database_url, engine), interval=0.05)
    await batch.start()
    for n in range(3):
        batch.add(row(n))
    assert await asyncio.to_thread(committed.wait, 10)
    await batch.close()  # cutting the write off now would leave its rows queued: twice
    assert await stored(engine) == [f"{n:032x}" for n in range(3)]


async def test_the_writer_keeps_up_while_the_worker_loop_is_busy(
    engine: AsyncEngine, database_url: str
) -> None:
    """The worker's event loop never yields for 1.5 s (CPU-bound requests, one after the
    other): rows queued before are written meanwhile, from the writer's own thread."""
    batch = AuditBatch(connection_of(database_url, engine), interval=0.05)
    await batch.start()
    try:
        for n in range(3):
            batch.add(row(n))
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline and len(batch):
            time.sleep(0.01)  # noqa: ASYNC251 - the point: this loop is blocked, not waiting
        assert len(batch) == 0
        assert not batch.lagging()
    finally:
        await batch.close()
    assert await stored(engine) == [f"{n:032x}" for n in range(3)]


async def test_flush_after_start_writes_on_the_writer_thread(
    engine: AsyncEngine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real, threads = audit_batch.write_rows, []

    async def where(target: Inserts, rows: Sequence[Mapping[str, Any]]) -> None:
        threads.append(threading.current_thread().name)
        await real(target, rows)

    monkeypatch.setattr(audit_batch, "write_rows", where)
    batch = AuditBatch(connection_of(database_url, engine), interval=0.5)
    await batch.start()
    batch.add(row(1))
    await batch.flush()
    await batch.close()
    assert threads == ["audit-writer"]
    assert await stored(engine) == [f"{1:032x}"]


@pytest.mark.parametrize(("interval", "max_lag"), [(1.0, 1.0), (0.2, 1.001), (0.0, 0.5)])
def test_the_window_at_risk_is_never_more_than_a_second(interval: float, max_lag: float) -> None:
    with pytest.raises(ValueError, match="1 second"):
        AuditBatch(
            AuditConnection(
                "sqlite+aiosqlite:///never-opened.sqlite3",
                engine_for_url("sqlite+aiosqlite://").dialect,
                connect_timeout=1.0,
            ),
            interval=interval,
            max_lag=max_lag,
        )


@pytest.mark.postgres_only
async def test_the_batch_s_connection_is_opened_again_after_the_server_closed_it(
    engine: AsyncEngine, connection: AuditConnection
) -> None:
    """A failed write keeps its rows; the next one, on a new connection, writes them."""
    batch = AuditBatch(connection)
    batch.add(row(1))
    await batch.flush()
    async with engine.connect() as conn:
        await conn.execute(_TERMINATE_THE_OTHERS)
    await asyncio.sleep(0.2)  # the driver sees its socket closed
    batch.add(row(2))
    await batch.flush()
    assert await stored(engine) == [f"{n:032x}" for n in (1, 2)]
