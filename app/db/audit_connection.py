"""The audit batch's connection: the one database connection a worker holds outside its pool.

The batch writes from a thread and an event loop of its own (`app/db/audit_batch.py`), so
that requests holding every pooled connection, or keeping the worker's loop busy, never make
it wait. A pooled connection belongs to the worker's loop, so the batch cannot borrow one: it
opens one connection of its own, from the same settings as the engine, and writes nothing but
its rows on it.

- PostgreSQL: one asyncpg connection, with the engine's statement timeout; behind a
  transaction pooler each write runs in a transaction of its own with the timeout set there,
  and asyncpg keeps no named statement (as `app/db/prepared.py` does). A connection the server
  closed is opened again at the next write.
- SQLite: one sqlite3 connection, used from a thread, one write from BEGIN IMMEDIATE to
  COMMIT at a time (`SqliteWrites`).

No SQLAlchemy engine: the statement is compiled with the worker engine's dialect, and its
values go through that dialect's type processing, as every prepared statement's do.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.engine import Dialect, make_url

from app.settings import Settings

from .prepared import DRIVER, Prepared, SqliteWrites, pooler_begin, run_statement


class AuditConnection:
    """One connection, opened on first use, for `insert_all`, from one event loop at a time."""

    def __init__(
        self,
        url: str,
        dialect: Dialect,
        *,
        connect_timeout: float,
        statement_timeout_ms: int | None = None,
        transaction_pooler: bool = False,
    ) -> None:
        parsed = make_url(url)
        self._dialect = dialect
        self._sqlite: SqliteWrites | None = None
        if dialect.driver != DRIVER:
            if dialect.name != "sqlite" or parsed.database in (None, "", ":memory:"):
                raise ValueError("the audit batch writes to PostgreSQL or to a SQLite file")
            self._sqlite = SqliteWrites(parsed.database)
        self._dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        self._timeout = connect_timeout
        self._pooled = transaction_pooler
        self._server_settings = (
            {"statement_timeout": str(statement_timeout_ms)}
            if statement_timeout_ms and not transaction_pooler
            else {}
        )
        self._begin = pooler_begin(statement_timeout_ms) if transaction_pooler else None
        self._conn: Any = None

    async def insert_all(self, prepared: Prepared, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert every row, all or none. `prepared` holds an INSERT."""
        if not rows:
            return
        compiled = prepared.compiled(self._dialect)
        if self._sqlite is not None:
            arguments = [compiled.arguments(r) for r in rows]
            await asyncio.to_thread(self._sqlite.write_all, compiled.sql, arguments)
            return
        method, sql, values = compiled.rows(rows)
        conn = await self._connection()
        try:
            await run_statement(conn, self._begin, getattr(conn, method), sql, *values)
        finally:
            if not conn.is_closed() and conn.is_in_transaction():
                conn.terminate()  # cut off inside its transaction: never write on after it

    async def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            await conn.close(timeout=self._timeout)

    async def _connection(self) -> Any:
        if self._conn is None or self._conn.is_closed():
            self._conn = await asyncpg.connect(
                self._dsn,
                timeout=self._timeout,
                server_settings=self._server_settings,
                # asyncpg's default, 100 named statements per connection, unless pooled
                statement_cache_size=0 if self._pooled else 100,
            )
        return self._conn


def audit_connection_for(settings: Settings, dialect: Dialect) -> AuditConnection:
    """The audit batch's connection to the primary, with the engine's connection settings;
    `dialect` is the engine's."""
    return AuditConnection(
        settings.database_url,
        dialect,
        connect_timeout=settings.db_connect_timeout_seconds,
        statement_timeout_ms=settings.statement_timeout_ms,
        transaction_pooler=settings.database_pooler == "transaction",
    )
