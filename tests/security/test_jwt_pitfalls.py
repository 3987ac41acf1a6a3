"""Bearer tokens over HTTP: every bad token is the same 401, answered before any GraphQL work.

Each bad request is compared with the answer to a request that carries no token at all: same
status, same headers, same bytes. A spy on the executor's `prepare` proves that no document
was parsed for any of them, and that one was for the good tokens.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from starlette.applications import Starlette

from app.authz.keys import dev_private_key, load_key_ring
from app.authz.tokens import (
    MAX_TOKEN_BYTES,
    Identity,
    Unauthenticated,
    bearer_token,
    mint_dev_token,
    verify,
)
from app.settings import Settings

pytestmark = pytest.mark.anyio

CLIENT = "opg.poas.use"
OTHER_CLIENT = "opg.poas.sirius"
SUB = "urn:opg:poas:use:users:22222222-2222-4222-8222-222222222222"
OTHER_SUB = "urn:opg:poas:use:users:44444444-4444-4444-8444-444444444444"
CLIENTS = ["opg.poas.makeregister", "opg.poas.use", "opg.poas.sirius", "developer"]
BODY = {"query": "{ __typename }"}

Headers = dict[str, str] | list[tuple[str, str]]  # a list repeats a header


# --- building tokens ---------------------------------------------------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def now() -> int:
    return int(datetime.now(UTC).timestamp())


class In:
    """A time this many seconds from when the token is made (not when the module is read)."""

    def __init__(self, seconds: int) -> None:
        self.seconds = seconds


def claims(settings: Settings, **changes: Any) -> dict[str, Any]:
    """Good claims for CLIENT; a change of None drops that claim, an `In` is a time."""
    issued = now()
    good: dict[str, Any] = {
        "iss": CLIENT,
        "sub": SUB,
        "iat": issued,
        "exp": issued + settings.token_max_lifetime_seconds,
    }
    good.update(changes)
    return {
        name: issued + value.seconds if isinstance(value, In) else value
        for name, value in good.items()
        if value is not None
    }


def signed(
    settings: Settings,
    payload: dict[str, Any],
    key: Ed25519PrivateKey | None = None,
    headers: dict[str, Any] | None = None,
) -> str:
    """EdDSA-signed with CLIENT's dev key unless another key is given; kid "dev" by default."""
    key = key or dev_private_key(settings, CLIENT)
    return jwt.encode(payload, key, algorithm="EdDSA", headers=headers or {"kid": "dev"})


def hand_signed(settings: Settings, payload: dict[str, Any]) -> str:
    """EdDSA with CLIENT's dev key, for payloads PyJWT will not encode."""
    signing_input = f"{segment({'alg': 'EdDSA', 'typ': 'JWT', 'kid': 'dev'})}.{segment(payload)}"
    signature = dev_private_key(settings, CLIENT).sign(signing_input.encode())
    return f"{signing_input}.{b64url(signature)}"


def bearer(token: str) -> Headers:
    return {"Authorization": f"Bearer {token}"}


def good_token(settings: Settings) -> str:
    return mint_dev_token(settings, CLIENT, SUB)


# --- the bad requests: each gives the headers to send ----------------------------------------


def alg_none(settings: Settings, alg: str = "none") -> Headers:
    header = {"alg": alg, "typ": "JWT", "kid": "dev"}
    return bearer(f"{segment(header)}.{segment(claims(settings))}.")


def hs256_with_public_key(settings: Settings, public_format: str = "pem") -> Headers:
    """Key confusion: HMAC over the client's own public key, as a careless verifier would."""
    public = dev_private_key(settings, CLIENT).public_key()
    if public_format == "pem":
        secret = public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    else:
        secret = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    signing_input = f"{segment({'alg': 'HS256', 'typ': 'JWT', 'kid': 'dev'})}."
    signing_input += segment(claims(settings))
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return bearer(f"{signing_input}.{b64url(mac)}")


def with_claims(**changes: Any) -> Callable[[Settings], Headers]:
    def make(settings: Settings) -> Headers:
        return bearer(signed(settings, claims(settings, **changes)))

    return make


