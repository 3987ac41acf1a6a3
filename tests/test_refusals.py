"""Every documented refusal of `lpa-gateway`, one row each: one line on stderr, exit status 2,
nothing served. The rows follow the list in docs/operations.md ("Refusals")."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from app.authz.keys import dev_private_key
from app.cli import main
from app.settings import DEFAULT_POLICY_DIR, Settings
from tests.conftest import POSTGRES_ADMIN_URL, _pg_url, pg_admin
from tests.copies import drop_database
from tests.live_server import REPO, server_env
from tests.production import keys_file

CLOSED_PORT_URL = "postgresql+asyncpg://lpa_gateway@127.0.0.1:1/lpa"


@dataclass
class Place:
    """A folder of the operator's own, a migrated SQLite database, and what to clean up."""

    folder: Path
    templates: dict[str, str]
    monkeypatch: pytest.MonkeyPatch
    cleanups: list[Callable[[], None]] = field(default_factory=list)

    @property
    def sqlite_url(self) -> str:
        copy = self.folder / "gateway.sqlite3"
        if not copy.exists():
            shutil.copy(self.templates["sqlite"], copy)
        return f"sqlite+aiosqlite:///{copy}"

    def production(self, **env: str) -> dict[str, str]:
        if "CLIENT_KEYS_FILE" not in env:
            env["CLIENT_KEYS_FILE"] = str(keys_file(self.folder, ("opg.poas.use",)))
        return {
            "ENV": "production",
            "DATABASE_URL": self.sqlite_url,
            "ALLOWED_HOSTS": "localhost",
            **env,
        }

    def keys(self, text: str) -> str:
        """A keys file of `text`, beside a fresh client.pub.pem it may name."""
        keys_file(self.folder, ("opg.poas.use",))
        path = self.folder / "operator-keys.toml"
        path.write_text(text)
        return str(path)

    def bad_manifests(self) -> str:
        folder = self.folder / "documents"
        folder.mkdir()
        (folder / "opg.poas.use.json").write_text("{not json")
        return str(folder)

    def empty_folder(self) -> Path:
        folder = self.folder / "empty"
        folder.mkdir()
        return folder

    def policy_with(self, old: str, new: str) -> str:
        folder = self.folder / "permissions"
        shutil.copytree(DEFAULT_POLICY_DIR, folder)
        path = folder / "opg.poas.use.toml"
        path.write_text(path.read_text().replace(old, new))
        return str(folder)

    def pg_database(self, *, migrated: bool) -> str:
        name = f"lpa_gw_refusal_{uuid.uuid4().hex[:12]}"
        template = f' TEMPLATE "{self.templates["postgresql"]}"' if migrated else ""
        pg_admin(f'CREATE DATABASE "{name}"{template}')
        self.cleanups.append(lambda: pg_admin(drop_database(name)))
        return _pg_url(name)

    def pg_bare_role(self, database_url: str) -> str:
        role = f"lpa_bare_{uuid.uuid4().hex[:8]}"
        pg_admin(f'CREATE ROLE "{role}" LOGIN')
        self.cleanups.append(lambda: pg_admin(f'DROP ROLE IF EXISTS "{role}"'))
        return make_url(database_url).set(username=role).render_as_string(hide_password=False)


@dataclass(frozen=True)
class Refusal:
    argv: list[str]
    env: Callable[[Place], dict[str, str]]
    message: str
    postgres: bool = False


def _seeded(place: Place) -> dict[str, str]:
    place.monkeypatch.setenv("LPA_GATEWAY_DATABASE_URL", place.sqlite_url)
    assert main(["seed"]) == 0  # development, in the same database
    return place.production()


def _developer_keys(place: Place) -> dict[str, str]:
    env = place.production()
    path = Path(env["CLIENT_KEYS_FILE"])
    path.write_text(path.read_text().replace('"opg.poas.use"', '"developer"'))
    return env


def _dev_key(place: Place) -> dict[str, str]:
    dev_keys = place.folder / "dev-keys"
    key = dev_private_key(Settings(dev_keys_dir=dev_keys), "opg.poas.use")
    return place.production(
        CLIENT_KEYS_FILE=str(keys_file(place.folder, ("opg.poas.use",), key)),
        DEV_KEYS_DIR=str(dev_keys),
    )


def _without_otel(place: Place) -> dict[str, str]:
    place.monkeypatch.setitem(sys.modules, "app.http.otel", None)  # the extra not installed
    return place.production(OTEL="true")


def serving(message: str, **env: str) -> Refusal:
    """`serve` in production with `env` on top of a complete production setting."""
    return Refusal(["serve"], lambda p: p.production(**env), message)


