"""A throwaway PostgreSQL cluster on a free loopback port, from the machine's own binaries,
and a streaming replica of it (`pg_basebackup -R`) for the topology run.

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
    if on_path:  # followed to the real directory, which has the other tools (pg_basebackup)
        candidates.append(str(Path(on_path).resolve().parent))
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
    # Where it listens (loopback always), and the networks trusted besides loopback: the
    # topology run adds its namespaces' bridge, so hosts in them reach the server.
    addresses: tuple[str, ...] = ("127.0.0.1",)
    trusted: tuple[str, ...] = ()

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
        self._configure("max_connections = 300\nlogging_collector = off\n")
        with (self.data / "pg_hba.conf").open("a") as hba:
            hba.writelines(f"host all all {network} trust\n" for network in self.trusted)

    def _configure(self, extra: str = "") -> None:
        """This server's own port, addresses and socket directory (the last line wins, so a
        replica's copy of its primary's file is corrected the same way)."""
        settings = (
            f"\nport = {self.port}\n"
            f"listen_addresses = '{','.join(self.addresses)}'\n"
            f"unix_socket_directories = '{self.base}'\n"
        )
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(settings + extra)

    def init_replica_of(self, primary: Cluster) -> None:
        """A base backup of `primary` (which must run) that streams from it as a hot standby:
        `pg_basebackup -R` writes the standby.signal and primary_conninfo."""
        self._run(
            "pg_basebackup",
            "-D",
            str(self.data),
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            "postgres",
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
            "--no-sync",
        )
        self._configure("hot_standby = on\n")

    def start(self) -> None:
        self._pg_ctl("start")

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("-m", mode, "stop")

    def restart(self) -> None:
        """A clean restart (fast shutdown): clients are disconnected, nothing is lost."""
        self._pg_ctl("-m", "fast", "restart")

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
def throwaway_cluster(
    prefix: str = "lpa-storm-", addresses: tuple[str, ...] = (), trusted: tuple[str, ...] = ()
) -> Iterator[Cluster]:
    """A started cluster, stopped and deleted afterwards whatever happens. It listens on
    127.0.0.1 and `addresses`, and trusts loopback and the `trusted` networks."""
    with _scratch(prefix) as cluster:
        cluster.addresses += addresses
        cluster.trusted = trusted
        cluster.init()
        cluster.start()
        yield cluster


@contextmanager
def streaming_replica(primary: Cluster, prefix: str = "lpa-replica-") -> Iterator[Cluster]:
    """A started hot standby of `primary` on a port of its own, listening where the primary
    does; stopped and deleted afterwards whatever happens."""
    with _scratch(prefix) as replica:
        replica.addresses = primary.addresses
        replica.init_replica_of(primary)
        replica.start()
        yield replica


@contextmanager
def _scratch(prefix: str) -> Iterator[Cluster]:
    """A cluster not yet made, in a temporary directory the server's user owns; whatever
    runs there is stopped and the directory deleted afterwards."""
    bin_dir = find_bin_dir()
    with server_directory(prefix) as (base, run_as):
        if run_as and shutil.which("runuser") is None:
            raise ClusterUnavailable("as root, runuser is needed to start PostgreSQL as postgres")
        cluster = Cluster(bin_dir=bin_dir, base=base, port=free_port(), run_as=run_as)
        try:
            yield cluster
        finally:
            if cluster.is_running():
                with suppress(Exception):
                    cluster.stop("immediate")


@contextmanager
def server_directory(prefix: str) -> Iterator[tuple[Path, str | None]]:
    """A temporary directory owned by the user PostgreSQL's tools run as ("postgres" when we
    are root, else ourselves: None), and that user; deleted afterwards."""
    run_as = "postgres" if os.geteuid() == 0 else None
    owner = _owner(run_as)
    base = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        if owner:
            os.chown(base, *owner)
        yield base, run_as
    finally:
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
