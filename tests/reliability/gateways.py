"""Gateway processes for reliability tests: `python -m app.cli serve` on a loopback port,
configured only through LPA_GATEWAY_* variables, killed or stopped by process id."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.reliability.cluster import Cluster, create_database, free_port

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0


def gateway_env(
    database_url: str, keys_dir: Path, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LPA_GATEWAY_")}
    env.update(
        {
            "LPA_GATEWAY_ENV": "development",
            "LPA_GATEWAY_DATABASE_URL": database_url,
            "LPA_GATEWAY_DEV_KEYS_DIR": str(keys_dir),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra or {})
    return env


def cli(env: Mapping[str, str], *args: str, timeout: float = 120.0) -> str:
    """Run `python -m app.cli ARGS` and return its stdout; raise with its stderr on failure."""
    done = subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"app.cli {args[0]} failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout


def mint_token(env: Mapping[str, str], client: str, sub: str) -> str:
    return cli(env, "token", "--client", client, "--sub", sub).strip()


@dataclass
class GatewayProcess:
    """One `serve` process on a fixed address and port; `start` again after a kill reuses
    them. `launcher` runs it somewhere else, e.g. `ip netns exec <namespace>`: it must exec
    the command, so that the process started is the gateway itself."""

    env: dict[str, str]
    port: int
    log_path: Path
    host: str = "127.0.0.1"
    launcher: tuple[str, ...] = ()
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    pids: list[int] = field(default_factory=list)
    log_offset: int = 0  # where this process's output begins in the log

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def spawn(self) -> None:
        self.log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
                [
                    *self.launcher,
                    sys.executable,
                    "-m",
                    "app.cli",
                    "serve",
                    "--host",
                    self.host,
                    "--port",
                    str(self.port),
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a ^C to the storm does not reach it; we stop it
            )
        self.starts += 1
        self.pids.append(self.process.pid)

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> float:
        """Seconds until /health/ready answered 200."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"gateway exited with {self.process.returncode}: {self.tail()}")
            try:
                if httpx.get(f"{self.url}/health/ready", timeout=1).status_code == 200:
                    return time.monotonic() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"gateway on port {self.port} not ready in {timeout}s: {self.tail()}")

    def start(self) -> float:
        self.spawn()
        return self.wait_ready()

    def kill9(self) -> None:
        """SIGKILL: no shutdown, no draining, connections cut mid-request."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=STOP_TIMEOUT)

    def terminate(self) -> int:
        """SIGTERM, then wait for the process to exit; its exit status."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=STOP_TIMEOUT)

    def terminate_gracefully(self) -> bool:
        """SIGTERM; True if it exited as uvicorn does after draining (status 0, or re-raised
        SIGTERM) and its log says the application shut down."""
        status = self.terminate()
        return status in (0, -signal.SIGTERM) and "Application shutdown complete" in self.output()

    def output(self) -> str:
        """What the current process has written so far."""
        if not self.log_path.exists():
            return ""
        with self.log_path.open("rb") as log:
            log.seek(self.log_offset)
            return log.read().decode(errors="replace")

    def stop(self) -> None:
        """Stop it whatever state it is in (used in cleanup)."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            self.terminate()
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT)

    def tail(self, lines: int = 20) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@asynccontextmanager
async def gateway_on(
    cluster: Cluster, work: Path, client: str, sub: str, extra_env: Mapping[str, str] | None = None
) -> AsyncIterator[tuple[GatewayProcess, str, str]]:
    """A fresh migrated database on `cluster` and one ready gateway serving it:
    (the gateway, a token for `client`, the database's asyncpg DSN). Stopped afterwards."""
    name = f"gw_{uuid.uuid4().hex[:12]}"
    url = await create_database(cluster, name)
    env = gateway_env(url, work / "dev-keys", extra_env)
    await asyncio.to_thread(cli, env, "migrate")
    token = await asyncio.to_thread(mint_token, env, client, sub)
    gateway = GatewayProcess(env=env, port=free_port(), log_path=work / "gateway.log")
    try:
        await asyncio.to_thread(gateway.start)
        yield gateway, token, cluster.dsn(name)
    finally:
        gateway.stop()
