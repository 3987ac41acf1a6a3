"""A throwaway PostgreSQL cluster on a free loopback port, from the machine's own binaries.

`initdb` refuses to run as root, so as root every PostgreSQL command runs as the `postgres`
user (`runuser -u postgres -- ...`) in a temporary directory that user owns. The cluster keeps
PostgreSQL's durable defaults (fsync, synchronous_commit): it exists to be crashed.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

SEARCH = (
    "/usr/lib/postgresql/*/bin",  # Debian and Ubuntu
    "/usr/pgsql-*/bin",  # RHEL and Fedora (PGDG)
    "/usr/local/pgsql/bin",
    "/opt/homebrew/opt/postgresql*/bin",
    "/usr/local/opt/postgresql*/bin",
)
COMMAND_TIMEOUT = 90.0


class ClusterUnavailable(RuntimeError):
    """This machine cannot run a throwaway PostgreSQL cluster (and why)."""


def _version_key(path: str) -> tuple[int, ...]:
    digits = "".join(c if c.isdigit() else " " for c in path).split()
    return tuple(int(d) for d in digits)


def find_bin_dir() -> Path:
    """The directory holding `initdb` and `pg_ctl`: LPA_GATEWAY_PG_BIN, then PATH, then the
    usual install locations (newest version first)."""
    override = os.environ.get("LPA_GATEWAY_PG_BIN")
    candidates = [override] if override else []
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(str(Path(on_path).parent))
    for pattern in SEARCH:
        candidates.extend(sorted(glob.glob(pattern), key=_version_key, reverse=True))
    for candidate in candidates:
        directory = Path(candidate)
        if (directory / "initdb").is_file() and (directory / "pg_ctl").is_file():
            return directory
    raise ClusterUnavailable(
        "initdb and pg_ctl were not found (looked in LPA_GATEWAY_PG_BIN, PATH and "
        + ", ".join(SEARCH)
        + "); install the PostgreSQL server package, e.g. apt-get install postgresql"
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Cluster:
    bin_dir: Path
    base: Path
    port: int
    run_as: str | None  # "postgres" when we are root

    @property
    def data(self) -> Path:
        return self.base / "data"

    @property
    def log(self) -> Path:
        return self.base / "postgres.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def dsn(self, database: str = "postgres") -> str:
        """The URL for asyncpg itself (no SQLAlchemy driver suffix)."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, program: str, *args: str, timeout: float = COMMAND_TIMEOUT) -> str:
        command: list[str] = [str(self.bin_dir / program), *args]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        done = subprocess.run(  # noqa: S603 - the machine's PostgreSQL tools, fixed arguments
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=self.base,
        )
        if done.returncode != 0:
            raise ClusterUnavailable(
                f"{program} {' '.join(args[:1])} failed ({done.returncode}): "
                f"{(done.stderr or done.stdout).strip()[-2000:]}\n{self.log_tail()}"
            )
        return done.stdout

    def _pg_ctl(self, *args: str) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", *args)

    def init(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",  # only initdb's own files; the running cluster keeps fsync on
        )
        settings = (
            f"\nport = {self.port}\n"
            "listen_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{self.base}'\n"
            "max_connections = 300\n"
            "logging_collector = off\n"
        )
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(settings)

    def start(self) -> None:
        self._pg_ctl("start")

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("-m", mode, "stop")

    def restart_immediate(self) -> None:
        """Crash the server (no shutdown checkpoint) and start it again: crash recovery."""
        self._pg_ctl("-m", "immediate", "restart")

    def is_running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def crash_recoveries(self) -> int:
        """How many times the server log says it ran crash recovery."""
        if not self.log.exists():
            return 0
        text = self.log.read_text(errors="replace")
        return text.count("automatic recovery in progress")

    def log_tail(self, lines: int = 15) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def _owner(user: str | None) -> tuple[int, int] | None:
    if user is None:
        return None
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        raise ClusterUnavailable(
            f"running as root, and initdb refuses root: a '{user}' user is needed"
        ) from None
    return entry.pw_uid, entry.pw_gid


@contextmanager
def throwaway_cluster(prefix: str = "lpa-storm-") -> Iterator[Cluster]:
    """A started cluster, stopped and deleted afterwards whatever happens."""
    bin_dir = find_bin_dir()
    run_as = "postgres" if os.geteuid() == 0 else None
    owner = _owner(run_as)
    if run_as and shutil.which("runuser") is None:
        raise ClusterUnavailable("running as root needs runuser to start PostgreSQL as postgres")
    base = Path(tempfile.mkdtemp(prefix=prefix))
    if owner:
        os.chown(base, *owner)
    cluster = Cluster(bin_dir=bin_dir, base=base, port=free_port(), run_as=run_as)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        if cluster.is_running():
            with suppress(Exception):
                cluster.stop("immediate")
        _remove(base)


def _remove(base: Path) -> None:
    for _ in range(3):
        shutil.rmtree(base, ignore_errors=True)
        if not base.exists():
            return
        time.sleep(0.2)


async def create_database(cluster: Cluster, name: str) -> str:
    """CREATE DATABASE `name`; the SQLAlchemy URL of the new database."""
    import asyncpg  # type: ignore[import-untyped]

    conn = await asyncpg.connect(cluster.dsn(), timeout=10)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return cluster.url(name)
