"""Client keys for the topology's hosts: a keys file (`LPA_GATEWAY_CLIENT_KEYS_FILE`) the run
rewrites to rotate a client's key, as docs/operations.md describes, and tokens signed as the
clients sign them, with the key's `kid` in the header."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

TOKEN_LIFETIME = timedelta(minutes=50)  # under the gateway's one-hour limit, longer than a run


@dataclass(frozen=True)
class SigningKey:
    client: str
    kid: str
    private: Ed25519PrivateKey
    public_file: str  # relative to the keys file's folder

    def token(self, sub: str) -> str:
        now = datetime.now(UTC)
        claims = {
            "iss": self.client,
            "sub": sub,
            "iat": int(now.timestamp()),
            "exp": int((now + TOKEN_LIFETIME).timestamp()),
        }
        return jwt.encode(claims, self.private, algorithm="EdDSA", headers={"kid": self.kid})


def new_key(folder: Path, client: str, kid: str) -> SigningKey:
    """A new Ed25519 key pair; the public half written beside the keys file."""
    private = Ed25519PrivateKey.generate()
    name = f"{client}-{kid}.pub.pem"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return SigningKey(client, kid, private, name)


def write_keys_file(path: Path, trusted: Mapping[str, Sequence[SigningKey]]) -> None:
    """The keys each client is trusted with, replacing the file in one step, so a host that
    starts meanwhile reads the old file or the new one, never half of one."""
    lines: list[str] = []
    for client, keys in trusted.items():
        entries = ", ".join(
            f'{{ kid = "{k.kid}", public_key_file = "{k.public_file}" }}' for k in keys
        )
        lines += [f'[clients."{client}"]', 'algorithm = "EdDSA"', f"keys = [{entries}]", ""]
    draft = path.with_name(f".{path.name}.draft")
    draft.write_text("\n".join(lines))
    os.replace(draft, path)