def too_long_lifetime(settings: Settings) -> Headers:
    lifetime = settings.token_max_lifetime_seconds + 60
    return bearer(signed(settings, claims(settings, exp=In(lifetime))))


def iat_long_ago(settings: Settings) -> Headers:
    """Not expired, but issued so long ago that exp - iat is over the maximum lifetime."""
    long_ago = In(-2 * settings.token_max_lifetime_seconds)
    return bearer(signed(settings, claims(settings, iat=long_ago, exp=In(60))))


def unknown_issuer(settings: Settings) -> Headers:
    payload = claims(settings, iss="opg.poas.somebody-else")
    return bearer(signed(settings, payload, key=Ed25519PrivateKey.generate()))


def unknown_issuer_signed_with_a_real_key(settings: Settings) -> Headers:
    return bearer(signed(settings, claims(settings, iss="opg.poas.somebody-else")))


def another_clients_key(settings: Settings, kid: str | None = "dev") -> Headers:
    key = dev_private_key(settings, OTHER_CLIENT)
    headers = {"kid": kid} if kid is not None else {"typ": "JWT"}
    return bearer(signed(settings, claims(settings), key=key, headers=headers))


def unknown_kid(settings: Settings) -> Headers:
    return bearer(signed(settings, claims(settings), headers={"kid": "rotated-2"}))


def tampered(settings: Settings) -> Headers:
    header, _, signature = good_token(settings).split(".")
    forged = segment(claims(settings, sub=OTHER_SUB))
    return bearer(f"{header}.{forged}.{signature}")


def tampered_header(settings: Settings) -> Headers:
    _, payload, signature = good_token(settings).split(".")
    forged = segment({"alg": "EdDSA", "typ": "JWT", "kid": "dev", "x": 1})
    return bearer(f"{forged}.{payload}.{signature}")


def padded(settings: Settings, pad: int) -> str:
    return signed(settings, claims(settings, pad="x" * pad))


def longest_pad(settings: Settings, limit: int) -> int:
    """The longest padding claim that keeps a good token within `limit` characters."""
    low, high = 0, limit  # a token padded with `limit` characters is surely over the limit
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if len(padded(settings, middle)) <= limit else (low, middle)
    return low


def over_8_kib(settings: Settings) -> Headers:
    """Otherwise valid and correctly signed: only its size is wrong, by a byte or two."""
    token = padded(settings, longest_pad(settings, MAX_TOKEN_BYTES) + 1)
    assert MAX_TOKEN_BYTES < len(token) <= MAX_TOKEN_BYTES + 2
    return bearer(token)


def embedded_jwk(settings: Settings) -> Headers:
    attacker = Ed25519PrivateKey.generate()
    raw = attacker.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw)}
    headers = {"kid": "dev", "jwk": jwk}
    return bearer(signed(settings, claims(settings), key=attacker, headers=headers))


def raw_header(value: str) -> Callable[[Settings], Headers]:
    def make(settings: Settings) -> Headers:
        return {"Authorization": value}

    return make


def scheme(value: str) -> Callable[[Settings], Headers]:
    """A good token, under the wrong scheme."""

    def make(settings: Settings) -> Headers:
        return {"Authorization": value.format(token=good_token(settings))}

    return make


def basic(settings: Settings) -> Headers:
    return {"Authorization": "Basic " + base64.b64encode(b"opg.poas.use:password").decode()}


def both_headers_disagree(settings: Settings) -> Headers:
    """Two tokens that are each good on their own."""
    return {
        "Authorization": f"Bearer {good_token(settings)}",
        "X-Jwt-Authorization": f"Bearer {mint_dev_token(settings, CLIENT, OTHER_SUB)}",
    }


def both_headers_from_two_clients(settings: Settings) -> Headers:
    return {
        "Authorization": f"Bearer {good_token(settings)}",
        "X-Jwt-Authorization": f"Bearer {mint_dev_token(settings, OTHER_CLIENT, SUB)}",
    }


def good_and_malformed(settings: Settings) -> Headers:
    return {"Authorization": f"Bearer {good_token(settings)}", "X-Jwt-Authorization": "Bearer x"}


def good_and_empty(settings: Settings) -> Headers:
    return {"Authorization": f"Bearer {good_token(settings)}", "X-Jwt-Authorization": ""}


