"""Rotating an HS256 secret by `kill -HUP`, as docs/operations.md tells it: `lpa-gateway serve
--workers 2` in production, as the runtime role, with each secret in a mounted file.

A reload starts new workers, which read the keys file and the secret files again; the
environment stays the one the process started with, so a key that names a variable set only
afterwards cannot load, and uvicorn keeps the old workers serving."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import jwt
import pytest

from tests.factories import SUBS
from tests.live_server import free_port, server_env
from tests.roles import Roles

pytestmark = pytest.mark.postgres_only

SIRIUS = "opg.poas.sirius"
SECRETS = {"1": "first-secret-" + "a" * 24, "2": "second-secret-" + "b" * 24}
READ = '{ lpa(uid: "M-7890-0400-4000") { uid } }'
RESTARTED = "Finished server process"  # an old worker has stopped
ABORTED = "aborting the restart"
WORKERS = 2
METRICS_TOKEN = "m" * 32
AUDIENCE = "urn:opg:lpa-gateway"


def keys_toml(*entries: str) -> str:
    return (
        f'[clients."{SIRIUS}"]\nalgorithm = "HS256"\naudience = "{AUDIENCE}"\n'
        f"keys = [{', '.join(entries)}]\n"
    )


def from_file(kid: str) -> str:
    return f'{{ kid = "{kid}", secret_file = "sirius-{kid}.secret" }}'


def token(kid: str) -> str:
    now = int(time.time())
    claims = {"iss": SIRIUS, "sub": SUBS[SIRIUS], "aud": AUDIENCE, "iat": now, "exp": now + 300}
    return jwt.encode(claims, SECRETS[kid].encode(), algorithm="HS256", headers={"kid": kid})


class Served:
    def __init__(self, process: subprocess.Popen[bytes], url: str, log: Path) -> None:
        self.process, self.url, self.log = process, url, log

    def accepts(self, kid: str) -> bool:
        answer = httpx.post(
            f"{self.url}/graphql",
            json={"query": READ},
            headers={"Authorization": f"Bearer {token(kid)}"},
            timeout=10,
        )
        assert answer.status_code in (200, 401), answer.text
        if answer.status_code == 200:
            assert answer.json() == {"data": {"lpa": None}}
        return answer.status_code == 200

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def reload(self, done: Callable[[str], bool]) -> None:
        """kill -HUP, then wait until the log shows the reload `done`."""
        self.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 120
        while not done(self.output()):
            assert self.process.poll() is None, self.output()
            assert time.monotonic() < deadline, self.output()
            time.sleep(0.2)


@pytest.fixture
def served(roles: Roles, tmp_path: Path) -> Iterator[Served]:
    multiproc = tmp_path / "prometheus"
    multiproc.mkdir()
    (tmp_path / "sirius-1.secret").write_text(SECRETS["1"] + "\n")
    keys = tmp_path / "client-keys.toml"
    keys.write_text(keys_toml(from_file("1")))
    env = server_env(
        tmp_path,
        {
            "LPA_GATEWAY_ENV": "production",
            "LPA_GATEWAY_DATABASE_URL": roles.runtime_url,
            "LPA_GATEWAY_CLIENT_KEYS_FILE": str(keys),
            "LPA_GATEWAY_LOG_FORMAT": "text",
            "LPA_GATEWAY_ALLOWED_HOSTS": "127.0.0.1",
            # The rest of docs/operations.md's host settings.
            "LPA_GATEWAY_DB_POOL_SIZE": "5",
            "LPA_GATEWAY_METRICS_TOKEN": METRICS_TOKEN,
            "PROMETHEUS_MULTIPROC_DIR": str(multiproc),
        },
    )
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603  # our own command line
            [
                sys.executable,
                "-m",
                "app.cli",
                "serve",
                "--port",
                str(port),
                "--workers",
                str(WORKERS),
            ],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        served = Served(process, f"http://127.0.0.1:{port}", log)
        try:
            deadline = time.monotonic() + 60
            while served.output().count("Application startup complete") < WORKERS:
                assert process.poll() is None, served.output()
                assert time.monotonic() < deadline, served.output()
                time.sleep(0.2)
            yield served
        finally:
            process.terminate()
            process.wait(timeout=60)


def assert_host_answers_the_load_balancer_and_prometheus(served: Served) -> None:
    for path in ("/health/live", "/health/ready"):
        assert httpx.get(served.url + path, timeout=10).status_code == 200
    assert httpx.get(f"{served.url}/metrics", timeout=10).status_code == 401
    metrics = httpx.get(
        f"{served.url}/metrics",
        headers={"Authorization": f"Bearer {METRICS_TOKEN}"},
        timeout=10,
    )
    assert metrics.status_code == 200
    assert 'lpa_gateway_requests_total{client="opg.poas.sirius"' in metrics.text


def test_a_secret_file_rotates_by_reload_and_a_reload_that_cannot_load_keeps_the_old_keys(
    served: Served, tmp_path: Path
) -> None:
    keys = tmp_path / "client-keys.toml"
    assert served.accepts("1")
    assert not served.accepts("2")
    assert_host_answers_the_load_balancer_and_prometheus(served)

    # 1. The new secret beside the old one; reload.
    (tmp_path / "sirius-2.secret").write_text(SECRETS["2"])
    keys.write_text(keys_toml(from_file("1"), from_file("2")))
    served.reload(lambda log: log.count(RESTARTED) >= WORKERS)
    assert all(served.accepts("2") and served.accepts("1") for _ in range(6))

    # 4. The old one removed; reload.
    keys.write_text(keys_toml(from_file("2")))
    served.reload(lambda log: log.count(RESTARTED) >= 2 * WORKERS)
    assert not any(served.accepts("1") for _ in range(6))
    assert all(served.accepts("2") for _ in range(6))

    # A variable the process never had cannot be picked up: the new worker refuses to start,
    # uvicorn keeps the old ones, and they go on with the keys they have.
    assert "SIRIUS_SECRET_SET_TOO_LATE" not in os.environ
    keys.write_text(keys_toml('{ kid = "3", secret_env = "SIRIUS_SECRET_SET_TOO_LATE" }'))
    served.reload(lambda log: ABORTED in log)
    assert served.process.poll() is None
    assert all(served.accepts("2") for _ in range(6))
