"""The ceiling: the floor's answer to a read (`lpaStatus`, `validateLpa`,
`donorIdentityMatches`, `lpa`) with every per-request control of the gateway around it, and no
GraphQL at all.

What a gateway that keeps every control but spends nothing on GraphQL could do at best. The
answer is the floor's handler for the root field the trusted document names (bench/floor.py:
the same SQL on the same kind of asyncpg pool, the answer built the same way); around it runs
what POST /graphql runs for each request (app/http/graphql_endpoint.py), with the gateway's
own modules, built as the gateway builds them (`build_gateway`, production settings):

- `host`: the Host check (`TrustedHosts`, its answers kept per header value);
- `body`: the media type, the declared and the real body size limits, the body read from the
  ASGI messages, parsed by app/http/json_body.py, its shape checked (one operation);
- `token`: the bearer token, checked by the gateway's token cache, and the client's view;
- `rate`: the client's rate limiter (leases from the shared bucket in PostgreSQL);
- `document`: the trusted document looked up by id in the client's own manifest, and what
  the audit learns of it (its id, hash, operation name and root field), which names the
  floor's handler;
- `timeout`: the request timeout (`asyncio.timeout`) around the answer;
- `audit`: the audit row, queued to the real audit batch (its writer thread, its database),
  with the LPA UID where the gateway's resolver records one (an answer, or a match);
- `log`: the request log line, through the configured JSON logging;
- `metrics`: the request counter and latency histogram;
- `gc`: the collector as a production worker sets it after start-up (app/http/collector.py).

Every request also gets its trail (request id, clock), the tracing hook (off, as in the
bench), the `x-request-id` header, and an answer written by the gateway's JSON encoder.
Nothing of GraphQL runs: no parsing, no validation, no variable coercion, no execution.
`createLpa` is not answered: a write's row is written before its answer, on a path of its own.

`without` takes controls out by name (`python -m bench.inprocess --controls-without log`),
to measure what each costs; a control taken out costs at most a call that does nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable, Collection
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from app.authz.tokens import Identity, Unauthenticated
from app.graphql.client_view import ClientView
from app.graphql.errors import TIMEOUT_MESSAGE, RateLimited, Timeout, error_body
from app.http.collector import restore, settle_after_startup
from app.http.documents import Chosen, choose_document
from app.http.gateway import Gateway, build_gateway
from app.http.graphql_endpoint import (
    CUT_OFF_MESSAGE,
    MAX_BODY_BYTES,
    RATE_LIMITED_MESSAGE,
    UNAUTHENTICATED_BODY,
    _audit,
    _authenticate,
    _failed,
    _operation,
    _read_limited,
    _refuse,
    _unavailable,
)
from app.http.hosts import UNKNOWN_HOST_MESSAGE, HostGuard, TrustedHosts
from app.http.json_response import JSONResponse
from app.http.log_config import GRAPHQL_PATH
from app.http.metrics import Metrics
from app.http.request_headers import request_headers
from app.http.request_report import report
from app.http.shortcut import Shortcut
from app.http.tracing import NoTracing, start_tracing
from app.http.trail import Trail
from app.settings import Settings

from .floor import HANDLERS, Floor, floor_of
from .operations import OPERATIONS

CONTROLS = (
    "host", "body", "token", "rate", "document", "timeout", "audit", "log", "metrics", "gc",
)  # fmt: skip
Operation = tuple[dict[str, Any], dict[str, Any] | None, str | None]
READS = {op.name: HANDLERS[op.name] for op in OPERATIONS if op.reads}
log = logging.getLogger("lpa_gateway.request")


class _AnyHost:
    def allows(self, header: str | None) -> bool:
        return True


class _NoLimit:
    async def admit(self, client: str) -> int | None:
        return None


class _NoMetrics(Metrics):
    def request(self, *_: Any) -> None:
        return None


class _FirstCaller:
    """The token check taken out: the first request's view and identity, for every request."""

    def __init__(self) -> None:
        self.found: tuple[ClientView, Identity] | None = None

    def __call__(self, credentials: list[str], gateway: Gateway) -> tuple[ClientView, Identity]:
        if self.found is None:
            self.found = _authenticate(credentials, gateway)
        return self.found


