"""Statements built once and run in one round trip: the hot path's lookups and audit writes.

SQLAlchemy Core builds each statement once, with named bound parameters. On PostgreSQL it is
compiled once to SQL text and run by asyncpg itself (`Statements`): no ORM, no per-call
compilation or cache key, no BEGIN before a lookup and no ROLLBACK after it, and a
server-side prepared statement that asyncpg keeps per connection. Values go in and
come out through SQLAlchemy's own type processing for that dialect, so both paths give the
same Python values. Elsewhere (SQLite) the statement runs through SQLAlchemy as usual, but
for `write_one`: see `_SqliteWrites`.

Behind a transaction-mode pooler (`transaction_pooler`) no server connection is ours beyond
one transaction: asyncpg keeps no statement (its unnamed one lives only until the next), and
each statement runs in a transaction of its own, `BEGIN; SET LOCAL statement_timeout` first
and COMMIT after, so its PREPARE and EXECUTE reach the same server and the timeout holds
without a session setting. That costs two round trips more per statement (`make bench`,
docs/performance.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import Insert, Select
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine

Processor = Callable[[Any], Any] | None
DRIVER = "asyncpg"  # the dialect driver whose connection runs prepared statements directly


def set_local_timeout(statement_timeout_ms: int) -> str:
    """The statement that bounds every statement of the transaction it runs in."""
    return f"SET LOCAL statement_timeout = {int(statement_timeout_ms)}"


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]  # bound parameters in positional order
    fixed: tuple[tuple[Any, ...], ...]  # () where the caller gives the value, else (value,)
    binds: tuple[Processor, ...]
    columns: tuple[str, ...]
    results: tuple[Processor, ...]

    def arguments(self, values: Mapping[str, Any]) -> list[Any]:
        """Positional arguments; a parameter the caller must give and did not is a KeyError."""
        given = [f[0] if f else values[n] for n, f in zip(self.names, self.fixed, strict=True)]
        return [v if p is None else p(v) for v, p in zip(given, self.binds, strict=True)]

    def row(self, record: Sequence[Any]) -> dict[str, Any]:
        return {
            name: value if p is None else p(value)
            for name, value, p in zip(self.columns, record, self.results, strict=True)
        }


def _compile(statement: Select[Any] | Insert, dialect: Dialect) -> _Compiled:
    compiled = statement.compile(dialect=dialect)
    names = tuple(compiled.positiontup or ())
    params = [compiled.binds[name] for name in names]
    # a SELECT's columns, or an INSERT's RETURNING columns (none without RETURNING)
    columns = (
        statement.selected_columns if isinstance(statement, Select) else statement.exported_columns
    )
    types = [c.type.dialect_impl(dialect) for c in columns]
    return _Compiled(
        sql=str(compiled),
        names=names,
        fixed=tuple(() if p.required else (p.value,) for p in params),
        binds=tuple(p.type.dialect_impl(dialect).bind_processor(dialect) for p in params),
        columns=tuple(str(c.key) for c in columns),
        results=tuple(t.result_processor(dialect, None) for t in types),
    )


class Prepared:
    """One statement, compiled at most once per dialect."""

    def __init__(self, statement: Select[Any] | Insert) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def compiled(self, dialect: Dialect) -> _Compiled:
        key = f"{dialect.name}+{dialect.driver}"
        found = self._compiled.get(key)
        if found is None:
            found = self._compiled[key] = _compile(self.statement, dialect)
        return found


class Statements:
    """Runs prepared statements against one database.

    On PostgreSQL they run on a pool of asyncpg's own, opened by `open()`: acquiring from it
    costs no greenlet switch and no SQLAlchemy pool events, a connection it finds closed (the
    server restarted) is replaced on acquire, and a statement cut off by a timeout leaves its
    connection to asyncpg to clean up. Its connections carry the same statement timeout as the
    engine's. On release a connection is only rolled back if a transaction was left open: a
    prepared statement never changes session state (no SET, LISTEN or advisory lock), so
    asyncpg's full reset, a round trip per release, has nothing to undo.
    Elsewhere (SQLite) they run through the SQLAlchemy engine.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        pool_size: int,
        connect_timeout: float,
        statement_timeout_ms: int | None = None,
        transaction_pooler: bool = False,
    ) -> None:
        self.engine = engine
        self._size, self._timeout = pool_size, connect_timeout
        self._pooled = transaction_pooler
        self._server_settings = (
            {"statement_timeout": str(statement_timeout_ms)}
            if statement_timeout_ms and not transaction_pooler
            else {}
        )
        self._begin = "; ".join(
            ["BEGIN", *([set_local_timeout(statement_timeout_ms)] if statement_timeout_ms else [])]
        )
        self._pool: Any = None
        database = engine.url.database
        self._sqlite = (
            _SqliteWrites(database)
            if engine.dialect.name == "sqlite" and database and database != ":memory:"
            else None
        )

    @property
    def on_driver(self) -> bool:
        return self.engine.dialect.driver == DRIVER

    async def open(self) -> None:
        if self.on_driver and self._pool is None:
            url = self.engine.url.set(drivername="postgresql")
            self._pool = asyncpg.create_pool(
                url.render_as_string(hide_password=False),
                min_size=0,
                max_size=self._size,
                timeout=self._timeout,
                server_settings=self._server_settings,
                reset=_nothing_to_reset,
                # asyncpg's default, 100 named statements per connection, unless pooled
                statement_cache_size=0 if self._pooled else 100,
            )
            await self._pool  # min_size=0: nothing connects until first use

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
        if self._sqlite is not None:
            self._sqlite.close()

    async def first(self, prepared: Prepared, values: Mapping[str, Any]) -> dict[str, Any] | None:
        """The first row, by column key, or None."""
        if self._pool is not None:
            compiled, record = await self._on_pool("fetchrow", prepared, values)
            return None if record is None else compiled.row(record)
        async with self.engine.connect() as conn:
            row = (await conn.execute(prepared.statement, dict(values))).first()
        return None if row is None else dict(row._mapping)

    async def all(self, prepared: Prepared, values: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Every row, by column key."""
        if self._pool is not None:
            compiled, records = await self._on_pool("fetch", prepared, values)
            return [compiled.row(r) for r in records]
        async with self.engine.connect() as conn:
            rows = (await conn.execute(prepared.statement, dict(values))).all()
        return [dict(r._mapping) for r in rows]

    async def write_one(self, prepared: Prepared, values: Mapping[str, Any]) -> dict[str, Any]:
        """Run one write statement with RETURNING, committed on its own; its row."""
        if self._pool is not None:
            compiled, record = await self._on_pool("fetchrow", prepared, values)
            return compiled.row(record)
        if self._sqlite is not None:
            compiled = prepared.compiled(self.engine.dialect)
            record = await asyncio.to_thread(
                self._sqlite.write_one, compiled.sql, compiled.arguments(values)
            )
            return compiled.row(record)
        async with self.engine.begin() as conn:
            row = (await conn.execute(prepared.statement, dict(values))).one()
        return dict(row._mapping)

    async def insert_all(self, prepared: Prepared, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert every row, all or none. `prepared` holds an INSERT."""
        if not rows:
            return
        if self._pool is not None:
            compiled = prepared.compiled(self.engine.dialect)
            arguments = [compiled.arguments(r) for r in rows]
            async with self._pool.acquire(timeout=self._timeout) as conn:
                # asyncpg's executemany is atomic: one pipelined round trip, all rows or none
                await self._run(conn, conn.executemany, compiled.sql, arguments)
            return
        async with self.engine.begin() as conn:
            await conn.execute(prepared.statement, [dict(r) for r in rows])

    async def _on_pool(
        self, method: str, prepared: Prepared, values: Mapping[str, Any]
    ) -> tuple[_Compiled, Any]:
        """`method` (fetchrow, fetch) of an acquired connection, with the statement's SQL."""
        compiled = prepared.compiled(self.engine.dialect)
        arguments = compiled.arguments(values)
        async with self._pool.acquire(timeout=self._timeout) as conn:
            return compiled, await self._run(conn, getattr(conn, method), compiled.sql, *arguments)

    async def _run(self, conn: Any, method: Callable[..., Any], *arguments: Any) -> Any:
        """`method(*arguments)`, in a transaction of its own behind a transaction pooler."""
        if not self._pooled:
            return await method(*arguments)
        await conn.execute(self._begin)  # one round trip: the simple protocol, no statement
        try:
            result = await method(*arguments)
        except Exception:
            if not conn.is_closed():
                with contextlib.suppress(Exception):  # the pool's reset tries again
                    await conn.execute("ROLLBACK")
            raise
        await conn.execute("COMMIT")
        return result


class _SqliteWrites:
    """SQLite has one write lock per database. Through aiosqlite a write holds it from its
    INSERT to its COMMIT, two trips through the worker's event loop, and a busy loop can
    take seconds to come round: every other writer waits (the audit batch among them). Here
    a write runs from BEGIN IMMEDIATE to COMMIT in one call on a thread, on a connection of
    its own, one write at a time: the lock is never held while the loop does anything else."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def write_one(self, sql: str, arguments: Sequence[Any]) -> Any:
        with self._lock:
            if self._connection is None:
                self._connection = sqlite3.connect(
                    self._path, timeout=30, isolation_level=None, check_same_thread=False
                )
                self._connection.execute("PRAGMA foreign_keys=ON")
            connection = self._connection
            connection.execute("BEGIN IMMEDIATE")
            try:
                record = connection.execute(sql, arguments).fetchone()
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            return record

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


async def _nothing_to_reset(_conn: Any) -> None:
    """asyncpg has rolled back any open transaction before it calls this."""
