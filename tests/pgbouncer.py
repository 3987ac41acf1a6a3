"""PgBouncer in transaction mode in front of the test server, for the tests that run the
gateway behind a pooler (LPA_GATEWAY_DATABASE_POOLER=transaction).

Debian's PgBouncer (`.ci/run` installs it). Without it these tests skip locally, saying why;
under CI (CI=true) they fail. It keeps few server connections (`SERVER_CONNECTIONS`), so
client connections share them from one transaction to the next, as in production: a named
statement left on one would meet another client's.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.reliability.daemons import DaemonFailed, tool
from tests.reliability.pooler import pgbouncer

SERVER_CONNECTIONS = 10
BACKEND = "pgbouncer"  # the `backend` fixture's name for PostgreSQL through the pooler


def available() -> str | None:
    """Why PgBouncer cannot run here, or None."""
    try:
        tool("pgbouncer")
    except DaemonFailed as error:
        return str(error)
    return None


def require() -> None:
    reason = available()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI needs PgBouncer: {reason}", pytrace=False)
    pytest.skip(f"no PgBouncer: {reason}")


@contextmanager
def in_front_of(
    server_url: str, work: Path, *, pool_size: int = SERVER_CONNECTIONS
) -> Iterator[str]:
    """PgBouncer in transaction mode in front of the server of `server_url` (a SQLAlchemy URL);
    yields the same URL through PgBouncer. It refuses the start-up parameter
    `statement_timeout`, as PgBouncer does unless told to ignore it."""
    server = make_url(server_url)
    with pgbouncer(
        server.port or 5432,
        "transaction",
        ("127.0.0.1",),
        work,
        pool_size=pool_size,
        ignore_timeout=False,
    ) as daemon:
        yield server.set(host="127.0.0.1", port=daemon.port).render_as_string(hide_password=False)
