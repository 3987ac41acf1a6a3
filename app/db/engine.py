from __future__ import annotations

import logging
import uuid
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from app.settings import Settings

from .prepared import Statements, set_local_timeout


def create_engine(
    settings: Settings, *, pool_size: int | None = None, url: str | None = None
) -> AsyncEngine:
    """The engine of the primary, or of `url` (the read replica) with the same settings."""
    return engine_for_url(
        url or settings.database_url,
        pool_size=pool_size or settings.db_pool_size,
        connect_timeout=settings.db_connect_timeout_seconds,
        statement_timeout_ms=settings.statement_timeout_ms,
        transaction_pooler=settings.database_pooler == "transaction",
    )


def statements_for(settings: Settings, engine: AsyncEngine) -> Statements:
    """Prepared statements for `engine`'s database, on its pool."""
    return Statements(
        engine,
        statement_timeout_ms=settings.statement_timeout_ms,
        transaction_pooler=settings.database_pooler == "transaction",
    )


def engine_for_url(
    url: str,
    *,
    pool_size: int = 20,
    connect_timeout: float = 2.0,
    statement_timeout_ms: int | None = None,
    transaction_pooler: bool = False,
) -> AsyncEngine:
    """An engine that never puts statement parameters (personal data) into errors or logs.

    Behind a transaction-mode pooler (`transaction_pooler`) each transaction may run on
    another server connection, so nothing may outlive one: the driver keeps no prepared
    statement (each gets a name of its own, as SQLAlchemy's PgBouncer recipe has it, so two
    never meet on one server connection), and `statement_timeout` is set with SET LOCAL at
    the start of every transaction rather than once per connection (PgBouncer refuses it as
    a start-up parameter)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        _quiet_driver_logs()
        engine = create_async_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    connect_args: dict[str, Any] = {"timeout": connect_timeout}
    if transaction_pooler:
        connect_args |= {
            "statement_cache_size": 0,
            "prepared_statement_cache_size": 0,
            "prepared_statement_name_func": _statement_name,
        }
    elif statement_timeout_ms:
        # PostgreSQL ends any statement that runs longer: runaway work cannot pile up
        connect_args["server_settings"] = {"statement_timeout": str(statement_timeout_ms)}
    engine = create_async_engine(
        url,
        # Every connection is kept: an overflow connection would be opened and closed again
        # under load, a new server process each time.
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=connect_timeout,
        connect_args=connect_args,
        hide_parameters=True,
    )
    event.listen(engine.sync_engine.pool, "checkout", _refuse_closed)
    if transaction_pooler:
        if statement_timeout_ms:
            begin = _timeout_per_transaction(statement_timeout_ms)
            event.listen(engine.sync_engine, "begin", begin)
        # `without_transaction` keeps transactions: in autocommit a statement's PREPARE and
        # its EXECUTE are two transactions, which the pooler may send to two servers.
        _POOLED.add(engine.sync_engine)
    return engine


def without_transaction(engine: AsyncEngine) -> AsyncEngine:
    """The same pool, in autocommit: a single-statement read is one round trip, with no
    BEGIN before it and no ROLLBACK when its connection goes back to the pool. (SQLite keeps
    its transactions: there is no round trip to save, and aiosqlite in autocommit stalled
    under concurrent requests in the fuzz test.)"""
    if engine.dialect.name == "sqlite" or engine.sync_engine in _POOLED:
        return engine
    return engine.execution_options(isolation_level="AUTOCOMMIT")


_POOLED: weakref.WeakSet[Engine] = weakref.WeakSet()  # engines behind a transaction pooler


def _timeout_per_transaction(statement_timeout_ms: int) -> Callable[[Any], None]:
    statement = set_local_timeout(statement_timeout_ms)

    def begin(connection: Any) -> None:
        connection.exec_driver_sql(statement)

    return begin


def _statement_name() -> str:
    return f"__asyncpg_{uuid.uuid4().hex}__"


def _refuse_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    # A pooled connection that died with the server (restart, failover, crash recovery) is
    # replaced on checkout instead of failing the request that drew it. The driver knows its
    # socket closed without a round trip; SQLAlchemy's pool_pre_ping would cost three
    # (BEGIN, a ping, ROLLBACK) on every checkout.
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("connection closed")


def _quiet_driver_logs() -> None:
    # aiosqlite logs every statement with its parameters at DEBUG: personal data. Keep it at
    # INFO whatever the root level is.
    logging.getLogger("aiosqlite").setLevel(logging.INFO)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
