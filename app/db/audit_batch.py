"""The audit rows of reads, written in batches.

A read's row is queued in memory and written with the others queued by then, in one atomic
statement, within `interval` seconds. Promises:

- **Nothing is lost on a clean shutdown**: `close()` writes every queued row before the
  database engine is closed.
- **At most `max_lag` seconds (1 s) of answered reads are at risk on a crash**: the gateway
  queues a read's row with `admit()`, which returns only while the oldest unwritten row is at
  most that old. When it is older, `admit()` waits for the writer to catch up, for at most
  `patience` seconds (1 s), and then refuses (`AuditBacklog`: the answer is withheld, 503
  `UNAVAILABLE`). It refuses at once while the writer's last try failed: the database is out
  of reach, and waiting would only hold the caller. The wait is for a writer that is slow, not
  failing: the whole process stalled (a long garbage collection, a starved CPU), and its rows
  will be written at the writer's next turn. Without it, the first request after such a
  stall was withheld although nothing was wrong with the database.
- A failed write keeps its rows, in order, and is tried again at the next interval.
- **A busy worker never falls behind**: once started, the batch writes from a thread of its
  own, on an event loop and a connection of its own (`AuditConnection`: one asyncpg
  connection on PostgreSQL, one sqlite3 connection on SQLite; no engine, no pool), so
  neither requests holding every pooled connection nor requests keeping the worker's event
  loop busy make it wait. Through the worker's own loop each write waited behind every
  request ready to run, once per round trip to the driver (on SQLite, where aiosqlite
  answers through the loop, that is five: connect, BEGIN, INSERT, COMMIT, release), and four
  clients at once held a write off for seconds: every answer was withheld. That connection
  is the one a worker holds outside its pool: a worker has at most `db_pool_size` + 1
  connections to the primary.

Writes (mutations) do not come here: their row is written before their answer is sent.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Coroutine, Mapping
from concurrent.futures import Future
from itertools import islice
from typing import Any, Protocol

from .audit import Inserts, write_rows

FLUSH_INTERVAL_SECONDS = 0.2
MAX_LAG_SECONDS = 1.0
PATIENCE_SECONDS = 1.0  # how long `admit` waits for a slow writer before it refuses
WAIT_STEP_SECONDS = 0.01  # how often it looks while it waits
MAX_BATCH = 1000  # rows per statement
MAX_QUEUED = 100_000  # rows held while the database is out of reach; beyond it, refuse
CLOSE_ATTEMPTS = 5
log = logging.getLogger("lpa_gateway.audit")


class Connection(Inserts, Protocol):
    """What the batch writes on, and closes when it stops (`AuditConnection`)."""

    async def close(self) -> None: ...


class AuditBacklog(RuntimeError):
    """Queued audit rows are older than the gateway may answer with."""


class AuditBatch:
    def __init__(
        self,
        connection: Connection,
        *,
        interval: float = FLUSH_INTERVAL_SECONDS,
        max_lag: float = MAX_LAG_SECONDS,
        patience: float = PATIENCE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0 < interval < max_lag <= MAX_LAG_SECONDS:
            raise ValueError("need 0 < interval < max_lag <= 1 second")
        self._connection = connection
        self._interval, self._max_lag, self._clock = interval, max_lag, clock
        self._wait_steps = max(1, round(patience / WAIT_STEP_SECONDS))
        self._failing = False  # the writer's last try failed; set by its thread, read by any
        # Added to by the worker's loop, written and removed by the writer's: under `_guard`.
        self._queued: deque[tuple[float, Mapping[str, Any]]] = deque()
        self._guard = threading.Lock()
        self._writer: _Writer | None = None
        self._lock: asyncio.Lock | None = None  # one write at a time, in queue order

    def __len__(self) -> int:
        return len(self._queued)

    def add(self, row: Mapping[str, Any]) -> None:
        """Queue a row; `AuditBacklog` if the queue is full (the row is not kept)."""
        with self._guard:
            if len(self._queued) >= MAX_QUEUED:
                raise AuditBacklog("audit queue full")
            self._queued.append((self._clock(), row))

    async def admit(self, row: Mapping[str, Any]) -> None:
        """Queue a row and return once its answer may go; `AuditBacklog` if it must not be
        answered: the queue is full, or rows stay unwritten for too long (see the module)."""
        self.add(row)
        if self.lagging():
            await self._catch_up()

    async def _catch_up(self) -> None:
        """Wait for a writer that is not failing, for at most `patience`; refuse after."""
        for _ in range(self._wait_steps):
            if self._failing:
                break
            await asyncio.sleep(WAIT_STEP_SECONDS)
            if not self.lagging():
                return
        if self.lagging():
            raise AuditBacklog("audit rows unwritten for too long")

    def lagging(self) -> bool:
        with self._guard:
            oldest = self._queued[0][0] if self._queued else None
        return oldest is not None and self._clock() - oldest > self._max_lag

    async def start(self) -> None:
        """Start the writer thread; from now on every write happens there."""
        if self._writer is None:
            self._writer = _Writer(self._serve)
            await self._writer.started()

    async def flush(self) -> None:
        """Write every row queued so far; raises if the database refuses."""
        if self._writer is None:
            await self._flush()
        else:
            await self._writer.run(self._flush())

    async def close(self) -> None:
        """Stop, write what is queued, and close the batch's connection."""
        if self._writer is None:
            try:
                await self._write_the_rest()
            finally:
                await self._release()
            return
        writer, self._writer = self._writer, None
        await writer.stop()

    async def _flush(self) -> None:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            while True:
                with self._guard:
                    batch = [row for _, row in islice(self._queued, MAX_BATCH)]
                if not batch:
                    return
                await write_rows(self._connection, batch)
                with self._guard:
                    for _ in batch:
                        self._queued.popleft()

    async def _serve(self, stopping: asyncio.Event, ready: Callable[[], None]) -> None:
        """The writer thread's life: open, write every interval until told to stop, write
        the rest, close."""
        self._lock = asyncio.Lock()
        ready()
        periodic = asyncio.get_running_loop().create_task(self._run(), name="audit-batch")
        await stopping.wait()
        async with self._lock:  # never cut a write off halfway: it might have committed
            periodic.cancel()
        await asyncio.gather(periodic, return_exceptions=True)
        try:
            await self._write_the_rest()
        finally:
            await self._release()

    async def _release(self) -> None:
        await self._connection.close()

    async def _write_the_rest(self) -> None:
        for attempt in range(1, CLOSE_ATTEMPTS + 1):
            try:
                await self._flush()
                return
            except Exception:
                log.warning("audit rows not written at shutdown (attempt %d)", attempt)
                await asyncio.sleep(self._interval * attempt)
        log.error("audit rows lost at shutdown: %d", len(self._queued))

    async def _run(self) -> None:
        while True:  # one warning when writes start failing, one line when they recover
            await asyncio.sleep(self._interval)
            try:
                await self._flush()
            except Exception:
                if not self._failing:
                    self._failing = True
                    log.warning("audit rows not written yet: %d queued", len(self._queued))
            else:
                if self._failing:
                    self._failing = False
                    log.warning("audit rows written again")


