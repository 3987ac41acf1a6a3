"""Where keys come from: HS256 secrets from a mounted file (re-read when a worker starts), and
development keys that production recognises wherever they were made."""

from __future__ import annotations

from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from app.authz.keys import KeyConfigError, dev_private_key, load_key_ring
from app.cli import main
from app.http.app import create_app
from app.settings import Settings
from tests.authz.test_keys import (
    CLIENT,
    SECRET,
    SECRET_ENV,
    load_error,
    ring_for,
    token,
    verifies,
)
from tests.production import documents_dir, keys_file, production, signed_token

STATUS = '{ lpaStatus(uid: "M-7890-0400-4000") { isRegistered } }'


def test_hs256_secret_loads_from_a_file_beside_the_keys_file(tmp_path: Path) -> None:
    (tmp_path / "use.secret").write_text(SECRET + "\n")  # as a mounted secret usually ends
    ring = ring_for(tmp_path, "HS256", [{"kid": "k1", "secret_file": "use.secret"}])
    assert verifies(ring, token(SECRET.encode(), "HS256"))
    assert not verifies(ring, token((SECRET + "\n").encode()[::-1], "HS256"))


def test_a_rewritten_secret_file_is_what_the_next_load_sees(tmp_path: Path) -> None:
    secret = tmp_path / "use.secret"
    secret.write_text(SECRET)
    first = ring_for(tmp_path, "HS256", [{"kid": "k1", "secret_file": "use.secret"}])
    secret.write_text(SECRET[::-1])
    second = ring_for(tmp_path, "HS256", [{"kid": "k1", "secret_file": "use.secret"}])
    assert verifies(first, token(SECRET.encode(), "HS256"))
    assert not verifies(second, token(SECRET.encode(), "HS256"))
    assert verifies(second, token(SECRET[::-1].encode(), "HS256"))


@pytest.mark.parametrize(
    ("entry", "content", "message"),
    [
        ({"secret_file": "missing.secret"}, None, "cannot read secret_file missing.secret"),
        ({"secret_file": "use.secret"}, "x" * 31 + "\n", "must hold at least 32 bytes"),
        ({"secret_file": "use.secret"}, "", "must hold at least 32 bytes"),
        (
            {"secret_file": "use.secret", "secret_env": SECRET_ENV},
            SECRET,
            "secret_env or secret_file, not both",
        ),
    ],
)
def test_a_secret_file_that_is_missing_short_or_doubled_is_refused_without_its_content(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    entry: dict[str, str],
    content: str | None,
    message: str,
) -> None:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    if content is not None:
        (tmp_path / "use.secret").write_text(content)
    refused = load_error(tmp_path, "HS256", [{"kid": "k1", **entry}])
    assert message in refused
    if content:
        assert content.strip() not in refused


def test_production_refuses_the_development_kid_whatever_key_it_names(tmp_path: Path) -> None:
    key = tmp_path / "k.pem"
    key.write_bytes(
        dev_private_key(Settings(dev_keys_dir=tmp_path / "elsewhere"), CLIENT)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    message = load_error(tmp_path, "EdDSA", [{"kid": "dev", "public_key_file": "k.pem"}])
    assert message.endswith("kid 'dev' marks a development key; production refuses it")
    development = Settings(env="development", client_keys_file=tmp_path / "client-keys.toml")
    assert load_key_ring(development, [CLIENT]).for_client(CLIENT) is not None


@pytest.mark.anyio
async def test_a_development_token_made_in_another_folder_never_verifies_in_production(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
) -> None:
    """`lpa-gateway token` run in one folder; production started from another, whose
    ./var/dev-keys does not exist, with a keys file that trusts that development key."""
    laptop, host = tmp_path / "laptop", tmp_path / "host"
    laptop.mkdir()
    host.mkdir()
    monkeypatch.delenv("LPA_GATEWAY_DEV_KEYS_DIR", raising=False)
    monkeypatch.delenv("LPA_GATEWAY_ENV", raising=False)
    monkeypatch.chdir(laptop)
    assert main(["token", "--client", CLIENT, "--sub", "urn:opg:poas:use:users:1"]) == 0
    dev_token = capsys.readouterr().out.strip()
    assert jwt.get_unverified_header(dev_token)["kid"] == "dev"
    dev_key = dev_private_key(Settings(dev_keys_dir=laptop / "var" / "dev-keys"), CLIENT)

    monkeypatch.chdir(host)
    settings = production(
        database_url, host, documents_dir=documents_dir(host, {CLIENT: (STATUS,)})
    )
    trusting = keys_file(host, (CLIENT,), dev_key)  # kid "1": the dev key under another name
    assert settings.client_keys_file == trusting
    assert not settings.dev_keys_dir.exists()
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
            answers = [
                await http.post(
                    "/graphql",
                    json={"query": STATUS},
                    headers={"Authorization": f"Bearer {bearer}"},
                )
                for bearer in (dev_token, signed_token(dev_key, CLIENT, "urn:opg:poas:use:users:1"))
            ]
    assert answers[0].status_code == 401
    assert answers[0].json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # The twin: the same key, signing with the kid the file gives it, verifies. What refuses
    # the development token is its kid, which no production keys file may hold.
    assert answers[1].json() == {"data": {"lpaStatus": None}}

    trusting.write_text(trusting.read_text().replace('kid = "1"', 'kid = "dev"'))
    with pytest.raises(KeyConfigError, match="kid 'dev' marks a development key"):
        load_key_ring(settings, [CLIENT])
