"""The topology's own servers besides PostgreSQL (PgBouncer, HAProxy, Redis): each a child
process in the foreground on a free port, its output in a log, ready once its port accepts a
connection, and stopped by its process id, also when the run fails."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

READY_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
# Debian's package for each tool the topology needs besides PostgreSQL's own.
PACKAGES = {"pgbouncer": "pgbouncer", "haproxy": "haproxy", "redis-server": "redis-server"}
SEARCH_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class DaemonFailed(RuntimeError):
    """A server did not start (and its log says why)."""


def missing_tools() -> list[str]:
    """The tools of PACKAGES not found on PATH (or in /usr/sbin, where Debian puts some)."""
    return [name for name in PACKAGES if shutil.which(name, path=SEARCH_PATH) is None]


def tool(name: str) -> str:
    found = shutil.which(name, path=SEARCH_PATH)
    if found is None:
        raise DaemonFailed(f"{name} is not installed (apt-get install {PACKAGES[name]})")
    return found


@dataclass
class Daemon:
    name: str
    command: list[str]
    port: int
    log_path: Path
    user: str | None = None  # run as this user (PgBouncer refuses root)
    process: subprocess.Popen[bytes] | None = None
    pids: list[int] = field(default_factory=list)

    def start(self, timeout: float = READY_TIMEOUT) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - the machine's tools, fixed arguments
                self.command,
                stdout=log,
                stderr=subprocess.STDOUT,
                user=self.user,
                start_new_session=True,
            )
        self.pids.append(self.process.pid)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                status = self.process.returncode
                raise DaemonFailed(f"{self.name} exited with {status}: {self.tail()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise DaemonFailed(f"{self.name} not listening on {self.port} in {timeout}s: {self.tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT)

    def tail(self, lines: int = 15) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@contextmanager
def running(daemon: Daemon) -> Iterator[Daemon]:
    """`daemon` started, and stopped afterwards whatever happens."""
    try:
        daemon.start()
        yield daemon
    finally:
        daemon.stop()


def redis_server(port: int, addresses: tuple[str, ...], work: Path) -> Daemon:
    """A Redis of the run's own that keeps nothing on disk (no snapshot, no append-only file)."""
    return Daemon(
        name="redis",
        command=[
            tool("redis-server"),
            "--port",
            str(port),
            "--bind",
            *addresses,
            "--save",
            "",
            "--appendonly",
            "no",
            "--protected-mode",
            "no",  # it listens only on loopback and the run's own bridge
            "--dir",
            str(work),
            "--daemonize",
            "no",
        ],
        port=port,
        log_path=work / "redis.log",
    )
