"""Verification keys, one set per client, with the algorithm pinned per client.

Invariant: a token is only ever checked with a key and an algorithm that configuration gave
for the client the token claims to come from. Nothing in a token (no `jwk`, `jku`, `x5u`, no
algorithm) chooses a key. HS256 is accepted only for a client configured with a shared
secret, so a public key can never be used as an HMAC secret.

Development keys live in `LPA_GATEWAY_DEV_KEYS_DIR` (default `./var/dev-keys`): one Ed25519
private key per client, made on first use, and every development token names the kid `dev`.
Production reads `LPA_GATEWAY_CLIENT_KEYS_FILE` and refuses a key with the kid `dev` wherever
it came from (so a development token, which names that kid, never verifies in production), and
any key that is also one of the development keys it can see.

Files named in the keys file (`public_key_file`, `secret_file`) resolve against the keys
file's folder. They are read when a worker starts, so a reload (`kill -HUP` with several
workers) picks up a changed keys file, key file or secret file; environment variables
(`secret_env`) keep the values the process started with.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from app.settings import Settings

ASYMMETRIC = {"EdDSA": Ed25519PublicKey, "ES256": EllipticCurvePublicKey}
DEV_KID = "dev"
MIN_SECRET_BYTES = 32


class KeyConfigError(ValueError):
    """Key configuration is missing or unsafe. The message never includes key material."""


@dataclass(frozen=True, slots=True)
class ClientKey:
    kid: str
    key: Any  # a public key object, or the shared secret (bytes) for HS256


@dataclass(frozen=True, slots=True)
class ClientKeys:
    algorithm: str
    keys: tuple[ClientKey, ...]
    audience: str | None = None


@dataclass(frozen=True, slots=True)
class KeyRing:
    clients: Mapping[str, ClientKeys]

    def for_client(self, client_id: str) -> ClientKeys | None:
        return self.clients.get(client_id)


def load_key_ring(settings: Settings, client_ids: Iterable[str]) -> KeyRing:
    if settings.client_keys_file is not None:
        ring = _from_file(settings.client_keys_file, os.environ)
        unknown = sorted(set(ring.clients) - set(client_ids))
        if unknown:
            raise KeyConfigError(
                f"{settings.client_keys_file}: keys for client(s) that do not exist in "
                f"{settings.env}: {', '.join(unknown)}"
            )
        if settings.is_production:
            _refuse_dev_kid(ring)
            _refuse_dev_keys(ring, settings.dev_keys_dir)
            _require_audiences(ring, settings.client_keys_file)
        return ring
    if settings.is_production:
        raise KeyConfigError("LPA_GATEWAY_CLIENT_KEYS_FILE is required in production")
    return KeyRing(
        {
            client: ClientKeys(
                "EdDSA", (ClientKey(DEV_KID, dev_private_key(settings, client).public_key()),)
            )
            for client in client_ids
        }
    )


def dev_private_key(settings: Settings, client_id: str) -> Ed25519PrivateKey:
    """The development signing key of a client, made on first use (development only)."""
    if settings.is_production:
        raise KeyConfigError("development keys are refused in production")
    path = settings.dev_keys_dir / f"{client_id}.pem"
    if not path.exists():
        settings.dev_keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        # Written aside and linked into place, so a process starting at the same moment
        # either finds no key or the whole key, never half of one, and the first one wins.
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyConfigError(f"{path} is not an Ed25519 private key")
    return key


def _from_file(path: Path, environ: Mapping[str, str]) -> KeyRing:
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise KeyConfigError(f"cannot read client keys file {path}: {error}") from None
    clients = data.get("clients")
    if not isinstance(clients, dict) or not clients:
        raise KeyConfigError(f'{path}: expected one or more [clients."<id>"] tables')
    return KeyRing(
        {client: _client_keys(path, client, spec, environ) for client, spec in clients.items()}
    )


def _client_keys(path: Path, client: str, spec: Any, environ: Mapping[str, str]) -> ClientKeys:
    where = f"{path}: clients.{client}"
    if not isinstance(spec, dict):
        raise KeyConfigError(f"{where} must be a table")
    algorithm = spec.get("algorithm")
    entries = spec.get("keys")
    if not isinstance(entries, list) or not entries:
        raise KeyConfigError(f"{where}.keys must list at least one key")
    keys = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str):
            raise KeyConfigError(f"{where}.keys: each key needs a kid")
        keys.append(ClientKey(entry["kid"], _key(where, algorithm, entry, path.parent, environ)))
    audience = spec.get("audience")
    if audience is not None and (not isinstance(audience, str) or not audience):
        raise KeyConfigError(f"{where}.audience must be a non-empty string")
    return ClientKeys(str(algorithm), tuple(keys), audience)


def _key(
    where: str, algorithm: Any, entry: dict[str, Any], base: Path, environ: Mapping[str, str]
) -> Any:
    if algorithm == "HS256":
        return _secret(where, entry, base, environ)
    expected = ASYMMETRIC.get(algorithm) if isinstance(algorithm, str) else None
    if expected is None:
        raise KeyConfigError(f"{where}.algorithm must be EdDSA, ES256 or HS256")
    file = entry.get("public_key_file")
    if not isinstance(file, str):
        raise KeyConfigError(f"{where}: {algorithm} keys need public_key_file")
    try:
        key = serialization.load_pem_public_key((base / file).read_bytes())
    except (OSError, ValueError):
        raise KeyConfigError(f"{where}: cannot load public key {file}") from None
    if not isinstance(key, expected) or (
        isinstance(key, EllipticCurvePublicKey) and not isinstance(key.curve, SECP256R1)
    ):
        raise KeyConfigError(f"{where}: {file} is not a {algorithm} public key")
    return key


def _require_audiences(ring: KeyRing, path: Path) -> None:
    """Production: a token minted for another service must never be accepted here."""
    missing = sorted(client for client, spec in ring.clients.items() if spec.audience is None)
    if missing:
        raise KeyConfigError(
            f"{path}: production needs an audience for every client; none for {', '.join(missing)}"
        )


def _secret(where: str, entry: dict[str, Any], base: Path, environ: Mapping[str, str]) -> bytes:
    """An HS256 secret from `secret_env` (a variable) or `secret_file` (a file, surrounding
    whitespace such as a final newline left out): exactly one of them."""
    name, file = entry.get("secret_env"), entry.get("secret_file")
    if (name is None) == (file is None):
        raise KeyConfigError(f"{where}: an HS256 key needs secret_env or secret_file, not both")
    if isinstance(file, str):
        try:
            secret = (base / file).read_bytes().strip()
        except OSError:
            raise KeyConfigError(f"{where}: cannot read secret_file {file}") from None
        source = f"secret_file {file}"
    else:
        secret = environ.get(name, "").encode() if isinstance(name, str) else b""
        source = f"secret_env {name}"
    if len(secret) < MIN_SECRET_BYTES:
        raise KeyConfigError(f"{where}: {source} must hold at least {MIN_SECRET_BYTES} bytes")
    return secret


def _refuse_dev_kid(ring: KeyRing) -> None:
    for client, spec in ring.clients.items():
        if any(key.kid == DEV_KID for key in spec.keys):
            raise KeyConfigError(
                f"clients.{client}: kid {DEV_KID!r} marks a development key; production refuses it"
            )


def _refuse_dev_keys(ring: KeyRing, dev_keys_dir: Path) -> None:
    dev = {_raw(k.public_key()) for k in _existing_dev_keys(dev_keys_dir)}
    for client, spec in ring.clients.items():
        for key in spec.keys:
            if not isinstance(key.key, bytes) and _raw(key.key) in dev:
                raise KeyConfigError(
                    f"clients.{client}: a development key is refused in production"
                )


def _existing_dev_keys(folder: Path) -> list[Ed25519PrivateKey]:
    found = []
    for pem in sorted(folder.glob("*.pem")) if folder.is_dir() else []:
        key = serialization.load_pem_private_key(pem.read_bytes(), password=None)
        if isinstance(key, Ed25519PrivateKey):
            found.append(key)
    return found


def _raw(public_key: Any) -> bytes:
    return bytes(
        public_key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