def both_headers_same_token(settings: Settings) -> Headers:
    """One credential per request: two header values are refused even when they agree."""
    token = good_token(settings)
    return {"Authorization": f"Bearer {token}", "X-Jwt-Authorization": f"Bearer {token}"}


def two_authorization_headers(first: str, second: str) -> Callable[[Settings], Headers]:
    """Two `Authorization` headers: today's first-wins would take `first`."""

    def make(settings: Settings) -> Headers:
        good = f"Bearer {good_token(settings)}"
        return [
            ("Authorization", good if first == "good" else first),
            ("Authorization", good if second == "good" else second),
        ]

    return make


def two_x_jwt_headers(settings: Settings) -> Headers:
    good = f"Bearer {good_token(settings)}"
    return [("X-Jwt-Authorization", good), ("X-Jwt-Authorization", good)]


def comma_joined(settings: Settings) -> Headers:
    """What a proxy makes of two headers: one value, two credentials."""
    token = good_token(settings)
    return {"Authorization": f"Bearer {token}, Bearer {token}"}


def bad_in_x_jwt_header(settings: Settings) -> Headers:
    token = signed(settings, claims(settings), key=dev_private_key(settings, OTHER_CLIENT))
    return {"X-Jwt-Authorization": f"Bearer {token}"}


BAD: dict[str, Callable[[Settings], Headers]] = {
    "alg-none": alg_none,
    "alg-None": lambda s: alg_none(s, "None"),
    "alg-NONE": lambda s: alg_none(s, "NONE"),
    "hs256-with-public-key-pem": hs256_with_public_key,
    "hs256-with-public-key-raw": lambda s: hs256_with_public_key(s, "raw"),
    "expired": with_claims(iat=In(-600), exp=In(-60)),
    "missing-exp": with_claims(exp=None),
    "missing-iat": with_claims(iat=None),
    "missing-sub": with_claims(sub=None),
    "missing-iss": with_claims(iss=None),
    "sub-not-a-urn": with_claims(sub="22222222-2222-4222-8222-222222222222"),
    "sub-email": with_claims(sub="someone@example.com"),
    "sub-urn-without-value": with_claims(sub="urn:opg:"),
    "sub-not-a-string": with_claims(sub=12345),
    "iss-not-a-string": lambda s: bearer(hand_signed(s, claims(s, iss=[CLIENT]))),
    "iat-not-a-number": with_claims(iat=str(now())),
    "exp-not-a-number": with_claims(exp=str(now() + 3600)),
    # RFC 7519 NumericDate is a JSON number; PyJWT alone takes these (see the pin below).
    "nbf-a-string": with_claims(nbf="0"),
    "nbf-true": with_claims(nbf=True),
    "iat-a-string-within-lifetime": lambda s: bearer(signed(s, claims(s) | {"iat": str(now())})),
    "exp-true": with_claims(exp=True),
    "nbf-nan": with_claims(nbf=float("nan")),
    "exp-infinity": with_claims(exp=float("inf")),
    "nbf-null": lambda s: bearer(hand_signed(s, claims(s) | {"nbf": None})),
    "iat-in-the-future": with_claims(iat=In(120), exp=In(180)),
    "nbf-in-the-future": with_claims(nbf=In(120)),
    "lifetime-over-maximum": too_long_lifetime,
    "issued-too-long-ago": iat_long_ago,
    "unknown-issuer": unknown_issuer,
    "unknown-issuer-real-key": unknown_issuer_signed_with_a_real_key,
    "another-clients-key": another_clients_key,
    "another-clients-key-no-kid": lambda s: another_clients_key(s, None),
    "unknown-kid": unknown_kid,
    "tampered-payload": tampered,
    "tampered-header": tampered_header,
    "malformed-abc": raw_header("Bearer abc"),
    "malformed-a.b": raw_header("Bearer a.b"),
    "malformed-a.b.c": raw_header("Bearer a.b.c"),
    "malformed-dots": raw_header("Bearer .."),
    "malformed-empty": raw_header("Bearer "),
    "malformed-json-segments": raw_header(f"Bearer {b64url(b'[]')}.{b64url(b'[]')}.sig"),
    "over-8-kib": over_8_kib,
    "embedded-jwk": embedded_jwk,
    "no-scheme": scheme("{token}"),
    "scheme-token": scheme("Token {token}"),
    "scheme-bearer-twice": scheme("Bearer Bearer {token}"),
    "scheme-basic": basic,
    "empty-authorization": raw_header(""),
    "both-headers-disagree": both_headers_disagree,
    "both-headers-same-token": both_headers_same_token,
    "two-authorization-headers-same-token": two_authorization_headers("good", "good"),
    "two-authorization-headers-good-first": two_authorization_headers("good", "Bearer x"),
    "two-authorization-headers-good-second": two_authorization_headers("Bearer x", "good"),
    "two-x-jwt-authorization-headers": two_x_jwt_headers,
    "comma-joined-credentials": comma_joined,
    "both-headers-two-clients": both_headers_from_two_clients,
    "good-and-malformed": good_and_malformed,
    "good-and-empty": good_and_empty,
    "bad-in-x-jwt-header": bad_in_x_jwt_header,
}


