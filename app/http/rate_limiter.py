"""Per-client request rate limits, checked before any GraphQL work, cheap on the hot path.

Each client has a token bucket shared by every worker and host (app/db/rate_buckets.py:
PostgreSQL or SQLite, or Redis), sized by its policy (`[rate]` in permissions/<client>.toml).
A round trip to that store on every request would cost as much as the request itself, so each
worker leases tokens in small batches and spends them locally: most requests touch nothing
but a counter in memory.

Bounds, with W workers (all hosts together) and a lease of L tokens (`lease_size`):

- **Never more than the policy allows**: every request admitted spent a token that a lease
  took from the shared bucket, so over any span of `t` seconds a client is admitted at most
  `burst + per_second * t` requests, however many workers it spreads them across.
- **Refused early by at most W * (L - 1)**: tokens a worker leased and has not spent yet are
  out of the other workers' reach, so a client may be refused while up to L - 1 tokens sit in
  each other worker. L is a twentieth of the burst, between 1 and 50: with a burst of 20 or
  less the bound is exact.
- After a refusal, a worker answers that client 429 from memory until the shared bucket will
  hold a token again (the `Retry-After` it sent), so a client over its limit costs no round
  trips either. Other clients are not affected: each has its own bucket and its own leases.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable, Mapping

from app.authz.policy import RateLimit
from app.db.rate_buckets import RateStore

LEASE_SHARE = 20  # a lease is at most this fraction of the burst...
MAX_LEASE = 50  # ...and at most this many tokens


def lease_size(limit: RateLimit) -> int:
    return max(1, min(MAX_LEASE, limit.burst // LEASE_SHARE))


class RateLimiter:
    def __init__(
        self,
        store: RateStore,
        limits: Mapping[str, RateLimit],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store, self._limits, self.clock = store, limits, clock
        self._leased: dict[str, int] = {}  # tokens leased and not yet spent, per client
        self._refused_until: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def admit(self, client: str) -> int | None:
        """None to go ahead; else the whole seconds to wait before retrying (at least 1)."""
        if self._spend(client):
            return None
        async with self._locks.setdefault(client, asyncio.Lock()):  # one lease in flight
            if self._spend(client):  # a lease taken while this request waited
                return None
            now = self.clock()
            refused_until = self._refused_until.get(client, 0.0)
            if now < refused_until:
                return _whole_seconds(refused_until - now)
            limit = self._limits[client]
            lease = await self.store.lease(
                client, limit.per_second, limit.burst, lease_size(limit), now
            )
            if lease.granted == 0:
                wait = (1 - lease.left) / limit.per_second
                self._refused_until[client] = now + wait
                return _whole_seconds(wait)
            self._leased[client] = lease.granted - 1
            return None

    def _spend(self, client: str) -> bool:
        left = self._leased.get(client, 0)
        if left <= 0:
            return False
        self._leased[client] = left - 1
        return True


def _whole_seconds(seconds: float) -> int:
    return max(1, math.ceil(seconds))
