"""A PostgreSQL to benchmark against: a throwaway cluster of our own, or a database of our own
on the server named by LPA_GATEWAY_BENCH_POSTGRES_URL. Either is removed on the way out."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.engine import make_url

BENCH_URL_VARIABLE = "LPA_GATEWAY_BENCH_POSTGRES_URL"
SERVER_SETTINGS = {
    # Room for two workers' pools (10 + 10 overflow each), the floor's and the seeder's.
    "max_connections": "200",
    "shared_buffers": "256MB",
    "listen_addresses": "127.0.0.1",
}


@dataclass(frozen=True, slots=True)
class Database:
    dsn: str  # for asyncpg: postgresql://user@host:port/db
    postmaster_pid: int | None  # our own cluster only: its processes' CPU can be measured

    @property
    def sqlalchemy_url(self) -> str:
        return self.dsn.replace("postgresql://", "postgresql+asyncpg://", 1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _pg_bin(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        raise SystemExit(f"bench: {name} not found; install PostgreSQL or set {BENCH_URL_VARIABLE}")
    return found


def _as_postgres(argv: list[str]) -> list[str]:
    # initdb refuses to run as root: run the cluster as the `postgres` user.
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[Database]:
    data = Path(tempfile.mkdtemp(prefix="lpa-bench-pg-"))
    port = free_port()
    started = False
    try:
        if os.geteuid() == 0:
            shutil.chown(data, "postgres", "postgres")
        subprocess.run(
            _as_postgres(
                [
                    _pg_bin("initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-sync",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=120,
        )
        options = " ".join(f"-c {k}={v}" for k, v in SERVER_SETTINGS.items())
        subprocess.run(
            _as_postgres(
                [
                    _pg_bin("pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(data / "server.log"),
                    "-w",
                    "-t",
                    "60",
                    "-o",
                    f"-p {port} -k {data} {options}",
                    "start",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=90,
        )
        started = True
        pid = int((data / "postmaster.pid").read_text().split()[0])
        yield Database(f"postgresql://postgres@127.0.0.1:{port}/postgres", pid)
    finally:
        if started:
            subprocess.run(
                _as_postgres([_pg_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
                check=False,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=60,
            )
        shutil.rmtree(data, ignore_errors=True)


@contextlib.contextmanager
def database_on(server_url: str) -> Iterator[Database]:
    """A database of our own on an existing server, dropped afterwards."""
    url = make_url(server_url).set(drivername="postgresql")
    name = f"lpa_bench_{uuid.uuid4().hex[:10]}"
    admin = url.render_as_string(hide_password=False)
    _admin(admin, f'CREATE DATABASE "{name}"')
    try:
        yield Database(url.set(database=name).render_as_string(hide_password=False), None)
    finally:
        _admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin(dsn: str, statement: str) -> None:
    import asyncio

    async def run() -> None:
        conn = await asyncpg.connect(dsn, timeout=10)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(run())


@contextlib.contextmanager
def bench_database() -> Iterator[Database]:
    server_url = os.environ.get(BENCH_URL_VARIABLE)
    if server_url:
        with database_on(server_url) as db:
            yield db
        return
    with throwaway_cluster() as cluster, database_on(cluster.dsn) as db:
        yield Database(db.dsn, cluster.postmaster_pid)


@contextlib.contextmanager
def pooled_url(url: str, scratch: Path) -> Iterator[str]:
    """`url` (SQLAlchemy's) through Debian's PgBouncer in transaction mode, with as many
    server connections as the gateway's pools may ask for (`max_connections` allows)."""
    from tests.reliability.daemons import DaemonFailed
    from tests.reliability.pooler import pgbouncer

    server = make_url(url)
    try:
        with pgbouncer(
            server.port or 5432, "transaction", ("127.0.0.1",), scratch, pool_size=80
        ) as daemon:
            yield server.set(port=daemon.port).render_as_string(hide_password=False)
    except DaemonFailed as error:
        raise SystemExit(f"bench: PgBouncer did not start: {error}") from None
