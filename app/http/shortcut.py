"""`/graphql` straight to its endpoint, past the router.

Every other route goes through Starlette's whole stack: the exception middleware, the
router, the route's own matching and its exception wrapper. The GraphQL endpoint needs none
of them: it checks the Host itself (app/http/hosts.py), catches every exception itself and
answers it as an `INTERNAL` error with its audit row, and reads nothing the router sets
(path parameters, the endpoint). So a request for exactly that path, with a method its route
takes, goes to it at once; anything else, another method included (Starlette's 405), takes the
usual way. Starlette's outermost middleware, which turns an exception that escapes into a
500, still wraps it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

Endpoint = Callable[[Request], Awaitable[Response]]


class Shortcut:
    """ASGI middleware: `path` with one of `methods` goes straight to `endpoint`."""

    def __init__(
        self, app: ASGIApp, path: str, methods: frozenset[str], endpoint: Endpoint
    ) -> None:
        self.app, self.path, self.methods, self.endpoint = app, path, methods, endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"] != self.path
            or scope["method"] not in self.methods
        ):
            await self.app(scope, receive, send)
            return
        response = await self.endpoint(Request(scope, receive, send))
        await response(scope, receive, send)
