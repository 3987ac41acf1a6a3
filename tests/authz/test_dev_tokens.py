"""Development tokens: signed with the client's development key, named by its kid, for a
`sub` that is a URN; the token check accepts them as any client's token."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import jwt
import pytest

from app.authz.keys import DEV_KID, load_key_ring
from app.authz.tokens import Identity, mint_dev_token, verify
from app.settings import Settings

SUB = "urn:opg:poas:use:users:1"


def test_a_dev_token_names_its_key_and_passes_the_full_check(tmp_path: Path) -> None:
    settings = Settings(env="development", dev_keys_dir=tmp_path)
    token = mint_dev_token(settings, "opg.poas.use", SUB)
    assert jwt.get_unverified_header(token) == {"alg": "EdDSA", "kid": DEV_KID, "typ": "JWT"}
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == settings.token_max_lifetime_seconds
    ring = load_key_ring(settings, ["opg.poas.use"])
    lifetime = timedelta(seconds=settings.token_max_lifetime_seconds)
    assert verify(token, ring, lifetime) == Identity("opg.poas.use", SUB)


def test_a_dev_token_needs_a_urn(tmp_path: Path) -> None:
    settings = Settings(env="development", dev_keys_dir=tmp_path)
    with pytest.raises(
        ValueError, match=r"^sub must be a URN, e\.g\. urn:opg:poas:makeregister:users:<uuid>$"
    ):
        mint_dev_token(settings, "opg.poas.use", "alice")
