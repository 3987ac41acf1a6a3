"""The audit rows of reads, written in batches.

A read's row is queued in memory and written with the others queued by then, in one atomic
statement, within `interval` seconds. Promises:

- **Nothing is lost on a clean shutdown**: `close()` writes every queued row before the
  database engine is closed.
- **At most `max_lag` seconds (1 s) of answered reads are at risk on a crash**: the gateway
  asks `lagging()` before it answers, and withholds the answer (503 `UNAVAILABLE`) while the
  oldest unwritten row is older than that, for instance because the database is out of reach.
- A failed write keeps its rows, in order, and is tried again at the next interval.
- The batch writes on a connection of its own (`statements`, a pool of one), so requests
  holding every pooled connection under load never make it wait.

Writes (mutations) do not come here: their row is written before their answer is sent.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Mapping
from itertools import islice
from typing import Any

from .audit import write_rows
from .prepared import Statements

FLUSH_INTERVAL_SECONDS = 0.2
MAX_LAG_SECONDS = 1.0
MAX_BATCH = 1000  # rows per statement
MAX_QUEUED = 100_000  # rows held while the database is out of reach; beyond it, refuse
CLOSE_ATTEMPTS = 5
log = logging.getLogger("lpa_gateway.audit")


class AuditBacklog(RuntimeError):
    """Queued audit rows are older than the gateway may answer with."""


class AuditBatch:
    def __init__(
        self,
        statements: Statements,
        *,
        interval: float = FLUSH_INTERVAL_SECONDS,
        max_lag: float = MAX_LAG_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0 < interval < max_lag <= MAX_LAG_SECONDS:
            raise ValueError("need 0 < interval < max_lag <= 1 second")
        self._statements = statements
        self._interval, self._max_lag, self._clock = interval, max_lag, clock
        self._queued: deque[tuple[float, Mapping[str, Any]]] = deque()
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()  # one write at a time, in queue order

    def __len__(self) -> int:
        return len(self._queued)

    def add(self, row: Mapping[str, Any]) -> None:
        """Queue a row; `AuditBacklog` if it must not be answered (see `lagging`)."""
        if len(self._queued) >= MAX_QUEUED:
            raise AuditBacklog("audit queue full")
        self._queued.append((self._clock(), row))
        if self.lagging():
            raise AuditBacklog("audit rows unwritten for too long")

    def lagging(self) -> bool:
        return bool(self._queued) and self._clock() - self._queued[0][0] > self._max_lag

    async def start(self) -> None:
        await self._statements.open()
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="audit-batch")

    async def flush(self) -> None:
        """Write every row queued so far; raises if the database refuses."""
        async with self._lock:
            while self._queued:
                batch = [row for _, row in islice(self._queued, MAX_BATCH)]
                await write_rows(self._statements, batch)
                for _ in batch:
                    self._queued.popleft()

    async def close(self) -> None:
        """Stop, write what is queued, and close the batch's connection."""
        if self._task is not None:
            async with self._lock:  # never cut a write off halfway: it might have committed
                self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        try:
            await self._write_the_rest()
        finally:
            await self._statements.close()
            await self._statements.engine.dispose()

    async def _write_the_rest(self) -> None:
        for attempt in range(1, CLOSE_ATTEMPTS + 1):
            try:
                await self.flush()
                return
            except Exception:
                log.warning("audit rows not written at shutdown (attempt %d)", attempt)
                await asyncio.sleep(self._interval * attempt)
        log.error("audit rows lost at shutdown: %d", len(self._queued))

    async def _run(self) -> None:
        failing = False  # one warning when writes start failing, one line when they recover
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.flush()
            except Exception:
                if not failing:
                    log.warning("audit rows not written yet: %d queued", len(self._queued))
                failing = True
            else:
                if failing:
                    log.warning("audit rows written again")
                failing = False
