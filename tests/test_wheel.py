"""A host with nothing but the built wheel: installed into a fresh virtualenv outside the
checkout, it sets up the roles, migrates a fresh PostgreSQL database as the owner and serves
requests in production as the runtime role (docs/operations.md, "Installing on a host")."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.factories import CREATE_LPA, LPA_STATUS, SUBS, online_lpa
from tests.live_server import REPO, free_port
from tests.production import documents_dir, keys_file, signed_token
from tests.roles import Roles, operator_roles

pytestmark = pytest.mark.postgres_only

SOURCES = (
    "pyproject.toml",
    "setup.py",
    "MANIFEST.in",
    "README.md",
    "app",
    "migrations",
    "permissions",
    "schema",
)
BUNDLED = ("migrations/env.py", "permissions/opg.poas.use.toml", "schema/schema.graphql")
TOOLS = ("pytest", "ruff", "mypy", "hypothesis", "httpx")  # test and dev tools, never installed
USE, MAKEREGISTER = "opg.poas.use", "opg.poas.makeregister"


def run(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(  # noqa: S603  # pip, venv and the installed gateway, fixed argv
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{argv}: {done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from a copy of the sources, installed alone into a fresh virtualenv."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    for name in SOURCES:
        if (REPO / name).is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "_bundled")
            shutil.copytree(REPO / name, source / name, ignore=ignore)
        else:
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(REPO / name, source / name)
    pip = [sys.executable, "-m", "pip"]
    run([*pip, "wheel", "--quiet", "--no-deps", "--wheel-dir", str(work / "dist"), "."], source)
    (wheel,) = (work / "dist").glob("lpa_gateway-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"app/_bundled/{name}" for name in BUNDLED} <= names
    # A bare virtualenv; this run's pip installs into it (from its cache, or the registry).
    run([sys.executable, "-m", "venv", "--without-pip", str(work / "venv")], work)
    run(
        [*pip, "--python", str(work / "venv" / "bin" / "python"), "install", "--quiet", str(wheel)],
        work,
    )
    return work / "venv"


def host_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LPA_GATEWAY_", "PROMETHEUS_", "OTEL_")) and k != "PYTHONPATH"
    }
    return {**env, **{f"LPA_GATEWAY_{k}": v for k, v in extra.items()}}


def test_the_wheel_has_runtime_dependencies_only_and_runs_from_anywhere(
    venv: Path, tmp_path: Path
) -> None:
    python = str(venv / "bin" / "python")
    found = run([python, "-c", "import app; print(app.__file__)"], tmp_path, host_env())
    assert Path(found.strip()).is_relative_to(venv)
    probe = f"import importlib.util as u; print([t for t in {TOOLS!r} if u.find_spec(t)])"
    assert run([python, "-c", probe], tmp_path, host_env()).strip() == "[]"


def test_check_policy_reads_the_installed_policy_or_the_operators(
    venv: Path, tmp_path: Path
) -> None:
    gateway = str(venv / "bin" / "lpa-gateway")
    assert "policy covers the schema" in run([gateway, "check-policy"], tmp_path, host_env())
    own = tmp_path / "policy"
    shutil.copytree(REPO / "permissions", own)
    (own / "opg.poas.use.toml").write_text(
        (own / "opg.poas.use.toml").read_text().replace('"LpaStatus.lpaType",', '"LpaStatus.nope",')
    )
    refused = subprocess.run(  # noqa: S603  # the installed gateway
        [gateway, "check-policy"],
        cwd=tmp_path,
        env=host_env(POLICY_DIR=str(own)),
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 2
    assert "LpaStatus.nope" in refused.stdout


@pytest.fixture
def roles(venv: Path, empty_database_url: str, tmp_path: Path) -> Iterator[Roles]:
    gateway = str(venv / "bin" / "lpa-gateway")

    def cli(argv: list[str], database_url: str | None) -> str:
        env = host_env(**({"DATABASE_URL": database_url} if database_url else {}))
        return run([gateway, *argv], tmp_path, env)

    with operator_roles(empty_database_url, cli) as made:
        yield made


@contextmanager
def serving(venv: Path, cwd: Path, env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    log = cwd / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603  # the installed gateway
            [str(venv / "bin" / "lpa-gateway"), "serve", "--port", str(port)],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                try:
                    if httpx.get(f"{url}/health/ready", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)


def test_the_installed_gateway_migrates_as_the_owner_and_serves_as_the_runtime_role(
    venv: Path, roles: Roles, tmp_path: Path
) -> None:
    key = Ed25519PrivateKey.generate()
    env = host_env(
        ENV="production",
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=roles.runtime_url,
        CLIENT_KEYS_FILE=str(keys_file(tmp_path, (USE, MAKEREGISTER), key)),
        # Both services send trusted documents only: the operator registers theirs.
        DOCUMENTS_DIR=str(
            documents_dir(tmp_path, {MAKEREGISTER: (CREATE_LPA,), USE: (LPA_STATUS,)})
        ),
    )
    with serving(venv, tmp_path, env) as url:

        def call(client: str, query: str, variables: dict[str, object]) -> httpx.Response:
            bearer = signed_token(key, client, SUBS[client])
            return httpx.post(
                f"{url}/graphql",
                json={"query": query, "variables": variables},
                headers={"Authorization": f"Bearer {bearer}"},
                timeout=10,
            )

        created = call(MAKEREGISTER, CREATE_LPA, {"input": online_lpa(), "key": "wheel"}).json()
        assert created["data"]["createLpa"]["accepted"] is True, created
        uid = created["data"]["createLpa"]["uid"]
        assert call(USE, LPA_STATUS, {"uid": uid}).json() == {"data": {"lpaStatus": None}}
