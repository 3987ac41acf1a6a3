"""The HTTP suite's database tests run once more behind PgBouncer in transaction mode (the
`pgbouncer` backend): the gateway's settings point through a PgBouncer the session starts, with
LPA_GATEWAY_DATABASE_POOLER=transaction. `database_url` stays the server's own, for tests that
look at the database directly or build settings of their own."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy.engine import make_url

from app.settings import Settings
from tests import pgbouncer
from tests.conftest import BACKENDS, POSTGRES_ADMIN_URL


@pytest.fixture(scope="session")
def pooled_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """The port of a PgBouncer in transaction mode in front of the test server."""
    pgbouncer.require()
    assert POSTGRES_ADMIN_URL is not None
    work = tmp_path_factory.mktemp("pgbouncer")
    with pgbouncer.in_front_of(POSTGRES_ADMIN_URL, work) as url:
        yield make_url(url).port or 0


@pytest.fixture(params=[*BACKENDS, *([pgbouncer.BACKEND] if POSTGRES_ADMIN_URL else [])])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(settings: Settings, backend: str, request: pytest.FixtureRequest) -> Settings:
    if backend != pgbouncer.BACKEND:
        return settings
    port = request.getfixturevalue("pooled_port")
    pooled = make_url(settings.database_url).set(port=port)
    return replace(
        settings,
        database_url=pooled.render_as_string(hide_password=False),
        database_pooler="transaction",
    )