Serve = Callable[[asyncio.Event, Callable[[], None]], Coroutine[Any, Any, None]]


class _Writer:
    """A thread running its own event loop, for one coroutine function
    `serve(stopping, ready)`, which calls `ready()` once it is open for work; other
    coroutines run on that loop with `run`, and `stop` sets `stopping` and waits."""

    def __init__(self, serve: Serve) -> None:
        self._serve = serve
        self._ready: Future[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = Future()
        self._done: Future[None] = Future()
        self._thread = threading.Thread(target=self._main, name="audit-writer", daemon=True)
        self._thread.start()

    def _main(self) -> None:
        try:
            asyncio.run(self._life())
        except BaseException as error:  # handed to whoever waits on start or stop
            for future in (self._ready, self._done):
                if not future.done():
                    future.set_exception(error)
        else:
            self._done.set_result(None)

    async def _life(self) -> None:
        stopping, loop = asyncio.Event(), asyncio.get_running_loop()
        await self._serve(stopping, lambda: self._ready.set_result((loop, stopping)))

    async def started(self) -> None:
        await asyncio.wrap_future(self._ready)

    async def run(self, work: Coroutine[Any, Any, None]) -> None:
        loop, _ = await asyncio.wrap_future(self._ready)
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, loop))

    async def stop(self) -> None:
        loop, stopping = await asyncio.wrap_future(self._ready)
        if not self._done.done():
            loop.call_soon_threadsafe(stopping.set)
        await asyncio.wrap_future(self._done)
        await asyncio.to_thread(self._thread.join)