# --- fixtures -----------------------------------------------------------------------------


@pytest.fixture
def prepared(app: Starlette, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every document any executor is asked to parse during the test."""
    gateway = app.state.gateway
    # One shared executor, or one per client view: spy on every one there is.
    executors = [gateway.executor] if hasattr(gateway, "executor") else []
    executors += [view.executor for view in getattr(gateway, "views", {}).values()]
    assert executors
    calls: list[str] = []
    for executor in executors:
        monkeypatch.setattr(executor, "prepare", spying(executor.prepare, calls))
    return calls


def spying(prepare: Callable[[str], Any], calls: list[str]) -> Callable[[str], Any]:
    def spy(source: str) -> Any:
        calls.append(source)
        return prepare(source)

    return spy


async def post(http: httpx.AsyncClient, headers: Headers) -> httpx.Response:
    return await http.post("/graphql", json=BODY, headers=headers)


def answer(response: httpx.Response) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """What a caller learns: status, headers (but the per-request id) and body bytes."""
    headers = [(k, v) for k, v in response.headers.raw if k.lower() != b"x-request-id"]
    return response.status_code, headers, response.content


# --- tests --------------------------------------------------------------------------------


async def test_no_token_is_unauthenticated_without_parsing(
    http: httpx.AsyncClient, prepared: list[str]
) -> None:
    response = await post(http, {})
    assert response.status_code == 401
    assert response.json() == {
        "errors": [{"message": "Unauthenticated.", "extensions": {"code": "UNAUTHENTICATED"}}]
    }
    assert prepared == []


@pytest.mark.parametrize("make", BAD.values(), ids=BAD.keys())
async def test_bad_token_gets_the_same_401_as_no_token(
    http: httpx.AsyncClient,
    settings: Settings,
    prepared: list[str],
    make: Callable[[Settings], Headers],
) -> None:
    baseline = await post(http, {})
    response = await post(http, make(settings))
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert answer(response) == answer(baseline)
    assert prepared == []


async def test_bad_token_is_refused_before_the_body_is_looked_at(
    http: httpx.AsyncClient, settings: Settings, prepared: list[str]
) -> None:
    baseline = await post(http, {})
    for body in (b"not json", b"[]", b'{"query": "{ nonsense"}'):
        response = await http.post(
            "/graphql",
            content=body,
            headers={"Content-Type": "application/json", **unknown_kid(settings)},
        )
        assert answer(response) == answer(baseline)
    assert prepared == []


@pytest.mark.parametrize("client", CLIENTS)
async def test_good_token_in_authorization_works(
    http: httpx.AsyncClient, settings: Settings, prepared: list[str], client: str
) -> None:
    token = mint_dev_token(settings, client, SUB)
    response = await post(http, {"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"__typename": "Query"}}
    assert prepared == [BODY["query"]]


async def test_good_token_in_x_jwt_authorization_works(
    http: httpx.AsyncClient, settings: Settings, prepared: list[str]
) -> None:
    response = await post(http, {"X-Jwt-Authorization": f"Bearer {good_token(settings)}"})
    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"__typename": "Query"}}
    assert prepared == [BODY["query"]]


async def test_one_credential_header_value_works_alone(
    http: httpx.AsyncClient, settings: Settings, prepared: list[str]
) -> None:
    """The twin of the doubled headers above: each of those values alone is accepted."""
    token = good_token(settings)
    for name in ("Authorization", "X-Jwt-Authorization"):
        response = await post(http, [(name, f"Bearer {token}")])
        assert response.status_code == 200, response.text
    assert prepared == [BODY["query"]] * 2


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("nbf", "0"),
        ("nbf", True),
        ("iat", "@now"),
        ("exp", "@later"),
    ],
)
def test_pyjwt_alone_takes_numeric_dates_that_are_not_numbers(
    settings: Settings, claim: str, value: Any
) -> None:
    """Why app/authz/tokens.py checks the type of `exp`, `nbf` and `iat` itself: PyJWT runs
    `int()` on them, so a string of digits or a bool passes its checks. If this test fails,
    PyJWT has tightened, and the gateway's own check still stands."""
    value = {"@now": str(now()), "@later": str(now() + 600)}.get(value, value)
    token = signed(settings, claims(settings, **{claim: value}))
    decoded = jwt.decode(
        token,
        dev_private_key(settings, CLIENT).public_key(),
        algorithms=["EdDSA"],
        options={"require": ["iss", "sub", "iat", "exp"]},
    )
    assert decoded[claim] == value


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"nbf": In(-10)}, id="nbf-in-the-past"),
        pytest.param({"nbf": now() - 10.5}, id="nbf-not-a-whole-number"),
        pytest.param({"iat": In(3), "exp": In(63)}, id="iat-within-leeway"),
        pytest.param({"aud": "anything"}, id="aud-when-none-is-configured"),
        pytest.param({"sub": "URN:OPG:poas:use:users:x"}, id="urn-in-capitals"),
    ],
)
async def test_tokens_near_the_edges_are_accepted(
    http: httpx.AsyncClient, settings: Settings, prepared: list[str], changes: dict[str, Any]
) -> None:
    """The twins of the refusals above, so each refusal is down to the one thing it changes."""
    response = await post(http, bearer(signed(settings, claims(settings, **changes))))
    assert response.status_code == 200, response.text
    assert prepared == [BODY["query"]]