HS256_FILE = '[clients."opg.poas.sirius"]\nalgorithm = "HS256"\naudience = "urn:opg:lpa-gateway"\n'
REFUSALS: dict[str, Refusal] = {
    # Settings, read before anything else.
    "unknown-environment": Refusal(
        ["serve"], lambda p: {"ENV": "staging"}, "LPA_GATEWAY_ENV must be"
    ),
    "production-without-database-url": Refusal(
        ["serve"],
        lambda p: {"ENV": "production"},
        "LPA_GATEWAY_DATABASE_URL is required in production",
    ),
    "malformed-database-url": serving(
        "LPA_GATEWAY_DATABASE_URL is not a database URL", DATABASE_URL="nonsense"
    ),
    "unsupported-database-driver": serving(
        "LPA_GATEWAY_DATABASE_URL must start with postgresql+asyncpg:// or sqlite+aiosqlite://",
        DATABASE_URL="postgresql://lpa@127.0.0.1/lpa",
    ),
    "production-without-allowed-hosts": serving(
        "LPA_GATEWAY_ALLOWED_HOSTS is required in production", ALLOWED_HOSTS=""
    ),
    "unsafe-idempotency-switch": serving(
        "LPA_GATEWAY_UNSAFE_DISABLE_IDEMPOTENCY is a test-only setting; production refuses it",
        UNSAFE_DISABLE_IDEMPOTENCY="true",
    ),
    "short-metrics-token": serving(
        "LPA_GATEWAY_METRICS_TOKEN must be at least 32 characters", METRICS_TOKEN="short"
    ),
    # Keys.
    "production-without-keys-file": Refusal(
        ["serve"],
        lambda p: {"ENV": "production", "DATABASE_URL": p.sqlite_url},
        "LPA_GATEWAY_CLIENT_KEYS_FILE is required in production",
    ),
    "development-key": Refusal(
        ["serve"], _dev_key, "clients.opg.poas.use: a development key is refused in production"
    ),
    "development-kid": Refusal(
        ["serve"],
        lambda p: p.production(
            CLIENT_KEYS_FILE=p.keys(
                '[clients."opg.poas.use"]\nalgorithm = "EdDSA"\naudience = "urn:opg:lpa-gateway"\n'
                'keys = [{ kid = "dev", public_key_file = "client.pub.pem" }]\n'
            )
        ),
        "clients.opg.poas.use: kid 'dev' marks a development key; production refuses it",
    ),
    "keys-without-an-audience": Refusal(
        ["serve"],
        lambda p: p.production(
            CLIENT_KEYS_FILE=p.keys(
                '[clients."opg.poas.use"]\nalgorithm = "EdDSA"\n'
                'keys = [{ kid = "1", public_key_file = "client.pub.pem" }]\n'
            )
        ),
        "production needs an audience for every client; none for opg.poas.use",
    ),
    "developer-client-without-switch": Refusal(
        ["serve"], _developer_keys, "do not exist in production: developer"
    ),
    "hs256-secret-file-missing": Refusal(
        ["serve"],
        lambda p: p.production(
            CLIENT_KEYS_FILE=p.keys(
                HS256_FILE + 'keys = [{ kid = "1", secret_file = "sirius.secret" }]\n'
            )
        ),
        "clients.opg.poas.sirius: cannot read secret_file sirius.secret",
    ),
    "hs256-secret-env-unset": Refusal(
        ["serve"],
        lambda p: p.production(
            CLIENT_KEYS_FILE=p.keys(
                HS256_FILE + 'keys = [{ kid = "1", secret_env = "LPA_TEST_UNSET_SECRET" }]\n'
            )
        ),
        "secret_env LPA_TEST_UNSET_SECRET must hold at least 32 bytes",
    ),
    # Policy.
    "policy-naming-an-unknown-field": Refusal(
        ["serve"],
        lambda p: p.production(
            POLICY_DIR=p.policy_with('"LpaStatus.lpaType",', '"LpaStatus.nope",')
        ),
        "the policy does not match the schema: opg.poas.use.toml",
    ),
    "malformed-trusted-documents": Refusal(
        ["serve"],
        lambda p: p.production(DOCUMENTS_DIR=p.bad_manifests()),
        "opg.poas.use.json: not valid JSON",
    ),
    "policy-folder-without-policy": Refusal(
        ["serve"],
        lambda p: p.production(POLICY_DIR=str(p.empty_folder())),
        "no client policy files in",
    ),
    "check-policy-finds-a-mismatch": Refusal(
        ["check-policy"],
        lambda p: {"POLICY_DIR": p.policy_with('"LpaStatus.lpaType",', '"LpaStatus.nope",')},
        "the policy does not match the schema",
    ),
    "tracing-without-the-extra": Refusal(
        ["serve"], _without_otel, "pip install 'lpa-gateway[otel]'"
    ),
    # Start-up, against the database.
    "database-unreachable": Refusal(
        ["serve"],
        lambda p: p.production(DATABASE_URL=CLOSED_PORT_URL),
        f"cannot reach the database at {CLOSED_PORT_URL}",
    ),
    "demo-data-in-production": Refusal(
        ["serve"], _seeded, "demo LPAs are present; production refuses demo data"
    ),
    "graphiql-without-introspection": serving(
        "LPA_GATEWAY_GRAPHIQL=true in production needs a client the policy grants introspection",
        GRAPHIQL="true",
    ),
    "role-without-privileges": Refusal(
        ["serve"],
        lambda p: p.production(DATABASE_URL=p.pg_bare_role(p.pg_database(migrated=True))),
        "lacks INSERT on table audit_events (and ",
        postgres=True,
    ),
    # migrate.
    "migrate-malformed-url": Refusal(
        ["migrate"],
        lambda p: {"DATABASE_URL": "postgresql+asyncpg://:x:y"},
        "is not a database URL",
    ),
    "migrate-unreachable": Refusal(
        ["migrate"], lambda p: {"DATABASE_URL": CLOSED_PORT_URL}, "cannot reach the database"
    ),
    "migrate-unknown-database": Refusal(
        ["migrate"],
        lambda p: {"DATABASE_URL": _pg_url(f"lpa_gw_never_made_{uuid.uuid4().hex[:8]}")},
        "does not exist",
        postgres=True,
    ),
    "migrate-unknown-role": Refusal(
        ["migrate"],
        lambda p: {
            "DATABASE_URL": make_url(_pg_url("postgres"))
            .set(username=f"lpa_nobody_{uuid.uuid4().hex[:8]}")
            .render_as_string(hide_password=False)
        },
        "refused the login",
        postgres=True,
    ),
    # Development-only commands, and bad arguments.
    "seed-in-production": Refusal(
        ["seed"], lambda p: p.production(), "'seed' is for development only"
    ),
    "token-in-production": Refusal(
        ["token", "--client", "opg.poas.use", "--sub", "urn:opg:x:1"],
        lambda p: p.production(),
        "'token' is for development only",
    ),
    "dev-in-production": Refusal(
        ["dev"], lambda p: p.production(), "'dev' is for development only"
    ),
    "token-for-an-unknown-client": Refusal(
        ["token", "--client", "opg.poas.nobody", "--sub", "urn:opg:x:1"],
        lambda p: {},
        "unknown client 'opg.poas.nobody'",
    ),
    "grants-with-a-bad-role-name": Refusal(
        ["grants", "--owner", "Robert'); DROP TABLE lpas;--", "--runtime", "lpa_gateway"],
        lambda p: {},
        "must be lower-case letters, digits and underscores",
    ),
    "grants-with-one-role-for-both": Refusal(
        ["grants", "--owner", "lpa", "--runtime", "lpa"],
        lambda p: {},
        "the owning role and the runtime role must differ",
    ),
}


