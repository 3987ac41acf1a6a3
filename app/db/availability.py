"""Tell "the database is out of reach right now" apart from every other failure.

Out of reach means: the server refuses or drops connections (stopped, restarting, in crash
recovery, shutting down, out of connection slots), a connection attempt times out, a pooled
connection turns out to be dead, or no pooled connection frees up in time. Such a failure
changed nothing the client can see: the transaction did not commit (or, if the connection died
on COMMIT, a retry with the same idempotency key answers what was stored). So the client may
retry, and the gateway says so instead of reporting an internal error.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import TracebackType

from sqlalchemy import exc

# SQLSTATEs that mean the server is out of reach: class 08 (connection exception), class 57
# (operator intervention: admin or crash shutdown, "the database system is starting up",
# statement cancelled or timed out) and 53300 (too many connections).
_UNREACHABLE_CLASSES = ("08", "57")
_UNREACHABLE_STATES = frozenset({"53300"})
# Modules whose socket errors are errors talking to the database.
_DRIVER_MODULES = ("asyncpg", "sqlalchemy.pool", "sqlalchemy.dialects", "sqlalchemy.connectors")
_MAX_CHAIN = 16


def database_unavailable(error: BaseException) -> bool:
    """True when `error`, or an error it was raised from, says the database is unreachable."""
    for cause in error_chain(error):
        if isinstance(cause, exc.DBAPIError) and cause.connection_invalidated:
            return True
        if isinstance(cause, exc.TimeoutError):  # no pooled connection freed up in time
            return True
        state = getattr(cause, "sqlstate", None)  # asyncpg's (and psycopg's) server errors
        if isinstance(state, str) and (
            state.startswith(_UNREACHABLE_CLASSES) or state in _UNREACHABLE_STATES
        ):
            return True
        if _driver_says_closed(cause):
            return True
        if isinstance(cause, OSError) and _raised_by_driver(cause.__traceback__):
            # refused, reset or timed out (TimeoutError is an OSError) while connecting
            return True
    return False


def error_chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending and len(seen) < _MAX_CHAIN:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for linked in (current.__cause__, current.__context__, getattr(current, "orig", None)):
            if isinstance(linked, BaseException):
                pending.append(linked)


def _driver_says_closed(error: BaseException) -> bool:
    """asyncpg's InterfaceError for a connection it already knows is closed."""
    kind = type(error)
    return (
        kind.__module__.startswith("asyncpg")
        and kind.__name__ == "InterfaceError"
        and "connection is closed" in str(error)
    )


def _raised_by_driver(trace: TracebackType | None) -> bool:
    while trace is not None:
        module = str(trace.tb_frame.f_globals.get("__name__", ""))
        if module.startswith(_DRIVER_MODULES):
            return True
        trace = trace.tb_next
    return False
