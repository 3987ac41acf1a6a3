"""Each client's request token bucket, shared by every worker and host.

Invariant: a lease takes tokens from the bucket in one atomic step, and never more than it
holds, so however many workers lease at once, the tokens taken over any span of `t` seconds
are at most `burst + per_second * t`. The bucket holds `burst` tokens when full and gains
`per_second` a second. A lease asks for `size` tokens and gets `size`, or 1 when fewer are
left, or 0 when not even one is (and then learns how many there are, to say when to retry).
In PostgreSQL (or SQLite) by default; in Redis when LPA_GATEWAY_REDIS_URL is set.

Time is the leasing worker's clock, in seconds since the epoch; a clock behind the last
lease's refills nothing (the bucket never goes back in time).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from redis.asyncio import Redis
from sqlalchemy import Float, Integer, bindparam, case, type_coerce
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.types import NullType

from .models import RateBucket, table
from .prepared import Prepared, Statements

buckets = table(RateBucket)


@dataclass(frozen=True, slots=True)
class Lease:
    granted: int  # tokens taken
    left: float  # tokens left in the shared bucket after the lease


class RateStore(Protocol):
    async def lease(
        self, client: str, per_second: float, burst: int, size: int, now: float
    ) -> Lease: ...


def _lease(insert: Callable[..., Any]) -> Prepared:
    now, rate = bindparam("now", type_=Float()), bindparam("rate", type_=Float())
    burst, size = bindparam("burst", type_=Float()), bindparam("size", type_=Integer())
    later = now > buckets.c.refilled_at
    refilled = buckets.c.tokens + case((later, now - buckets.c.refilled_at), else_=0.0) * rate
    available = case((refilled > burst, burst), else_=refilled)
    granted = case((available >= size, size), (available >= 1, 1), else_=0)
    statement = insert(buckets).values(
        client=bindparam("client"), tokens=burst - size, refilled_at=now, granted=size
    )
    return Prepared(
        statement.on_conflict_do_update(
            index_elements=[buckets.c.client],
            set_={
                "tokens": available - granted,
                "refilled_at": case((later, now), else_=buckets.c.refilled_at),
                "granted": granted,
            },
        ).returning(
            buckets.c.granted,
            # the driver's own float: SQLAlchemy's asyncpg Float wants a column type to
            # convert from, which a prepared statement run by asyncpg does not give it
            type_coerce(buckets.c.tokens, NullType()).label("tokens"),
        )
    )


_LEASE = {"postgresql": _lease(pg_insert), "sqlite": _lease(sqlite_insert)}


class SqlRateStore:
    def __init__(self, statements: Statements) -> None:
        self.statements = statements
        self._lease = _LEASE[statements.engine.dialect.name]

    async def lease(
        self, client: str, per_second: float, burst: int, size: int, now: float
    ) -> Lease:
        values = {"client": client, "rate": per_second, "burst": burst, "size": size, "now": now}
        row = await self.statements.write_one(self._lease, values)
        return Lease(int(row["granted"]), float(row["tokens"]))


# The same arithmetic as the SQL statement, atomic because Redis runs a script alone.
_SCRIPT = """
local rate, burst, size, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]),
  tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(state[1]), tonumber(state[2])
if tokens == nil or at == nil then tokens, at = burst, now end
if now > at then tokens, at = tokens + (now - at) * rate, now end
if tokens > burst then tokens = burst end
local granted = 0
if tokens >= size then granted = size elseif tokens >= 1 then granted = 1 end
tokens = tokens - granted
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens),
  'at', string.format('%.17g', at))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 60)
return {granted, string.format('%.17g', tokens)}
"""


class RedisRateStore:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self.prefix = prefix
        self._script = redis.register_script(_SCRIPT)

    async def lease(
        self, client: str, per_second: float, burst: int, size: int, now: float
    ) -> Lease:
        key = f"{self.prefix}:rate:{client}"
        granted, left = await self._script(keys=[key], args=[per_second, burst, size, repr(now)])
        return Lease(int(granted), float(left))
