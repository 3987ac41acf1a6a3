"""The identity oracle's failure budget, per (client, LPA), shared by every process.

Invariant: once `limit` failures fall in one window, `spent` stays true until the window
ends, whichever process or host asks. The window is fixed: it starts at the first failure and
lasts `window`; the first failure after it ends starts a new one. In PostgreSQL (or SQLite)
by default; in Redis when LPA_GATEWAY_REDIS_URL is set.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from redis.asyncio import Redis
from sqlalchemy import bindparam, case, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .models import OracleBudget, table
from .prepared import Held, Prepared, Statements
from .types import UTCDateTime

budgets = table(OracleBudget)


class FailureBudget(Protocol):
    limit: int

    @property
    def statements(self) -> Statements | None:
        """The database statements it keeps its counts through; None if it keeps them
        elsewhere (Redis)."""
        ...

    def on(self, held: Held) -> FailureBudget:
        """The same budget with its statements run on `held`, a connection its own
        `statements` hold (`Statements.held`); itself where it has none."""
        ...

    async def spent(self, client: str, uid: str, now: datetime) -> bool: ...

    async def fail(self, client: str, uid: str, now: datetime) -> int:
        """Count one failure; the number of failures in the current window."""
        ...


_SINCE = bindparam("since", type_=UTCDateTime())  # the start of the current window
_NOW = bindparam("now", type_=UTCDateTime())
_SPENT = Prepared(
    select(budgets.c.failures).where(
        budgets.c.client == bindparam("client"),
        budgets.c.lpa_uid == bindparam("uid"),
        budgets.c.window_started_at > _SINCE,
    )
)


def _upsert(insert: Callable[..., Any]) -> Prepared:
    """One failure more, or the first of a new window, in one atomic statement."""
    expired = budgets.c.window_started_at <= _SINCE
    statement = insert(budgets).values(
        client=bindparam("client"), lpa_uid=bindparam("uid"), window_started_at=_NOW, failures=1
    )
    return Prepared(
        statement.on_conflict_do_update(
            index_elements=[budgets.c.client, budgets.c.lpa_uid],
            set_={
                "failures": case((expired, 1), else_=budgets.c.failures + 1),
                "window_started_at": case((expired, _NOW), else_=budgets.c.window_started_at),
            },
        ).returning(budgets.c.failures)
    )


_FAIL = {"postgresql": _upsert(pg_insert), "sqlite": _upsert(sqlite_insert)}


class SqlBudget:
    def __init__(
        self, statements: Statements, limit: int, window: timedelta, held: Held | None = None
    ) -> None:
        self._statements, self.limit, self.window = statements, limit, window
        self._runs: Held = statements if held is None else held
        self._fail = _FAIL[statements.engine.dialect.name]

    @property
    def statements(self) -> Statements:
        return self._statements

    def on(self, held: Held) -> SqlBudget:
        return SqlBudget(self._statements, self.limit, self.window, held)

    async def spent(self, client: str, uid: str, now: datetime) -> bool:
        values = {"client": client, "uid": uid, "since": now - self.window}
        row = await self._runs.first(_SPENT, values)
        return row is not None and row["failures"] >= self.limit

    async def fail(self, client: str, uid: str, now: datetime) -> int:
        values = {"client": client, "uid": uid, "now": now, "since": now - self.window}
        return int((await self._runs.write_one(self._fail, values))["failures"])


class RedisBudget:
    statements = None  # its counts are in Redis

    def __init__(self, redis: Redis, limit: int, window: timedelta, prefix: str) -> None:
        self.redis, self.limit, self.window, self.prefix = redis, limit, window, prefix

    def on(self, held: Held) -> RedisBudget:
        return self

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
