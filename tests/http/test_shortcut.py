"""/graphql goes straight to its endpoint; every other request takes Starlette's whole way."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from app.http.shortcut import Endpoint, Shortcut

pytestmark = pytest.mark.anyio


async def endpoint(request: Request) -> Response:
    return PlainTextResponse(f"endpoint {request.method} {'endpoint' in request.scope}")


async def failing(_request: Request) -> Response:
    raise RuntimeError("an exception no one caught")


def tiny(target: Endpoint = endpoint) -> Starlette:
    route = Route("/graphql", endpoint, methods=["GET", "POST"])
    other = Route("/other", endpoint, methods=["POST"])
    shortcut = Middleware(
        Shortcut, path="/graphql", methods=frozenset(route.methods or ()), endpoint=target
    )
    return Starlette(routes=[route, other], middleware=[shortcut])


def client(app: Starlette) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://localhost")


async def test_the_path_with_a_method_of_its_route_skips_the_router() -> None:
    async with client(tiny()) as http:
        for method in ("GET", "POST", "HEAD"):
            answer = await http.request(method, "/graphql")
            assert answer.status_code == 200
            if method != "HEAD":  # the router would have set scope["endpoint"]
                assert answer.text == f"endpoint {method} False"


async def test_anything_else_takes_the_router() -> None:
    async with client(tiny()) as http:
        refused = await http.put("/graphql")
        assert (refused.status_code, refused.text) == (405, "Method Not Allowed")
        assert set(refused.headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}
        assert (await http.post("/other")).text == "endpoint POST True"


async def test_an_exception_that_escapes_is_still_a_500() -> None:
    async with client(tiny(failing)) as http:
        answer = await http.post("/graphql")
    assert (answer.status_code, answer.text) == (500, "Internal Server Error")


async def test_the_gateway_refuses_other_methods_as_before(http: httpx.AsyncClient) -> None:
    refused = await http.put("/graphql", content=b"{}")
    assert (refused.status_code, refused.text) == (405, "Method Not Allowed")
