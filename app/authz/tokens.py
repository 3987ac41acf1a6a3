"""Who is calling: verify a bearer token and name the client and the person acting.

Invariant: every failure is the same `Unauthenticated` with no detail, so a caller learns
nothing about why (which client exists, which key, which claim). The token is checked before
any GraphQL parsing happens.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from app.settings import Settings

from .keys import DEV_KID, KeyRing, dev_private_key

MAX_TOKEN_BYTES = 8192
REQUIRED_CLAIMS = ["iss", "sub", "iat", "exp"]
DATE_CLAIMS = ("exp", "nbf", "iat")
LEEWAY_SECONDS = 5  # clock skew between hosts
_URN = re.compile(r"urn:[a-z0-9][a-z0-9-]{0,31}:[\x21-\x7e]{1,200}", re.IGNORECASE)
_BEARER = re.compile(r"Bearer ([A-Za-z0-9_\-.=]+)")


class Unauthenticated(Exception):
    """The request carries no acceptable token. Deliberately without detail."""


@dataclass(frozen=True, slots=True)
class Identity:
    client: str
    sub: str


def bearer_token(values: Sequence[str]) -> str:
    """The token from the one credential header value of a request: `Authorization` or OPG's
    `X-Jwt-Authorization`. `values` are all of them, both headers, repeats included; anything
    but exactly one (two `Authorization` headers, both headers even when they agree, or a
    comma-joined value) is refused, so no two parts of the stack can pick different ones."""
    if len(values) != 1:
        raise Unauthenticated
    return _bearer(values[0])


def _bearer(header: str) -> str:
    if len(header) > MAX_TOKEN_BYTES + 7:
        raise Unauthenticated
    match = _BEARER.fullmatch(header)
    if match is None:
        raise Unauthenticated
    return match.group(1)


@dataclass(frozen=True, slots=True)
class Verified:
    """A token that passed every check, and the moments between which it stays acceptable
    (`valid_from <= now < valid_until`, leeway included): the checks that depend on the clock."""

    identity: Identity
    valid_from: float
    valid_until: float

    def acceptable_at(self, now: float) -> bool:
        return self.valid_from <= now < self.valid_until


def verify(token: str, ring: KeyRing, max_lifetime: timedelta) -> Identity:
    return verify_in_full(token, ring, max_lifetime).identity


def verify_in_full(token: str, ring: KeyRing, max_lifetime: timedelta) -> Verified:
    try:
        return _verify(token, ring, max_lifetime)
    except (jwt.PyJWTError, ValueError, TypeError, KeyError):
        raise Unauthenticated from None


def _verify(token: str, ring: KeyRing, max_lifetime: timedelta) -> Verified:
    if len(token) > MAX_TOKEN_BYTES:
        raise Unauthenticated
    header = jwt.get_unverified_header(token)
    claimed = jwt.decode(token, options={"verify_signature": False})
    _numeric_dates(claimed)
    client_id = claimed.get("iss")
    spec = ring.for_client(client_id) if isinstance(client_id, str) else None
    if spec is None or header.get("alg") != spec.algorithm:
        raise Unauthenticated
    kid = header.get("kid")
    candidates = [k for k in spec.keys if kid is None or k.kid == kid]
    if not candidates:
        raise Unauthenticated
    for candidate in candidates:
        try:
            claims = jwt.decode(
                token,
                candidate.key,
                algorithms=[spec.algorithm],
                issuer=client_id,
                audience=spec.audience,
                leeway=LEEWAY_SECONDS,
                options={"require": REQUIRED_CLAIMS, "verify_aud": spec.audience is not None},
            )
        except jwt.InvalidSignatureError:
            continue
        return _identity(claims, max_lifetime)
    raise Unauthenticated


def _numeric_dates(claims: dict[str, object]) -> None:
    """`exp`, `nbf` and `iat`, where present, are JSON numbers (RFC 7519 NumericDate).
    PyJWT takes anything `int()` takes: `"0"`, `true`. Checked before PyJWT sees them."""
    for name in DATE_CLAIMS:
        value = claims.get(name, 0)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise Unauthenticated
        if not math.isfinite(value):
            raise Unauthenticated


def _identity(claims: dict[str, object], max_lifetime: timedelta) -> Verified:
    iss, sub, iat, exp = (claims[name] for name in REQUIRED_CLAIMS)
    if not isinstance(iat, int | float) or not isinstance(exp, int | float):
        raise Unauthenticated
    now = datetime.now(UTC).timestamp()
    if iat > now + LEEWAY_SECONDS or exp - iat > max_lifetime.total_seconds():
        raise Unauthenticated
    if not isinstance(sub, str) or not _URN.fullmatch(sub) or not isinstance(iss, str):
        raise Unauthenticated
    nbf = claims.get("nbf", iat)
    starts = max(iat, nbf) if isinstance(nbf, int | float) else iat  # a number: checked above
    # PyJWT refuses exp <= now - leeway and nbf > now + leeway; iat > now + leeway is ours.
    return Verified(Identity(client=iss, sub=sub), starts - LEEWAY_SECONDS, exp + LEEWAY_SECONDS)


def mint_dev_token(settings: Settings, client_id: str, sub: str) -> str:
    """A development token for `client_id`, signed with its dev key (development only)."""
    if not _URN.fullmatch(sub):
        raise ValueError("sub must be a URN, e.g. urn:opg:poas:makeregister:users:<uuid>")
    key = dev_private_key(settings, client_id)
    now = datetime.now(UTC)
    claims = {
        "iss": client_id,
        "sub": sub,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=settings.token_max_lifetime_seconds)).timestamp()),
    }
    return jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": DEV_KID})