class _FirstDocument:
    """The document lookup taken out: the first request's root field, for every request."""

    def __init__(self) -> None:
        self.root: str | None = None

    def __call__(
        self, payload: dict[str, Any], name: str | None, gateway: Gateway, who: Identity, _: Trail
    ) -> Response | str:
        if self.root is None:
            found = _trusted(payload, name, gateway, who, Trail())
            if isinstance(found, Response):
                return found
            self.root = found
        return self.root


async def _floor_body(request: Request) -> bytes | None:
    return await request.body()


def _floor_operation(body: bytes) -> Operation | str:
    payload = json.loads(body)
    return payload, payload.get("variables"), payload.get("operationName")


@dataclass(frozen=True, slots=True)
class Controls:
    """What one request runs, each control either the gateway's own or taken out."""

    gateway: Gateway
    floor: Floor
    hosts: TrustedHosts | _AnyHost
    body: bool
    authenticate: Callable[[list[str], Gateway], tuple[ClientView, Identity]]
    rates: Any  # the gateway's RateLimiter, or _NoLimit
    read: Callable[[Request], Any]
    parse: Callable[[bytes], Operation | str]
    trusted: Callable[[dict[str, Any], str | None, Gateway, Identity, Trail], Response | str]
    timeout: Callable[[float], contextlib.AbstractAsyncContextManager[Any]]
    audit: bool
    metrics: Metrics

    @classmethod
    def of(
        cls, gateway: Gateway, floor: Floor, metrics: Metrics, hosts: TrustedHosts, off: set[str]
    ) -> Controls:
        return cls(
            gateway=gateway,
            floor=floor,
            hosts=_AnyHost() if "host" in off else hosts,
            body="body" not in off,
            authenticate=_FirstCaller() if "token" in off else _authenticate,
            rates=_NoLimit() if "rate" in off else gateway.rates,
            read=_floor_body if "body" in off else _read_limited,
            parse=_floor_operation if "body" in off else _operation,
            trusted=_FirstDocument() if "document" in off else _trusted,
            timeout=(lambda _: contextlib.nullcontext()) if "timeout" in off else asyncio.timeout,
            audit="audit" not in off,
            metrics=_NoMetrics() if "metrics" in off else metrics,
        )


async def controls_endpoint(request: Request) -> Response:
    """POST /graphql's path, every control on, the floor's answer in place of GraphQL."""
    controls: Controls = request.app.state.controls
    trail = Trail()
    with request.app.state.tracing.request_span(request.headers) as span:
        try:
            response = await _answer(request, controls, trail)
        except Exception as error:
            response = _failed(trail, error)
        if controls.audit:
            try:
                await _audit(controls.gateway, trail)  # a read's row joins the batch
            except Exception:  # the app tells a backlog from a fault; both withhold the answer
                log.warning("audit failed; answer withheld request_id=%s", trail.request_id)
                response = _unavailable()
        response.headers["x-request-id"] = trail.request_id
        report(trail, response.status_code, controls.metrics, span)
    return response


async def _answer(request: Request, controls: Controls, trail: Trail) -> Response:
    headers = request_headers(request.scope["headers"])
    if not controls.hosts.allows(headers.host):
        return _refuse(trail, 400, UNKNOWN_HOST_MESSAGE, "UNKNOWN_HOST")
    if controls.body:
        refused = _refused_shape(request, headers.content_type, headers.content_length, trail)
        if refused is not None:
            return refused
    identity = await _admitted(controls, headers.credentials, trail)
    if not isinstance(identity, Identity):
        return identity
    try:
        body = await controls.read(request)
    except ClientDisconnect:
        trail.deny("client-disconnected")
        return JSONResponse({"errors": [error_body(CUT_OFF_MESSAGE, "BAD_USER_INPUT")]}, 400)
    if body is None:
        return _refuse(trail, 413, "Request body is too large.", "PAYLOAD_TOO_LARGE")
    operation = controls.parse(body)
    if isinstance(operation, str):
        return _refuse(trail, 400, operation, "BAD_USER_INPUT")
    payload, variables, name = operation
    root = controls.trusted(payload, name, controls.gateway, identity, trail)
    if isinstance(root, Response):
        return root
    return await _read(controls, trail, root, variables or {})


