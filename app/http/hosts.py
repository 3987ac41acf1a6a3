"""The hosts the gateway answers for: the defence against DNS rebinding.

A page on `evil.example` that makes its own name resolve to 127.0.0.1 gets the browser to send
requests to a gateway on the same machine, and to read the answers, with `Host: evil.example`.
The development GraphiQL page hands a token to whoever loads it, so the Host header decides.

Invariant: the gateway answers only a request whose Host names a host it is configured for:
loopback (`localhost`, `127.0.0.1`, `[::1]`, any port) in development, plus
LPA_GATEWAY_ALLOWED_HOSTS; in production only LPA_GATEWAY_ALLOWED_HOSTS (required there). A
name `*.example.org` allows the subdomains of example.org, never example.org itself. Anything
else, a missing Host included, is 400 `UNKNOWN_HOST` with nothing else in the body. /graphql
refuses such a request itself, with an audit row (app/http/graphql_endpoint.py); `HostGuard`
refuses it on every other route.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from app.graphql.errors import error_body
from app.settings import PREFIX, Settings, SettingsError

LOOPBACK = ("localhost", "127.0.0.1", "[::1]")
UNKNOWN_HOST_MESSAGE = "This gateway does not answer for that host."
_PORT = re.compile(r":[0-9]{1,5}")
log = logging.getLogger("lpa_gateway.request")


REMEMBERED = 256  # Host headers whose answer is kept; the caller chooses them, so bounded


class TrustedHosts:
    def __init__(self, names: Iterable[str]) -> None:
        names = [n.lower() for n in names]
        self._exact = frozenset(n for n in names if not n.startswith("*."))
        self._suffixes = tuple(n[1:] for n in names if n.startswith("*."))  # ".example.org"
        self._answers: dict[str | None, bool] = {}

    @classmethod
    def for_settings(cls, settings: Settings) -> TrustedHosts:
        """`SettingsError` in production without LPA_GATEWAY_ALLOWED_HOSTS."""
        if settings.is_production and not settings.allowed_hosts:
            raise SettingsError(f"{PREFIX}ALLOWED_HOSTS is required in production")
        loopback = () if settings.is_production else LOOPBACK
        return cls((*loopback, *settings.allowed_hosts))

    def allows(self, header: str | None) -> bool:
        """Whether the Host header names a configured host; the answer for each header value
        is kept (the last `REMEMBERED` of them), since clients send the same one each time."""
        answer = self._answers.get(header)
        if answer is None:
            if len(self._answers) >= REMEMBERED:
                self._answers.clear()
            answer = self._answers[header] = self._decide(header)
        return answer

    def _decide(self, header: str | None) -> bool:
        name = _host_name(header or "")
        if not name:
            return False
        return name in self._exact or any(
            name.endswith(suffix) and len(name) > len(suffix) for suffix in self._suffixes
        )


def _host_name(header: str) -> str:
    """The host of a Host header, lower-cased, without its port; "" if it is malformed."""
    header = header.lower()
    if header.startswith("["):  # an IPv6 literal: [::1] or [::1]:8000
        end = header.find("]") + 1
        name, port = header[:end], header[end:]
    else:
        name, colon, digits = header.partition(":")
        port = colon + digits
    return name if port == "" or _PORT.fullmatch(port) else ""


def unknown_host(request_id: str) -> JSONResponse:
    return JSONResponse(
        {"errors": [error_body(UNKNOWN_HOST_MESSAGE, "UNKNOWN_HOST")]},
        status_code=400,
        headers={"x-request-id": request_id},
    )


class HostGuard:
    """ASGI middleware: refuses a foreign Host on every route but `own_check`, which checks
    it itself."""

    def __init__(self, app: ASGIApp, hosts: TrustedHosts, own_check: str) -> None:
        self.app, self.hosts, self.own_check = app, hosts, own_check

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"] == self.own_check
            or self.hosts.allows(Headers(scope=scope).get("host"))
        ):
            await self.app(scope, receive, send)
            return
        request_id = secrets.token_hex(16)
        log.warning(
            "unknown host refused request_id=%s",
            request_id,
            extra={"request_id": request_id, "outcome": "denied", "status": 400},
        )
        await unknown_host(request_id)(scope, receive, send)
