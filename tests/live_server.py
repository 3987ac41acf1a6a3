"""A real gateway process (`python -m app.cli ...`, uvicorn on loopback) for tests that need
one: the browser test, and the tests that read what a real process writes to its logs."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
START_TIMEOUT_SECONDS = 30


@dataclass(frozen=True, slots=True)
class LiveServer:
    base_url: str
    log_file: Path

    def output(self) -> str:
        """Everything the process wrote to stdout and stderr so far."""
        return self.log_file.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_env(tmp_path: Path, extra: Mapping[str, str]) -> dict[str, str]:
    """The test run's environment without any gateway or Prometheus setting, plus `extra`;
    a database and development keys of this server's own unless `extra` names them."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("LPA_GATEWAY_", "PROMETHEUS_", "OTEL_"))
    }
    env["LPA_GATEWAY_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'gateway.sqlite3'}"
    env["LPA_GATEWAY_DEV_KEYS_DIR"] = str(tmp_path / "dev-keys")
    env.update(extra)
    return env


@contextmanager
def live_server(
    tmp_path: Path, command: tuple[str, ...] = ("dev",), env: Mapping[str, str] | None = None
) -> Iterator[LiveServer]:
    """Start `lpa-gateway <command> --host 127.0.0.1 --port <free>`; stop it afterwards."""
    port = free_port()
    server = LiveServer(f"http://127.0.0.1:{port}", tmp_path / f"server-{port}.log")
    argv = [sys.executable, "-m", "app.cli", *command, "--host", "127.0.0.1", "--port", str(port)]
    with server.log_file.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603  # our own command line
            argv,
            cwd=REPO,
            env=server_env(tmp_path, env or {}),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_live(server, process)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_live(server: LiveServer, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited early:\n{server.output()}")
        try:
            if (
                httpx.get(f"{server.base_url}/health/live", timeout=1, trust_env=False).status_code
                == 200
            ):
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server did not start in {START_TIMEOUT_SECONDS}s:\n{server.output()}")