@pytest.fixture
def place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, templates: dict[str, str]
) -> Iterator[Place]:
    for name in list(os.environ):
        if name.startswith("LPA_GATEWAY_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("LPA_GATEWAY_DEV_KEYS_DIR", str(tmp_path / "dev-keys"))
    monkeypatch.chdir(tmp_path)

    def must_not_serve(*_: Any, **__: Any) -> None:
        raise AssertionError("a refused command started serving")

    monkeypatch.setattr("uvicorn.run", must_not_serve)
    made = Place(tmp_path, templates, monkeypatch)
    yield made
    for cleanup in reversed(made.cleanups):
        cleanup()


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_each_documented_refusal_is_one_line_and_exit_2(
    name: str,
    place: Place,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    refusal = REFUSALS[name]
    if refusal.postgres and not POSTGRES_ADMIN_URL:
        pytest.skip("needs LPA_GATEWAY_TEST_POSTGRES_URL")
    for variable, value in refusal.env(place).items():
        monkeypatch.setenv(f"LPA_GATEWAY_{variable}", value)
    capsys.readouterr()  # what setting up printed

    assert main(refusal.argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith("error: "), err
    assert refusal.message in err


def test_the_table_is_the_documented_list() -> None:
    doc = (REPO / "docs" / "operations.md").read_text()
    section = doc.split("\n### Refusals\n", 1)[1].split("\n#", 1)[0]
    listed = {line.split("`")[1] for line in section.splitlines() if line.startswith("| `")}
    assert listed == set(REFUSALS)


def test_a_real_process_refuses_with_exit_status_2(tmp_path: Path) -> None:
    env = server_env(
        tmp_path,
        {
            "LPA_GATEWAY_ENV": "production",
            "LPA_GATEWAY_DATABASE_URL": CLOSED_PORT_URL,
            "LPA_GATEWAY_CLIENT_KEYS_FILE": str(keys_file(tmp_path, ("opg.poas.use",))),
            "LPA_GATEWAY_ALLOWED_HOSTS": "localhost",
        },
    )
    done = subprocess.run(  # our own command line
        [sys.executable, "-m", "app.cli", "serve", "--port", "1"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr == f"error: cannot reach the database at {CLOSED_PORT_URL}\n"
    assert done.stdout == ""
