"""Real gateway processes on loopback, for tests that need more than the in-process app."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from app.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def gateway(settings: Settings, **env: str) -> Iterator[str]:
    """`lpa-gateway serve` on a free loopback port, ready; stopped on the way out."""
    port = free_port()
    environment = {
        **os.environ,
        "LPA_GATEWAY_ENV": "development",
        "LPA_GATEWAY_DATABASE_URL": settings.database_url,
        "LPA_GATEWAY_DEV_KEYS_DIR": str(settings.dev_keys_dir),
        "LPA_GATEWAY_DATABASE_POOLER": settings.database_pooler,
        **env,
    }
    process = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/health/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        else:
            raise AssertionError("gateway did not become ready")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
