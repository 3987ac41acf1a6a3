"""Client keys from configuration: loading, refusing unsafe keys, rotation and audience."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed448 import Ed448PrivateKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.authz.keys import KeyConfigError, KeyRing, dev_private_key, load_key_ring
from app.authz.tokens import Identity, Unauthenticated, verify
from app.settings import Settings

CLIENT = "opg.poas.use"
SUB = "urn:opg:poas:use:users:22222222-2222-4222-8222-222222222222"
SECRET = "s3cret-" + "x" * 25 + "-tail"  # 37 bytes
SECRET_ENV = "LPA_GATEWAY_TEST_USE_SECRET"
LIFETIME = timedelta(hours=1)
AUDIENCE = "urn:opg:lpa-gateway"  # production needs one for every client

PrivateKey = Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | Ed448PrivateKey


# --- helpers ------------------------------------------------------------------------------


def public_pem(key: PrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def private_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def pem_body(pem: bytes) -> list[str]:
    """The base64 lines of a PEM, the part that is key material."""
    return [line for line in pem.decode().splitlines() if line and not line.startswith("-----")]


def toml_value(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return str(value)


def keys_file(tmp_path: Path, clients: dict[str, dict[str, Any]]) -> Path:
    """A keys TOML file. A client's `keys` is a list of inline tables given as dicts; its
    `audience` is AUDIENCE unless given (None: no audience)."""
    lines = []
    for client, spec in clients.items():
        lines.append(f'[clients."{client}"]')
        for name, value in ({"audience": AUDIENCE} | spec).items():
            if value is None:
                continue
            if name == "keys":
                inline = [
                    "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in entry.items()) + " }"
                    for entry in value
                ]
                lines.append(f"keys = [{', '.join(inline)}]")
            else:
                lines.append(f"{name} = {toml_value(value)}")
        lines.append("")
    path = tmp_path / "client-keys.toml"
    path.write_text("\n".join(lines))
    return path


def write_public(tmp_path: Path, name: str, key: PrivateKey) -> str:
    (tmp_path / name).write_bytes(public_pem(key))
    return name


def production(tmp_path: Path, keys: Path | None) -> Settings:
    return Settings(
        env="production",
        database_url="postgresql+asyncpg://unused/none",
        dev_keys_dir=tmp_path / "dev-keys",
        client_keys_file=keys,
    )


def ring_for(
    tmp_path: Path,
    algorithm: str,
    keys: list[dict[str, Any]],
    **extra: Any,
) -> KeyRing:
    path = keys_file(tmp_path, {CLIENT: {"algorithm": algorithm, "keys": keys, **extra}})
    return load_key_ring(production(tmp_path, path), [CLIENT])


def load_error(tmp_path: Path, algorithm: str, keys: list[dict[str, Any]], **extra: Any) -> str:
    with pytest.raises(KeyConfigError) as refused:
        ring_for(tmp_path, algorithm, keys, **extra)
    return str(refused.value)


def claims(**changes: Any) -> dict[str, Any]:
    issued = int(datetime.now(UTC).timestamp())
    good: dict[str, Any] = {
        "iss": CLIENT,
        "sub": SUB,
        "aud": AUDIENCE,
        "iat": issued,
        "exp": issued + 600,
    }
    good.update(changes)
    return {name: value for name, value in good.items() if value is not None}


def token(key: Any, algorithm: str, kid: str | None = "k1", **changes: Any) -> str:
    headers = {"kid": kid} if kid is not None else None
    return jwt.encode(claims(**changes), key, algorithm=algorithm, headers=headers)


def verifies(ring: KeyRing, encoded: str) -> bool:
    try:
        identity = verify(encoded, ring, LIFETIME)
    except Unauthenticated:
        return False
    assert identity == Identity(client=CLIENT, sub=SUB)
    return True


# --- loading each algorithm --------------------------------------------------------------


def test_eddsa_key_loads_and_verifies(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    ring = ring_for(
        tmp_path, "EdDSA", [{"kid": "k1", "public_key_file": write_public(tmp_path, "k1.pem", key)}]
    )
    spec = ring.for_client(CLIENT)
    assert spec is not None
    assert (spec.algorithm, [k.kid for k in spec.keys], spec.audience) == (
        "EdDSA",
        ["k1"],
        AUDIENCE,
    )
    assert spec.keys[0].key.public_bytes_raw() == key.public_key().public_bytes_raw()
    assert verifies(ring, token(key, "EdDSA"))
    assert not verifies(ring, token(Ed25519PrivateKey.generate(), "EdDSA"))
    assert ring.for_client("opg.poas.sirius") is None


def test_es256_key_loads_and_verifies(tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    ring = ring_for(
        tmp_path, "ES256", [{"kid": "k1", "public_key_file": write_public(tmp_path, "k1.pem", key)}]
    )
    spec = ring.for_client(CLIENT)
    assert spec is not None
    assert spec.algorithm == "ES256"
    assert verifies(ring, token(key, "ES256"))
    assert not verifies(ring, token(ec.generate_private_key(ec.SECP256R1()), "ES256"))


def test_public_key_file_is_relative_to_the_keys_file(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    config = tmp_path / "config"
    config.mkdir()
    write_public(config, "k1.pem", key)
    path = keys_file(
        config,
        {CLIENT: {"algorithm": "EdDSA", "keys": [{"kid": "k1", "public_key_file": "k1.pem"}]}},
    )
    ring = load_key_ring(production(tmp_path, path), [CLIENT])
    assert verifies(ring, token(key, "EdDSA"))


def test_hs256_secret_loads_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    ring = ring_for(tmp_path, "HS256", [{"kid": "k1", "secret_env": SECRET_ENV}])
    spec = ring.for_client(CLIENT)
    assert spec is not None
    assert spec.algorithm == "HS256"
    assert spec.keys[0].key == SECRET.encode()
    assert verifies(ring, token(SECRET.encode(), "HS256"))
    assert not verifies(ring, token(SECRET.encode()[::-1], "HS256"))


def test_hs256_secret_of_exactly_32_bytes_is_enough(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_ENV, "é" * 16)  # 16 characters, 32 bytes
    ring = ring_for(tmp_path, "HS256", [{"kid": "k1", "secret_env": SECRET_ENV}])
    assert verifies(ring, token(("é" * 16).encode(), "HS256"))


@pytest.mark.parametrize(
    "secret",
    [SECRET[:31], "a" * 31, "é" * 15 + "a", ""],
    ids=["31-bytes", "31-ascii", "31-utf8", "empty"],
)
def test_hs256_secret_shorter_than_32_bytes_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, secret: str
) -> None:
    monkeypatch.setenv(SECRET_ENV, secret)
    message = load_error(tmp_path, "HS256", [{"kid": "k1", "secret_env": SECRET_ENV}])
    assert "32 bytes" in message
    if secret:
        assert secret not in message


def test_hs256_needs_a_secret_env_that_is_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    load_error(tmp_path, "HS256", [{"kid": "k1", "secret_env": SECRET_ENV}])
    load_error(tmp_path, "HS256", [{"kid": "k1"}])


def test_hs256_does_not_take_a_public_key_file_as_its_secret(tmp_path: Path) -> None:
    name = write_public(tmp_path, "k1.pem", Ed25519PrivateKey.generate())
    load_error(tmp_path, "HS256", [{"kid": "k1", "public_key_file": name}])


# --- refusing what configuration must not say --------------------------------------------


@pytest.mark.parametrize("algorithm", ["RS256", "HS512", "ES384", "none", "eddsa", "Ed25519", ""])
def test_unknown_algorithm_is_refused(tmp_path: Path, algorithm: str) -> None:
    name = write_public(tmp_path, "k1.pem", Ed25519PrivateKey.generate())
    message = load_error(tmp_path, algorithm, [{"kid": "k1", "public_key_file": name}])
    assert "algorithm" in message


def test_missing_algorithm_is_refused(tmp_path: Path) -> None:
    name = write_public(tmp_path, "k1.pem", Ed25519PrivateKey.generate())
    path = keys_file(tmp_path, {CLIENT: {"keys": [{"kid": "k1", "public_key_file": name}]}})
    with pytest.raises(KeyConfigError, match="algorithm"):
        load_key_ring(production(tmp_path, path), [CLIENT])


WRONG_TYPES: dict[str, tuple[str, Callable[[], PrivateKey]]] = {
    "es256-key-as-eddsa": ("EdDSA", lambda: ec.generate_private_key(ec.SECP256R1())),
    "ed448-key-as-eddsa": ("EdDSA", Ed448PrivateKey.generate),
    "rsa-key-as-eddsa": ("EdDSA", lambda: rsa.generate_private_key(65537, 2048)),
    "eddsa-key-as-es256": ("ES256", Ed25519PrivateKey.generate),
    "rsa-key-as-es256": ("ES256", lambda: rsa.generate_private_key(65537, 2048)),
    "p384-key-as-es256": ("ES256", lambda: ec.generate_private_key(ec.SECP384R1())),
    "secp256k1-key-as-es256": ("ES256", lambda: ec.generate_private_key(ec.SECP256K1())),
}


@pytest.mark.parametrize("case", WRONG_TYPES.values(), ids=WRONG_TYPES.keys())
def test_key_of_the_wrong_type_for_the_algorithm_is_refused(
    tmp_path: Path, case: tuple[str, Callable[[], PrivateKey]]
) -> None:
    algorithm, make = case
    key = make()
    name = write_public(tmp_path, "k1.pem", key)
    message = load_error(tmp_path, algorithm, [{"kid": "k1", "public_key_file": name}])
    assert f"not a {algorithm} public key" in message
    assert not any(line in message for line in pem_body(public_pem(key)))


def test_private_key_in_place_of_a_public_key_is_refused_without_showing_it(
    tmp_path: Path,
) -> None:
    key = Ed25519PrivateKey.generate()
    (tmp_path / "k1.pem").write_bytes(private_pem(key))
    message = load_error(tmp_path, "EdDSA", [{"kid": "k1", "public_key_file": "k1.pem"}])
    assert "BEGIN" not in message
    assert not any(line in message for line in pem_body(private_pem(key)))


@pytest.mark.parametrize(
    "keys",
    [
        [],
        [{"public_key_file": "k1.pem"}],
        [{"kid": 1, "public_key_file": "k1.pem"}],
        [{"kid": "k1"}],
        [{"kid": "k1", "public_key_file": "missing.pem"}],
    ],
    ids=["no-keys", "no-kid", "kid-not-a-string", "no-file", "file-missing"],
)
def test_incomplete_key_entries_are_refused(tmp_path: Path, keys: list[dict[str, Any]]) -> None:
    write_public(tmp_path, "k1.pem", Ed25519PrivateKey.generate())
    load_error(tmp_path, "EdDSA", keys)


def test_keys_file_without_clients_or_unreadable_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    with pytest.raises(KeyConfigError):
        load_key_ring(production(tmp_path, empty), [CLIENT])
    with pytest.raises(KeyConfigError):
        load_key_ring(production(tmp_path, tmp_path / "absent.toml"), [CLIENT])


def test_unparseable_keys_file_is_refused_without_quoting_it(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(f'[clients."{CLIENT}"]\nalgorithm = "HS256"\nsecret = {SECRET} oops\n')
    with pytest.raises(KeyConfigError) as refused:
        load_key_ring(production(tmp_path, path), [CLIENT])
    assert SECRET not in str(refused.value)


def test_production_without_a_keys_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KeyConfigError, match="CLIENT_KEYS_FILE"):
        load_key_ring(production(tmp_path, None), [CLIENT])


def test_production_refuses_to_make_or_use_development_keys(tmp_path: Path) -> None:
    settings = production(tmp_path, None)
    with pytest.raises(KeyConfigError):
        dev_private_key(settings, CLIENT)
    assert not settings.dev_keys_dir.exists()


def test_development_without_a_keys_file_uses_one_dev_key_per_client(tmp_path: Path) -> None:
    settings = Settings(env="development", dev_keys_dir=tmp_path / "dev-keys")
    ring = load_key_ring(settings, [CLIENT, "opg.poas.sirius"])
    assert sorted(ring.clients) == sorted([CLIENT, "opg.poas.sirius"])
    mine = dev_private_key(settings, CLIENT)
    assert verifies(ring, token(mine, "EdDSA", kid="dev"))
    theirs = dev_private_key(settings, "opg.poas.sirius")
    assert not verifies(ring, token(theirs, "EdDSA", kid="dev"))


def test_production_refuses_a_configured_key_that_is_a_development_key(tmp_path: Path) -> None:
    dev_settings = Settings(env="development", dev_keys_dir=tmp_path / "dev-keys")
    dev_key = dev_private_key(dev_settings, "opg.poas.sirius")  # another client's, even
    real = write_public(tmp_path, "real.pem", Ed25519PrivateKey.generate())
    leaked = write_public(tmp_path, "leaked.pem", dev_key)
    entries = [
        {"kid": "k1", "public_key_file": real},
        {"kid": "k2", "public_key_file": leaked},
    ]
    message = load_error(tmp_path, "EdDSA", entries)
    assert "development key" in message
    assert not any(line in message for line in pem_body(public_pem(dev_key)))
    assert not any(line in message for line in pem_body(private_pem(dev_key)))


def test_production_accepts_keys_that_are_not_development_keys(tmp_path: Path) -> None:
    dev_settings = Settings(env="development", dev_keys_dir=tmp_path / "dev-keys")
    dev_private_key(dev_settings, CLIENT)
    key = Ed25519PrivateKey.generate()
    ring = ring_for(
        tmp_path, "EdDSA", [{"kid": "k1", "public_key_file": write_public(tmp_path, "k1.pem", key)}]
    )
    assert verifies(ring, token(key, "EdDSA"))


# --- rotation and audience ------------------------------------------------------------------


def test_two_kids_for_one_client_both_verify_and_an_unknown_kid_fails(tmp_path: Path) -> None:
    old, new = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    entries = [
        {"kid": "2024-01", "public_key_file": write_public(tmp_path, "old.pem", old)},
        {"kid": "2024-07", "public_key_file": write_public(tmp_path, "new.pem", new)},
    ]
    ring = ring_for(tmp_path, "EdDSA", entries)
    assert verifies(ring, token(old, "EdDSA", kid="2024-01"))
    assert verifies(ring, token(new, "EdDSA", kid="2024-07"))
    assert not verifies(ring, token(old, "EdDSA", kid="2025-01"))
    assert not verifies(ring, token(new, "EdDSA", kid="2025-01"))
    # The kid names the key: the right signature under the other kid is refused.
    assert not verifies(ring, token(old, "EdDSA", kid="2024-07"))
    assert not verifies(ring, token(new, "EdDSA", kid="2024-01"))
    # Without a kid, each of the client's keys is tried in turn.
    assert verifies(ring, token(old, "EdDSA", kid=None))
    assert verifies(ring, token(new, "EdDSA", kid=None))
    assert not verifies(ring, token(Ed25519PrivateKey.generate(), "EdDSA", kid=None))


def test_rotation_with_es256(tmp_path: Path) -> None:
    old, new = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    entries = [
        {"kid": "a", "public_key_file": write_public(tmp_path, "a.pem", old)},
        {"kid": "b", "public_key_file": write_public(tmp_path, "b.pem", new)},
    ]
    ring = ring_for(tmp_path, "ES256", entries)
    assert verifies(ring, token(old, "ES256", kid="a"))
    assert verifies(ring, token(new, "ES256", kid="b"))
    assert not verifies(ring, token(new, "ES256", kid="c"))


def hs256_by_hand(secret: bytes, kid: str = "k1") -> str:
    """PyJWT refuses to use a PEM as an HMAC secret, so an attacker would build it by hand."""

    def segment(value: dict[str, Any]) -> str:
        return b64url(json.dumps(value).encode())

    signing_input = f"{segment({'alg': 'HS256', 'typ': 'JWT', 'kid': kid})}.{segment(claims())}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(mac)}"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_the_algorithm_is_pinned_per_client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An EdDSA client's public key is never an HMAC secret; an HS256 client takes no EdDSA."""
    key = Ed25519PrivateKey.generate()
    name = write_public(tmp_path, "k1.pem", key)
    ring = ring_for(tmp_path, "EdDSA", [{"kid": "k1", "public_key_file": name}])
    assert not verifies(ring, hs256_by_hand(public_pem(key)))
    raw = key.public_key().public_bytes_raw()
    assert not verifies(ring, hs256_by_hand(raw))

    monkeypatch.setenv(SECRET_ENV, SECRET)
    hs_ring = ring_for(tmp_path, "HS256", [{"kid": "k1", "secret_env": SECRET_ENV}])
    assert verifies(hs_ring, hs256_by_hand(SECRET.encode()))  # the control
    assert not verifies(hs_ring, token(key, "EdDSA"))


