"""Where reads that may lag go: the read replica while it is close enough, else the primary.

Invariant: a read sent to the replica sees every commit the primary had made more than
`max_lag` seconds (plus one probe interval) before the read was routed. A background probe,
never a request, measures the lag every `interval` seconds: it reads the primary's WAL position
first, then asks the replica whether it has replayed that far. If it has, the lag is 0, however
long ago the last commit was (an idle primary has nothing to replay). If not, the lag is the
smaller of two bounds, each at least the true one: the age of the last transaction the replica
replayed (`now() - pg_last_xact_replay_timestamp()`), and the time since a probe last found it
caught up. While replay is paused, or the replica has lost its primary, both keep growing. A
probe that fails leaves the lag unknown, and unknown counts as too far behind. So does a last
good probe older than three intervals.

Only reads that may lag come here (`lpaStatus`, the identity oracle's lookup, case
management's `lpa` and `lpaEvents`); writes, the oracle's failure budget, idempotency and the
online service's questions about its own LPAs always use the primary.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable

from sqlalchemy import text

from .repository.database import Database

PROBE_INTERVAL_SECONDS = 1.0
STALE_PROBES = 3  # intervals after which a last good probe no longer counts
_PRIMARY_POSITION = text("SELECT pg_current_wal_lsn()::text")
_REPLICA_LAG = text(
    "SELECT coalesce(NOT pg_is_in_recovery()"
    " OR pg_last_wal_replay_lsn() >= CAST(CAST(:at AS text) AS pg_lsn), false) AS caught_up,"
    " EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8 AS since_replayed"
)
log = logging.getLogger("lpa_gateway.replica")


class ReadRoutes:
    """The database for reads that may lag: `replica` while its last probe found it at most
    `max_lag` seconds behind, else `primary`. Without a replica, always the primary."""

    def __init__(
        self,
        primary: Database,
        replica: Database | None = None,
        *,
        max_lag: float = 5.0,
        interval: float = PROBE_INTERVAL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.primary, self.replica = primary, replica
        self.max_lag, self.interval, self._clock = max_lag, interval, clock
        self._lag: float | None = None
        self._probed_at = -math.inf
        self._caught_up_at = -math.inf  # when a probe last found the replica caught up
        self._task: asyncio.Task[None] | None = None
        self._listeners: list[Callable[[float], None]] = []

    @property
    def lag(self) -> float | None:
        """Seconds the replica is behind, by its last good probe; None if unknown or stale."""
        if self._clock() - self._probed_at > STALE_PROBES * self.interval:
            return None
        return self._lag

    @property
    def replica_in_use(self) -> bool:
        lag = self.lag
        return self.replica is not None and lag is not None and lag <= self.max_lag

    def may_lag(self) -> Database:
        """Where a read that may lag goes now."""
        if self.replica is not None and self.replica_in_use:
            return self.replica
        return self.primary

    def watch(self, listener: Callable[[float], None]) -> None:
        """Call `listener` with the lag after every probe (infinity when unknown)."""
        self._listeners.append(listener)

    async def probe(self) -> float | None:
        """Measure the lag once; None when either database did not answer."""
        if self.replica is None:
            return None
        started = self._clock()
        lag: float | None
        try:
            async with asyncio.timeout(self.interval * 2):
                async with self.primary.reads.connect() as conn:
                    position = (await conn.execute(_PRIMARY_POSITION)).scalar_one()
                async with self.replica.reads.connect() as conn:
                    found = (await conn.execute(_REPLICA_LAG, {"at": position})).one()
        except Exception as error:
            if self._lag is not None:  # once when it starts failing, not every interval
                log.warning(
                    "replica lag unknown, reads go to the primary: %s", type(error).__name__
                )
            lag = None
        else:
            if found.caught_up:
                self._caught_up_at, lag = started, 0.0
            else:
                replayed = math.inf if found.since_replayed is None else found.since_replayed
                lag = max(0.0, min(float(replayed), self._clock() - self._caught_up_at))
            lag = None if math.isinf(lag) else lag
        self.observe(lag)
        return self._lag

    def observe(self, lag: float | None) -> None:
        """Record one probe's finding: seconds behind, or None when it could not tell."""
        self._lag = lag
        if lag is not None:
            self._probed_at = self._clock()
        for listener in self._listeners:
            listener(math.inf if lag is None else lag)

    async def start(self) -> None:
        """Probe once now, then every interval in the background."""
        if self.replica is None or self._task is not None:
            return
        await self.probe()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="replica-lag")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self.replica is not None:
            await self.replica.close()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            await self.probe()
