"""`lpa-gateway` as a developer and an operator use it: clear output, clear refusals."""

from __future__ import annotations

import json
from pathlib import Path

import jwt
import pytest

from app.cli import main

pytestmark = pytest.mark.usefixtures("cli_env")


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    keys = tmp_path / "dev-keys"
    monkeypatch.setenv("LPA_GATEWAY_DEV_KEYS_DIR", str(keys))
    for name in ("ENV", "DATABASE_URL", "CLIENT_KEYS_FILE"):
        monkeypatch.delenv(f"LPA_GATEWAY_{name}", raising=False)
    return keys


def test_token_prints_only_a_signed_token(capsys: pytest.CaptureFixture[str]) -> None:
    sub = "urn:opg:poas:use:users:42"
    assert main(["token", "--client", "opg.poas.use", "--sub", sub]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    claims = jwt.decode(out.strip(), options={"verify_signature": False})
    assert (claims["iss"], claims["sub"]) == ("opg.poas.use", sub)
    assert jwt.get_unverified_header(out.strip())["alg"] == "EdDSA"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--client", "opg.poas.nobody", "--sub", "urn:opg:x:1"], "unknown client"),
        (["--client", "opg.poas.use", "--sub", "not a urn"], "sub must be a URN"),
    ],
)
def test_token_refuses_bad_input_in_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["token", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err
    assert captured.err.count("\n") == 1
    assert "Traceback" not in captured.err


def test_seed_is_idempotent_and_lists_every_kind_of_demo_lpa(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv("LPA_GATEWAY_DATABASE_URL", database_url)
    assert main(["seed", "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(["seed", "--json"]) == 0
    second = json.loads(capsys.readouterr().out)

    assert first == second
    assert {tuple(sorted(d)) for d in first} == {
        ("donorDateOfBirth", "donorPostcode", "lpaType", "status", "uid")
    }
    kinds = {(d["lpaType"], d["status"]) for d in first}
    for lpa_type in ("PROPERTY_AND_AFFAIRS", "PERSONAL_WELFARE"):
        for status in ("REGISTERED", "CANCELLED", "IN_PROGRESS"):
            assert (lpa_type, status) in kinds


@pytest.mark.parametrize(
    "command",
    [["seed", "--json"], ["token", "--client", "opg.poas.use", "--sub", "urn:opg:x:1"], ["dev"]],
)
def test_production_refuses_development_commands(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.setenv("LPA_GATEWAY_ENV", "production")
    monkeypatch.setenv("LPA_GATEWAY_DATABASE_URL", "sqlite+aiosqlite:///unused.sqlite3")
    assert main(command) == 2
    assert "development only" in capsys.readouterr().err


def test_production_serve_without_client_keys_refuses_in_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LPA_GATEWAY_ENV", "production")
    monkeypatch.setenv("LPA_GATEWAY_DATABASE_URL", "sqlite+aiosqlite:///unused.sqlite3")
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert "LPA_GATEWAY_CLIENT_KEYS_FILE is required in production" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ENV", "staging", "LPA_GATEWAY_ENV must be"),
        ("TOKEN_MAX_LIFETIME_SECONDS", "soon", "must be a whole number"),
        ("DB_POOL_SIZE", "0", "must be positive"),
    ],
)
def test_bad_settings_exit_2_naming_the_variable_not_the_value(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    value: str,
    message: str,
) -> None:
    monkeypatch.setenv(f"LPA_GATEWAY_{name}", value)
    assert main(["migrate"]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert value not in err.replace(message, "")


def test_production_requires_an_explicit_database_url(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LPA_GATEWAY_ENV", "production")
    assert main(["migrate"]) == 2
    assert "DATABASE_URL is required in production" in capsys.readouterr().err


def test_export_schema_writes_the_sdl(tmp_path: Path) -> None:
    assert main(["export-schema", "--out", str(tmp_path)]) == 0
    sdl = (tmp_path / "schema.graphql").read_text()
    assert "createLpa(input: CreateLpaInput!, idempotencyKey: String!): MutationResult!" in sdl
    assert "lpaStatus(uid: LpaUid!): LpaStatus" in sdl


def _keys_file(tmp_path: Path, audience: str | None) -> Path:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    public = Ed25519PrivateKey.generate().public_key()
    (tmp_path / "use.pem").write_bytes(
        public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    path = tmp_path / "client-keys.toml"
    line = f'audience = "{audience}"\n' if audience else ""
    path.write_text(
        f'[clients."opg.poas.use"]\nalgorithm = "EdDSA"\n{line}'
        'keys = [{ kid = "1", public_key_file = "use.pem" }]\n'
    )
    return path


@pytest.mark.parametrize(
    ("audience", "hosts", "message"),
    [
        (None, "gateway.example", "production needs an audience for every client"),
        ("urn:opg:lpa-gateway", None, "LPA_GATEWAY_ALLOWED_HOSTS is required in production"),
    ],
)
def test_production_serve_refuses_keys_without_audience_or_no_allowed_hosts_in_one_line(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    audience: str | None,
    hosts: str | None,
    message: str,
) -> None:
    monkeypatch.setenv("LPA_GATEWAY_ENV", "production")
    monkeypatch.setenv("LPA_GATEWAY_DATABASE_URL", "sqlite+aiosqlite:///unused.sqlite3")
    monkeypatch.setenv("LPA_GATEWAY_CLIENT_KEYS_FILE", str(_keys_file(tmp_path, audience)))
    if hosts:
        monkeypatch.setenv("LPA_GATEWAY_ALLOWED_HOSTS", hosts)
    else:
        monkeypatch.delenv("LPA_GATEWAY_ALLOWED_HOSTS", raising=False)
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
    assert "Traceback" not in err
