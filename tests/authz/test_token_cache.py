"""A token is checked in full once, then recognised by its exact text while the clock allows."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.authz import token_cache
from app.authz.keys import ClientKey, ClientKeys, KeyRing
from app.authz.token_cache import TokenCache
from app.authz.tokens import LEEWAY_SECONDS, Identity, Unauthenticated

CLIENT = "opg.poas.use"
SUB = "urn:opg:poas:use:users:22222222-2222-4222-8222-222222222222"
KEY = Ed25519PrivateKey.generate()
RING = KeyRing({CLIENT: ClientKeys("EdDSA", (ClientKey("k1", KEY.public_key()),))})
LIFETIME = timedelta(hours=1)


def mint(key: Ed25519PrivateKey = KEY, **claims: Any) -> str:
    now = int(time.time())
    body = {"iss": CLIENT, "sub": SUB, "iat": now, "exp": now + 600, **claims}
    return jwt.encode(body, key, algorithm="EdDSA", headers={"kid": "k1"})


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def full_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every token the cache sent for a full check."""
    checked: list[str] = []
    real = token_cache.verify_in_full

    def counting(token: str, ring: KeyRing, max_lifetime: timedelta) -> Any:
        checked.append(token)
        return real(token, ring, max_lifetime)

    monkeypatch.setattr(token_cache, "verify_in_full", counting)
    return checked


def test_a_good_token_is_checked_in_full_once(full_checks: list[str]) -> None:
    cache = TokenCache(RING, LIFETIME)
    good = mint()
    assert cache.identity(good) == cache.identity(good) == Identity(CLIENT, SUB)
    assert full_checks == [good]


def test_a_token_one_byte_away_from_a_remembered_one_is_checked_in_full(
    full_checks: list[str],
) -> None:
    cache = TokenCache(RING, LIFETIME)
    good = mint()
    cache.identity(good)
    head, payload, signature = good.split(".")
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    forged = f"{head}.{payload}.{flipped}"
    other_key = mint(Ed25519PrivateKey.generate())  # the same claims, signed by a stranger
    for refused in (forged, other_key):
        with pytest.raises(Unauthenticated):
            cache.identity(refused)
    assert full_checks == [good, forged, other_key]
    assert len(cache) == 1  # failures are never remembered


def test_a_remembered_token_expires_with_its_claims() -> None:
    clock = Clock()
    cache = TokenCache(RING, LIFETIME, clock=clock)
    expires = int(clock.now) + 600
    good = mint(exp=expires)
    cache.identity(good)
    clock.now = expires + LEEWAY_SECONDS - 0.001  # PyJWT accepts until exp + leeway
    assert cache.identity(good) == Identity(CLIENT, SUB)
    clock.now = expires + LEEWAY_SECONDS  # ... and refuses from then on
    with pytest.raises(Unauthenticated):
        cache.identity(good)
    assert len(cache) == 0


def test_a_remembered_token_is_refused_before_it_may_be_used() -> None:
    clock = Clock()
    cache = TokenCache(RING, LIFETIME, clock=clock)
    starts = int(clock.now) + LEEWAY_SECONDS  # nbf at the edge PyJWT still accepts now
    good = mint(nbf=starts)
    cache.identity(good)
    clock.now = starts - LEEWAY_SECONDS
    assert cache.identity(good) == Identity(CLIENT, SUB)
    clock.now = starts - LEEWAY_SECONDS - 0.001
    with pytest.raises(Unauthenticated):
        cache.identity(good)


def test_the_memory_is_bounded_least_recently_used_first(full_checks: list[str]) -> None:
    cache = TokenCache(RING, LIFETIME, size=3)
    first, second, third, fourth = (mint(sub=f"{SUB[:-1]}{n}") for n in range(4))
    for token in (first, second, third):
        cache.identity(token)
    cache.identity(first)  # used again: `second` is now the least recent
    assert len(cache) == 3  # at the limit
    cache.identity(fourth)
    assert len(cache) == 3  # limit + 1 evicts one
    cache.identity(first)
    cache.identity(second)  # evicted, so checked in full again
    assert full_checks == [first, second, third, fourth, second]
