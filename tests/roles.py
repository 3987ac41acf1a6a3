"""The two PostgreSQL roles of docs/operations.md, made from `lpa-gateway grants` as an
operator would, with names of their own per test and dropped afterwards."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from app.cli import main

# Runs `lpa-gateway ARGS` with LPA_GATEWAY_DATABASE_URL=url (None: unset); returns its stdout.
Cli = Callable[[list[str], str | None], str]


@dataclass(frozen=True, slots=True)
class Roles:
    owner: str
    runtime: str
    owner_url: str
    runtime_url: str


def in_process_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    """`lpa-gateway` run in this process, as a test's operator."""

    def run(argv: list[str], database_url: str | None) -> str:
        monkeypatch.delenv("LPA_GATEWAY_ENV", raising=False)
        if database_url is None:
            monkeypatch.delenv("LPA_GATEWAY_DATABASE_URL", raising=False)
        else:
            monkeypatch.setenv("LPA_GATEWAY_DATABASE_URL", database_url)
        status = main(argv)
        captured = capsys.readouterr()
        assert status == 0, captured.err
        return captured.out

    return run


def as_role(url: str, role: str) -> str:
    return make_url(url).set(username=role).render_as_string(hide_password=False)


def run_sql(url: str, script: str) -> None:
    """Run a whole SQL script as psql would, on one connection (asyncpg's simple protocol)."""

    async def run() -> None:
        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(script)
        finally:
            await conn.close()

    asyncio.run(run())


@contextmanager
def operator_roles(database_url: str, cli: Cli) -> Iterator[Roles]:
    """Follow docs/operations.md on the empty database `database_url` (reached as a
    superuser): make the roles, migrate as the owner, grant the runtime role. Afterwards the
    database and both roles are dropped."""
    suffix = uuid.uuid4().hex[:10]
    owner, runtime = f"lpa_owner_{suffix}", f"lpa_gateway_{suffix}"
    grants = ["grants", "--owner", owner, "--runtime", runtime]
    roles = Roles(owner, runtime, as_role(database_url, owner), as_role(database_url, runtime))
    try:
        run_sql(database_url, cli([*grants, "--only", "before-migrate"], None))
        cli(["migrate"], roles.owner_url)
        run_sql(roles.owner_url, cli([*grants, "--only", "after-migrate"], None))
        yield roles
    finally:
        admin = make_url(database_url).set(database="postgres")
        admin_url = admin.render_as_string(hide_password=False)
        run_sql(
            admin_url, f'DROP DATABASE IF EXISTS "{make_url(database_url).database}" WITH (FORCE)'
        )
        run_sql(admin_url, f'DROP ROLE IF EXISTS "{owner}", "{runtime}"')
