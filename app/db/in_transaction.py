"""Statements built once, run in the caller's transaction: on PostgreSQL by asyncpg itself.

SQLAlchemy's `AsyncConnection.execute` costs, for every statement, a cache key, a compiled
statement's parameters, a greenlet switch and a result object. `InTransaction` runs a
`Prepared` statement, compiled once (`app/db/prepared.py`), on the asyncpg connection under
the transaction instead, with SQLAlchemy's own type processing on the way in and out; anything
else still goes through `conn`, on the same connection and in the same transaction. Elsewhere
(SQLite), and where something listens for the engine's statements (OpenTelemetry's SQLAlchemy
instrumentation, whose database spans would miss the driver's), every statement goes through
`conn`.

Three things keep the two paths one transaction with one contract:

- SQLAlchemy's asyncpg adapter sends BEGIN only before the first statement it runs itself, so
  a statement sent to asyncpg first would run, and commit, on its own. `of` has the adapter
  begin the transaction first, as that statement would have (its isolation level included),
  unless it has already (a pooler's `SET LOCAL statement_timeout` begins it).
- A failure is raised as SQLAlchemy raises it: asyncpg's error turned into the adapter's
  DB-API error and wrapped in SQLAlchemy's (a unique violation is `sqlalchemy.exc
  .IntegrityError`, which the idempotent mutations and the import rely on), and a connection
  that is gone, or a statement cut off by cancellation, invalidates the connection.
- Behind a transaction pooler the statements are inside the transaction, so they reach the
  one server connection it holds; asyncpg keeps none of them past it (its statement cache is
  off in that mode, `app/db/engine.py`), and the transaction's `SET LOCAL` timeout holds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import exc
from sqlalchemy.ext.asyncio import AsyncConnection

from .inserts import RowInsert
from .prepared import DRIVER, Prepared


class InTransaction:
    """The statements of one transaction, begun by the caller on `conn`."""

    __slots__ = ("_adapted", "_driver", "conn")

    def __init__(self, conn: AsyncConnection, adapted: Any = None) -> None:
        """`adapted`: SQLAlchemy's asyncpg adapter of the transaction's connection, its
        transaction begun; without it, every statement goes through SQLAlchemy."""
        self.conn = conn
        self._adapted = adapted
        self._driver = None if adapted is None else adapted.driver_connection

    @classmethod
    async def of(cls, conn: AsyncConnection) -> InTransaction:
        """The statements of `conn`'s transaction, on asyncpg where that is the driver and
        nothing listens for statements on the engine (the tracing's instrumentation does: it
        sees only what SQLAlchemy runs, so then SQLAlchemy runs everything)."""
        if conn.dialect.driver != DRIVER or conn.sync_engine.dispatch.before_cursor_execute:
            return cls(conn)
        if not conn.in_transaction():
            raise ValueError("statements run in a transaction the caller began")
        adapted: Any = (await conn.get_raw_connection()).dbapi_connection
        async with adapted._execute_mutex:  # as the adapter's cursor does before a statement
            if adapted._transaction is None:
                await adapted._start_transaction()
        return cls(conn, adapted)

    async def first(self, prepared: Prepared, values: Mapping[str, Any]) -> dict[str, Any] | None:
        """The first row, by column key, or None."""
        if self._driver is None:
            row = (await self.conn.execute(prepared.statement, dict(values))).first()
            return None if row is None else dict(row._mapping)
        compiled = prepared.compiled(self.conn.dialect)
        record = await self._run("fetchrow", compiled.sql, *compiled.arguments(values))
        return None if record is None else compiled.row(record)

    async def all(self, prepared: Prepared, values: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Every row, by column key."""
        if self._driver is None:
            rows = (await self.conn.execute(prepared.statement, dict(values))).all()
            return [dict(r._mapping) for r in rows]
        compiled = prepared.compiled(self.conn.dialect)
        records = await self._run("fetch", compiled.sql, *compiled.arguments(values))
        return [compiled.row(r) for r in records]

    async def execute(self, prepared: Prepared, values: Mapping[str, Any]) -> None:
        """Run a statement whose rows, if any, are not wanted."""
        if self._driver is None:
            await self.conn.execute(prepared.statement, dict(values))
            return
        compiled = prepared.compiled(self.conn.dialect)
        await self._run("execute", compiled.sql, *compiled.arguments(values))

    async def one(self, prepared: Prepared, values: Mapping[str, Any]) -> dict[str, Any]:
        """The one row (an INSERT's RETURNING), by column key."""
        found = await self.first(prepared, values)
        if found is None:
            raise exc.NoResultFound("a row was expected, and none came")
        return found

    async def insert(self, into: RowInsert, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert every row (none: no statement)."""
        if len(rows) == 1:
            await self.execute(into.prepared, into.row(rows[0]))
        elif rows and self._driver is None:
            await self.conn.execute(into.prepared.statement, into.rows(rows))
        elif rows:
            method, sql, arguments = into.prepared.compiled(self.conn.dialect).rows(into.rows(rows))
            await self._run(method, sql, *arguments)

    async def _run(self, method: str, sql: str, *arguments: Any) -> Any:
        """asyncpg's `method` (fetchrow, fetch, execute, executemany) with `sql`."""
        call: Callable[..., Any] = getattr(self._driver, method)
        try:
            return await call(sql, *arguments)
        except Exception as error:
            failure = self._dbapi_error(error)
            if failure is None:
                raise
            dialect = self.conn.dialect
            gone = dialect.is_disconnect(failure, self._adapted, None)
            if gone:
                await self.conn.invalidate(failure)
            raise exc.DBAPIError.instance(
                sql,
                None,
                failure,
                dialect.loaded_dbapi.Error,
                hide_parameters=True,
                connection_invalidated=gone,
                dialect=dialect,
            ) from failure
        except BaseException:  # cancelled mid-statement: what the connection is in is unknown
            await self.conn.invalidate()
            raise

    def _dbapi_error(self, error: Exception) -> Any:
        """`error` as the adapter's DB-API error, or None if it has none for it."""
        try:
            self._adapted._handle_exception(error)  # always raises
        except self.conn.dialect.loaded_dbapi.Error as translated:
            return translated
        except Exception:
            return None
        return None
