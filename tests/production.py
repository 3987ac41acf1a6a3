"""Production settings for tests: a client keys file with a fresh key, no development keys, and
trusted documents of the test's own."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.authz.manifests import document_hash, manifest_path, manifest_text
from app.settings import Settings

AUDIENCE = "urn:opg:lpa-gateway"  # production needs one for every client
# Test clients send `Host: localhost`; a live server is reached as 127.0.0.1.
ALLOWED_HOSTS = ("localhost", "127.0.0.1")


def keys_file(
    tmp_path: Path, clients: tuple[str, ...], key: Ed25519PrivateKey | None = None
) -> Path:
    """A client keys file trusting `key` (a fresh one by default) for each of `clients`."""
    public = (key or Ed25519PrivateKey.generate()).public_key()
    (tmp_path / "client.pub.pem").write_bytes(
        public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    path = tmp_path / "client-keys.toml"
    path.write_text(
        "".join(
            f'[clients."{client}"]\nalgorithm = "EdDSA"\naudience = "{AUDIENCE}"\n'
            'keys = [{ kid = "1", public_key_file = "client.pub.pem" }]\n'
            for client in clients
        )
    )
    return path


def documents_dir(tmp_path: Path, documents: dict[str, tuple[str, ...]]) -> Path:
    """A folder of manifests trusting, for each client, exactly these document texts."""
    folder = tmp_path / "documents"
    folder.mkdir(exist_ok=True)
    for client, texts in documents.items():
        manifest = manifest_text({document_hash(text): text for text in texts})
        manifest_path(folder, client).write_text(manifest)
    return folder


def production(database_url: str, tmp_path: Path, **overrides: Any) -> Settings:
    developer = ("developer",) if overrides.get("allow_developer_client") else ()
    return replace(
        Settings(
            env="production",
            database_url=database_url,
            client_keys_file=keys_file(tmp_path, ("opg.poas.use", *developer)),
            dev_keys_dir=tmp_path / "no-dev-keys",
            allowed_hosts=ALLOWED_HOSTS,
        ),
        **overrides,
    )


def signed_token(key: Ed25519PrivateKey, client: str, sub: str) -> str:
    """A token as the client's own service would sign it, for keys_file(..., key)."""
    now = int(time.time())
    claims = {"iss": client, "sub": sub, "aud": AUDIENCE, "iat": now, "exp": now + 300}
    return jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": "1"})
