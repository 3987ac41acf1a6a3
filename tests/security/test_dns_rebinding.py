"""DNS rebinding: the gateway answers only for the hosts it is configured for.

A page on a foreign name that resolves to the gateway's address sends `Host: <foreign name>`;
it must get 400 and no token, on the GraphiQL page above all (in development it hands a token
to whoever loads it), and on every other route.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from app.http.app import create_app
from app.http.hosts import REMEMBERED, TrustedHosts
from app.settings import Settings, SettingsError
from tests.http.test_audit import rows
from tests.http.test_graphiql_page import preloaded_token
from tests.production import production

pytestmark = pytest.mark.anyio

HTML = {"Accept": "text/html"}
UNKNOWN_HOST = {
    "errors": [
        {
            "message": "This gateway does not answer for that host.",
            "extensions": {"code": "UNKNOWN_HOST"},
        }
    ]
}
LOOPBACK = ["localhost", "localhost:8000", "127.0.0.1", "127.0.0.1:8000", "[::1]", "[::1]:8000"]
FOREIGN = [
    "evil.example",
    "evil.example:8000",
    "localhost.evil.example",
    "127.0.0.1.evil.example",
    "evil-localhost",
    "127.0.0.2",
    "[::2]:8000",
    "localhost:8000:1",
    "localhost:http",
    "[::1]junk",
    "",
]
JWT_START = base64.urlsafe_b64encode(b'{"').decode()[:3]  # "eyJ": every JWT begins so


def no_token(text: str) -> bool:
    return JWT_START not in text


@pytest.mark.parametrize("host", LOOPBACK)
async def test_development_graphiql_answers_loopback_names(
    http: httpx.AsyncClient, host: str
) -> None:
    response = await http.get("/graphql", headers={**HTML, "Host": host})
    assert response.status_code == 200
    assert preloaded_token(response.text) is not None  # the twin: here the page carries one


@pytest.mark.parametrize("host", FOREIGN)
async def test_a_foreign_host_gets_400_and_no_token_on_the_graphiql_page(
    app: Starlette, http: httpx.AsyncClient, host: str
) -> None:
    response = await http.get("/graphql", headers={**HTML, "Host": host})
    assert response.status_code == 400
    assert response.json() == UNKNOWN_HOST
    assert no_token(response.text)
    [row] = await rows(app)
    assert (row["request_id"], row["reason"]) == (response.headers["x-request-id"], "unknown_host")


async def test_a_foreign_host_gets_400_on_every_route(
    http: httpx.AsyncClient, token: object
) -> None:
    foreign = {"Host": "evil.example"}
    bearer = {"Authorization": f"Bearer {token('opg.poas.sirius')}"}  # type: ignore[operator]
    for method, path, headers in [
        ("POST", "/graphql", bearer),
        ("GET", "/health/live", {}),
        ("GET", "/health/ready", {}),
        ("GET", "/metrics", {}),
        ("GET", "/static/graphiql/graphiql.min.js", {}),
        ("GET", "/no-such-route", {}),
    ]:
        body = {"json": {"query": "{ __typename }"}} if method == "POST" else {}
        refused = await http.request(method, path, headers={**headers, **foreign}, **body)  # type: ignore[arg-type]
        assert (refused.status_code, refused.json()) == (400, UNKNOWN_HOST), path
        assert len(refused.headers["x-request-id"]) == 32
        answered = await http.request(method, path, headers=headers, **body)  # type: ignore[arg-type]
        assert answered.status_code != 400, path


async def test_the_host_is_checked_before_the_token(http: httpx.AsyncClient) -> None:
    """A foreign host learns nothing else: not even that a token is missing."""
    response = await http.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Host": "evil.example"}
    )
    assert (response.status_code, response.json()) == (400, UNKNOWN_HOST)


@pytest.fixture
async def production_http(database_url: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = production(
        database_url,
        tmp_path,
        allowed_hosts=("gateway.opg.example", "*.internal.example"),
        graphiql=True,
        allow_developer_client=True,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
            yield http


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("gateway.opg.example", 200),
        ("GATEWAY.OPG.EXAMPLE:443", 200),
        ("lb.internal.example", 200),
        ("a.b.internal.example:8080", 200),
        ("internal.example", 400),  # `*.` allows subdomains only
        ("localhost", 400),  # no loopback in production unless listed
        ("127.0.0.1", 400),
        ("evil.example", 400),
        ("gateway.opg.example.evil.example", 400),
    ],
)
async def test_production_answers_only_for_allowed_hosts(
    production_http: httpx.AsyncClient, host: str, status: int
) -> None:
    response = await production_http.get("/health/live", headers={"Host": host})
    assert response.status_code == status
    page = await production_http.get("/graphql", headers={**HTML, "Host": host})
    assert page.status_code == status
    assert no_token(page.text)
    if status == 200:
        assert preloaded_token(page.text) is None  # production preloads none anyway


def test_production_requires_allowed_hosts(tmp_path: Path) -> None:
    settings = replace(production("sqlite+aiosqlite://", tmp_path), allowed_hosts=())
    with pytest.raises(SettingsError, match="ALLOWED_HOSTS is required in production"):
        TrustedHosts.for_settings(settings)
    with pytest.raises(SettingsError, match="ALLOWED_HOSTS is required in production"):
        create_app(settings)


def test_allowed_hosts_setting_is_a_comma_separated_list_without_a_bare_star() -> None:
    settings = Settings.from_env({"LPA_GATEWAY_ALLOWED_HOSTS": " Gateway.Example , *.lb.example,"})
    assert settings.allowed_hosts == ("gateway.example", "*.lb.example")
    with pytest.raises(SettingsError, match="ALLOWED_HOSTS"):
        Settings.from_env({"LPA_GATEWAY_ALLOWED_HOSTS": "gateway.example,*"})


def test_development_adds_allowed_hosts_to_loopback() -> None:
    hosts = TrustedHosts.for_settings(Settings(allowed_hosts=("dev.example",)))
    assert [hosts.allows(h) for h in ("localhost:1", "dev.example", "evil.example")] == [
        True,
        True,
        False,
    ]
    assert hosts.allows(None) is False


def test_remembered_answers_are_the_same_answers_and_bounded() -> None:
    hosts = TrustedHosts(["gateway.example"])
    for _ in range(2):  # the second time from memory
        assert [hosts.allows(h) for h in ("gateway.example:443", "evil.example", None)] == [
            True,
            False,
            False,
        ]
    for n in range(3 * REMEMBERED):  # a caller sending a new Host every time
        assert hosts.allows(f"evil{n}.example") is False
    assert len(hosts._answers) <= REMEMBERED
    assert hosts.allows("gateway.example:443") is True
