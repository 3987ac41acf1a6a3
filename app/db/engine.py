from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from app.settings import Settings

from .prepared import Statements


def create_engine(settings: Settings, *, pool_size: int | None = None) -> AsyncEngine:
    return engine_for_url(
        settings.database_url,
        pool_size=pool_size or settings.db_pool_size,
        connect_timeout=settings.db_connect_timeout_seconds,
        statement_timeout_ms=settings.statement_timeout_ms,
    )


def statements_for(
    settings: Settings, engine: AsyncEngine, pool_size: int | None = None
) -> Statements:
    """Prepared statements for `engine`'s database, with its connection settings."""
    return Statements(
        engine,
        pool_size=pool_size or settings.db_pool_size,
        connect_timeout=settings.db_connect_timeout_seconds,
        statement_timeout_ms=settings.statement_timeout_ms,
    )


def engine_for_url(
    url: str,
    *,
    pool_size: int = 20,
    connect_timeout: float = 2.0,
    statement_timeout_ms: int | None = None,
) -> AsyncEngine:
    """An engine that never puts statement parameters (personal data) into errors or logs."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        _quiet_driver_logs()
        engine = create_async_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_async_engine(
        url,
        # Every connection is kept: an overflow connection would be opened and closed again
        # under load, a new server process each time.
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=connect_timeout,
        connect_args={
            "timeout": connect_timeout,
            # PostgreSQL ends any statement that runs longer: runaway work cannot pile up
            "server_settings": (
                {"statement_timeout": str(statement_timeout_ms)} if statement_timeout_ms else {}
            ),
        },
        hide_parameters=True,
    )
    event.listen(engine.sync_engine.pool, "checkout", _refuse_closed)
    return engine


def without_transaction(engine: AsyncEngine) -> AsyncEngine:
    """The same pool, in autocommit: a single-statement read is one round trip, with no
    BEGIN before it and no ROLLBACK when its connection goes back to the pool. (SQLite keeps
    its transactions: there is no round trip to save, and aiosqlite in autocommit stalled
    under concurrent requests in the fuzz test.)"""
    if engine.dialect.name == "sqlite":
        return engine
    return engine.execution_options(isolation_level="AUTOCOMMIT")


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