async def _admitted(
    controls: Controls, credentials: list[str], trail: Trail
) -> Identity | Response:
    """The bearer token (401), then the client's rate (429), as the gateway checks them."""
    try:
        trail.identity = who = controls.authenticate(credentials, controls.gateway)[1]
    except Unauthenticated:
        trail.deny("unauthenticated")
        return JSONResponse(UNAUTHENTICATED_BODY, status_code=401)
    wait = await controls.rates.admit(who.client)
    if wait is None:
        return who
    trail.deny("rate-limited")
    body = {"errors": [error_body(RATE_LIMITED_MESSAGE, RateLimited.code)]}
    return JSONResponse(body, 429, headers={"retry-after": str(wait)})


def _refused_shape(
    request: Request, content_type: str | None, length: str | None, trail: Trail
) -> Response | None:
    if request.method != "POST":
        return _refuse(trail, 405, "Use POST with a JSON body.", "METHOD_NOT_ALLOWED")
    if (content_type or "").split(";")[0].strip().lower() != "application/json":
        return _refuse(
            trail, 415, "Content-Type must be application/json.", "UNSUPPORTED_MEDIA_TYPE"
        )
    if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
        return _refuse(trail, 413, "Request body is too large.", "PAYLOAD_TOO_LARGE")
    return None


def _trusted(
    payload: dict[str, Any], name: str | None, gateway: Gateway, who: Identity, trail: Trail
) -> Response | str:
    """Only a document the client trusts, looked up by its id; no text is parsed. Its root
    field, or the refusal."""
    document = choose_document(payload, gateway.documents[who.client])
    if not isinstance(document, Chosen):
        trail.document_hash = document.hash
        return _refuse(trail, 400, document.message, document.code)
    trail.saw_document(document, name)
    if document.trusted is None:  # ad-hoc text would need GraphQL: not here
        return _refuse(trail, 400, "Trusted documents only.", "PERSISTED_QUERY_REQUIRED")
    trail.saw_valid_document(document.trusted.prepared.outline(name))
    return trail.root_field


async def _read(controls: Controls, trail: Trail, root: str, variables: dict[str, Any]) -> Response:
    """The floor's answer to the read `root` names, in the request timeout."""
    handler = READS.get(root)
    if handler is None:  # createLpa, or an operation the floor has no handler for
        return _refuse(trail, 400, f"The controls app does not answer {root}.", "BAD_USER_INPUT")
    try:
        async with controls.timeout(controls.gateway.settings.request_timeout_seconds):
            data = await handler(controls.floor, variables)
    except TimeoutError:
        trail.deny("timeout")
        return JSONResponse({"errors": [error_body(TIMEOUT_MESSAGE, Timeout.code)]}, 503)
    if data[root]:  # as the resolvers record it: an LPA found, or (donorIdentityMatches) a match
        trail.uids.add(variables["uid"])
    trail.allow()
    return JSONResponse({"data": data})


def create_app(settings: Settings, floor_dsn: str, without: Collection[str] = ()) -> Starlette:
    """The controls app on `GRAPHQL_PATH`, with the controls named in `without` taken out."""
    off = set(without)
    if unknown := off - set(CONTROLS):
        raise ValueError(f"no such control: {', '.join(sorted(unknown))}")
    metrics, hosts = Metrics(), TrustedHosts.for_settings(settings)
    if "log" in off:
        log.setLevel(logging.WARNING)  # the request line is INFO

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:  # undone in the reverse order
            gateway = build_gateway(settings)
            metrics.watch_pool(gateway.engine)
            await gateway.open()
            stack.push_async_callback(gateway.close)
            stack.callback(metrics.unwatch_pool, gateway.engine)
            floor = await stack.enter_async_context(floor_of(floor_dsn))
            app.state.tracing = start_tracing(settings, gateway.engine)
            stack.callback(app.state.tracing.close)
            app.state.controls = Controls.of(gateway, floor, metrics, hosts, off)
            if settings.is_production and "gc" not in off:
                stack.callback(restore, settle_after_startup())
            yield

    application = Starlette(
        routes=[],
        lifespan=lifespan,
        middleware=[
            Middleware(
                Shortcut,
                path=GRAPHQL_PATH,
                methods=frozenset({"POST"}),
                endpoint=controls_endpoint,
            ),
            Middleware(HostGuard, hosts=hosts, own_check=GRAPHQL_PATH),
        ],
    )
    application.state.tracing = NoTracing()
    return application