async def test_a_hand_built_good_token_is_accepted(
    http: httpx.AsyncClient, settings: Settings
) -> None:
    """The control for the hand-built refusals: building by hand is not what they catch."""
    response = await post(http, bearer(hand_signed(settings, claims(settings))))
    assert response.status_code == 200, response.text


async def test_a_token_just_under_the_size_limit_is_accepted(
    http: httpx.AsyncClient, settings: Settings
) -> None:
    token = padded(settings, longest_pad(settings, MAX_TOKEN_BYTES))
    assert MAX_TOKEN_BYTES - 2 <= len(token) <= MAX_TOKEN_BYTES
    response = await post(http, bearer(token))
    assert response.status_code == 200, response.text


# --- each size limit on its own, below HTTP -----------------------------------------------


def test_the_bearer_header_has_its_own_size_limit() -> None:
    assert bearer_token([f"Bearer {'a' * MAX_TOKEN_BYTES}"]) == "a" * MAX_TOKEN_BYTES
    with pytest.raises(Unauthenticated):
        bearer_token([f"Bearer {'a' * (MAX_TOKEN_BYTES + 1)}"])


@pytest.mark.parametrize("count", [0, 2, 3])
def test_exactly_one_credential_header_value(count: int) -> None:
    """At the limit (one value) the token is read; none, or one past it, is refused."""
    assert bearer_token(["Bearer abc"]) == "abc"
    with pytest.raises(Unauthenticated):
        bearer_token(["Bearer abc"] * count)


def test_verify_has_its_own_size_limit(settings: Settings) -> None:
    ring = load_key_ring(settings, [CLIENT])
    lifetime = timedelta(seconds=settings.token_max_lifetime_seconds)
    longest = longest_pad(settings, MAX_TOKEN_BYTES)
    assert verify(padded(settings, longest), ring, lifetime) == Identity(CLIENT, SUB)
    with pytest.raises(Unauthenticated):
        verify(padded(settings, longest + 1), ring, lifetime)
