"""Throwaway client keys for the gateway in production settings, and tokens signed with them.

A fresh Ed25519 key pair per client per run: the public halves go into the keys file the
gateway is told about (LPA_GATEWAY_CLIENT_KEYS_FILE), the private halves sign the tokens the
load generator sends. Nothing here is a development key, so production accepts them.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

CLIENTS = ("opg.poas.use", "opg.poas.makeregister", "opg.poas.sirius")
KID = "bench-1"
TOKEN_LIFETIME_SECONDS = 3000  # under the gateway's default ceiling of 3600
AUDIENCE = "urn:opg:lpa-gateway:bench"  # production needs one for every client


class ClientKeys:
    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._private: dict[str, Ed25519PrivateKey] = {}
        lines = []
        for client in CLIENTS:
            key = Ed25519PrivateKey.generate()
            self._private[client] = key
            public = folder / f"{client}.pub.pem"
            public.write_bytes(
                key.public_key().public_bytes(
                    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
                )
            )
            lines += [
                f'[clients."{client}"]',
                'algorithm = "EdDSA"',
                f'audience = "{AUDIENCE}"',
                f'keys = [{{ kid = "{KID}", public_key_file = "{public.name}" }}]',
                "",
            ]
        self.file = folder / "client-keys.toml"
        self.file.write_text("\n".join(lines))

    def token(self, client: str) -> str:
        service = client.rsplit(".", 1)[-1]
        now = int(time.time())
        claims = {
            "iss": client,
            "sub": f"urn:opg:poas:{service}:users:{uuid.uuid4()}",
            "aud": AUDIENCE,
            "iat": now,
            "exp": now + TOKEN_LIFETIME_SECONDS,
        }
        return jwt.encode(claims, self._private[client], algorithm="EdDSA", headers={"kid": KID})
