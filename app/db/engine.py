from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from app.settings import Settings


def create_engine(settings: Settings) -> AsyncEngine:
    return engine_for_url(
        settings.database_url,
        pool_size=settings.db_pool_size,
        connect_timeout=settings.db_connect_timeout_seconds,
        statement_timeout_ms=settings.statement_timeout_ms,
    )


def engine_for_url(
    url: str,
    *,
    pool_size: int = 10,
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
    # pool_pre_ping: a pooled connection that died with the server (restart, failover, crash
    # recovery) is replaced on checkout instead of failing the request that drew it.
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=connect_timeout,
        pool_pre_ping=True,
        connect_args={
            "timeout": connect_timeout,
            # PostgreSQL ends any statement that runs longer: runaway work cannot pile up
            "server_settings": (
                {"statement_timeout": str(statement_timeout_ms)} if statement_timeout_ms else {}
            ),
        },
        hide_parameters=True,
    )


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
