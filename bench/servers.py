"""Start and stop the servers under test, and read what they cost from /proc."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields from the 3rd on (state, ppid, ...)


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields is not None and int(fields[1]) == pid:
                found.append(int(entry))
    return found


def cpu_by_pid(pids: list[int]) -> dict[int, float]:
    found = {}
    for pid in pids:
        fields = _stat(pid)
        if fields is not None:
            found[pid] = (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime
    return found


def cpu_seconds(pids: list[int]) -> float:
    return sum(cpu_by_pid(pids).values())


def cpu_since(before: dict[int, float], pids: list[int]) -> float:
    """CPU used since `before` by these processes; ones that started since count whole, ones
    that ended since are lost (PostgreSQL backends of closed connections)."""
    return sum(now - before.get(pid, 0.0) for pid, now in cpu_by_pid(pids).items())


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def machine_busy_seconds() -> float:
    """CPU seconds spent on anything but idle, all CPUs together, since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / TICKS


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def workers(self) -> list[int]:
        """The processes that serve requests: the uvicorn workers, or the server itself."""
        spawned = [
            pid
            for pid in children(self.process.pid)
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]
        return spawned or [self.process.pid]

    @property
    def all_pids(self) -> list[int]:
        return [self.process.pid, *children(self.process.pid)]

    def cpu(self) -> float:
        return cpu_seconds(self.all_pids)

    def peak_rss_mb(self) -> float:
        return max(peak_rss_mb(pid) for pid in self.workers)

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def keep_log(self, folder: Path) -> None:
        """Everything but the access log lines of good answers, for a look afterwards."""
        kept = [
            line
            for line in self.log.read_text(errors="replace").splitlines()
            if '" 200' not in line
        ]
        (folder / self.log.name).write_text("\n".join(kept[-2000:]) + "\n")


def _ready(port: int, path: str) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as answer:
            return bool(answer.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@contextmanager
def serving(
    name: str,
    argv: list[str],
    env: Mapping[str, str],
    port: int,
    workers: int,
    log: Path,
    keep: Path | None = None,
) -> Iterator[Server]:
    handle = log.open("wb")
    process = subprocess.Popen(
        argv, env=dict(env), stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
    )
    server = Server(name, process, port, log)
    try:
        deadline = time.monotonic() + 60
        while not _ready(port, "/health/ready"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start:\n{server.tail()}")
            time.sleep(0.2)
        while len(server.workers) < workers and time.monotonic() < deadline:
            time.sleep(0.2)
        yield server
    finally:
        _stop(process)
        handle.close()
        if keep is not None:
            server.keep_log(keep)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (uvicorn drains and runs its shutdown), then SIGKILL to the group we started."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=15)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # leftovers of this server's own group only
    process.wait(timeout=15)
