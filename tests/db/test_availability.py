"""Which failures mean "the database is out of reach" (UNAVAILABLE, retry) and which are
faults (INTERNAL)."""

from __future__ import annotations

import asyncio
import socket

import pytest
from sqlalchemy import exc

from app.db.availability import database_unavailable
from app.db.engine import engine_for_url


class ServerError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__("server said no")
        self.sqlstate = sqlstate


def wrapped(cause: BaseException, invalidated: bool = False) -> exc.DBAPIError:
    error = exc.DBAPIError("SELECT 1", None, cause, connection_invalidated=invalidated)
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    "sqlstate", ["08006", "08003", "57P01", "57P02", "57P03", "57014", "53300"]
)
def test_server_states_that_mean_out_of_reach(sqlstate: str) -> None:
    assert database_unavailable(wrapped(ServerError(sqlstate)))


@pytest.mark.parametrize("sqlstate", ["23505", "40001", "42P01", "22001"])
def test_other_server_errors_are_not_unavailability(sqlstate: str) -> None:
    assert not database_unavailable(wrapped(ServerError(sqlstate)))


def test_an_invalidated_connection_and_an_exhausted_pool_are_unavailability() -> None:
    assert database_unavailable(wrapped(RuntimeError("gone"), invalidated=True))
    assert database_unavailable(exc.TimeoutError("QueuePool limit reached"))


def test_a_connection_error_outside_the_driver_is_a_fault() -> None:
    with pytest.raises(ConnectionError) as raised:
        raise ConnectionError("some other service")
    assert not database_unavailable(raised.value)
    assert not database_unavailable(ValueError("bug"))


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_refused_connection_from_the_driver_is_unavailability() -> None:
    async def connect() -> BaseException:
        engine = engine_for_url(f"postgresql+asyncpg://gateway@127.0.0.1:{closed_port()}/lpa")
        try:
            async with engine.connect():
                pass
        except Exception as error:
            return error
        finally:
            await engine.dispose()
        raise AssertionError("connected to a closed port")

    error = asyncio.run(connect())
    assert isinstance(error, OSError)
    assert database_unavailable(error)