def test_audience_when_configured(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    name = write_public(tmp_path, "k1.pem", key)
    audience = "urn:opg:lpa-gateway"
    ring = ring_for(tmp_path, "EdDSA", [{"kid": "k1", "public_key_file": name}], audience=audience)
    spec = ring.for_client(CLIENT)
    assert spec is not None
    assert spec.audience == audience
    assert verifies(ring, token(key, "EdDSA", aud=audience))
    assert verifies(ring, token(key, "EdDSA", aud=["urn:opg:other", audience]))
    assert not verifies(ring, token(key, "EdDSA", aud=None))
    assert not verifies(ring, token(key, "EdDSA", aud="urn:opg:other"))
    assert not verifies(ring, token(key, "EdDSA", aud=audience.upper()))
    assert not verifies(ring, token(key, "EdDSA", aud=[]))


def test_audience_not_configured_is_not_checked_in_development(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    name = write_public(tmp_path, "k1.pem", key)
    spec = {"algorithm": "EdDSA", "keys": [{"kid": "k1", "public_key_file": name}]}
    path = keys_file(tmp_path, {CLIENT: spec | {"audience": None}})
    ring = load_key_ring(replace(production(tmp_path, path), env="development"), [CLIENT])
    assert verifies(ring, token(key, "EdDSA", aud=None))
    assert verifies(ring, token(key, "EdDSA", aud="urn:opg:anything"))


def test_production_refuses_a_client_without_an_audience(tmp_path: Path) -> None:
    name = write_public(tmp_path, "k1.pem", Ed25519PrivateKey.generate())
    other = {"algorithm": "EdDSA", "keys": [{"kid": "k1", "public_key_file": name}]}
    path = keys_file(tmp_path, {CLIENT: other | {"audience": None}, "opg.poas.sirius": other})
    with pytest.raises(KeyConfigError) as refused:
        load_key_ring(production(tmp_path, path), [CLIENT, "opg.poas.sirius"])
    message = str(refused.value)
    assert "audience" in message
    assert CLIENT in message
    assert "opg.poas.sirius" not in message  # it has one
    # The same file with an audience for both loads.
    path = keys_file(tmp_path, {CLIENT: other, "opg.poas.sirius": other})
    ring = load_key_ring(production(tmp_path, path), [CLIENT, "opg.poas.sirius"])
    assert {spec.audience for spec in ring.clients.values()} == {AUDIENCE}


def test_audience_must_be_a_string(tmp_path: Path) -> None:
    name = write_public(tmp_path, "k1.pem", Ed25519PrivateKey.generate())
    message = load_error(tmp_path, "EdDSA", [{"kid": "k1", "public_key_file": name}], audience=1)
    assert "audience" in message
    message = load_error(tmp_path, "EdDSA", [{"kid": "k1", "public_key_file": name}], audience="")
    assert "audience" in message


def test_processes_making_dev_keys_at_once_agree_on_one(tmp_path: Path) -> None:
    import multiprocessing

    from app.settings import Settings

    settings = Settings(dev_keys_dir=tmp_path / "race")
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        keys = pool.map(_public_key_of, [settings] * 8)
    assert len(set(keys)) == 1
    assert _public_key_of(settings) == keys[0]
    assert [p.name for p in (tmp_path / "race").iterdir()] == ["opg.poas.use.pem"]


def _public_key_of(settings: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    from app.authz.keys import dev_private_key

    return (
        dev_private_key(settings, "opg.poas.use")
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
