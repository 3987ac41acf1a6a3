"""The identity oracle's failure budget, per (client, LPA), shared by every process.

Invariant: once `limit` failures fall in one window, `spent` stays true until the window
ends, whichever process or host asks. The window is fixed: it starts at the first failure and
lasts `window`; the first failure after it ends starts a new one. In PostgreSQL (or SQLite)
by default; in Redis when LPA_GATEWAY_REDIS_URL is set.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from redis.asyncio import Redis
from sqlalchemy import case, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine

from .engine import without_transaction
from .models import OracleBudget, table

budgets = table(OracleBudget)


class FailureBudget(Protocol):
    limit: int

    async def spent(self, client: str, uid: str, now: datetime) -> bool: ...

    async def fail(self, client: str, uid: str, now: datetime) -> int:
        """Count one failure; the number of failures in the current window."""
        ...


class SqlBudget:
    def __init__(self, engine: AsyncEngine, limit: int, window: timedelta) -> None:
        self.engine, self.limit, self.window = engine, limit, window
        self.reads = without_transaction(engine)

    async def spent(self, client: str, uid: str, now: datetime) -> bool:
        query = select(budgets.c.failures).where(
            budgets.c.client == client,
            budgets.c.lpa_uid == uid,
            budgets.c.window_started_at > now - self.window,
        )
        async with self.reads.connect() as conn:
            failures = (await conn.execute(query)).scalar()
        return failures is not None and failures >= self.limit

    async def fail(self, client: str, uid: str, now: datetime) -> int:
        insert = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        statement = insert(budgets).values(
            client=client, lpa_uid=uid, window_started_at=now, failures=1
        )
        expired = budgets.c.window_started_at <= now - self.window
        upsert = statement.on_conflict_do_update(
            index_elements=[budgets.c.client, budgets.c.lpa_uid],
            set_={
                "failures": case((expired, 1), else_=budgets.c.failures + 1),
                "window_started_at": case((expired, now), else_=budgets.c.window_started_at),
            },
        ).returning(budgets.c.failures)
        async with self.engine.begin() as conn:
            return int((await conn.execute(upsert)).scalar_one())


class RedisBudget:
    def __init__(self, redis: Redis, limit: int, window: timedelta, prefix: str) -> None:
        self.redis, self.limit, self.window, self.prefix = redis, limit, window, prefix

    def _key(self, client: str, uid: str) -> str:
        return f"{self.prefix}:oracle-failures:{client}:{uid}"

    async def spent(self, client: str, uid: str, now: datetime) -> bool:
        failures = await self.redis.get(self._key(client, uid))
        return failures is not None and int(failures) >= self.limit

    async def fail(self, client: str, uid: str, now: datetime) -> int:
        key = self._key(client, uid)
        seconds = int(self.window.total_seconds())
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(key, 0, ex=seconds, nx=True)  # a new window starts with the first failure
            pipe.incr(key)
            _, failures = await pipe.execute()
        return int(failures)
