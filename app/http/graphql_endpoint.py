"""POST /graphql: the only way in.

Order of checks, cheapest and least revealing first: the Host header, method and media type,
declared body size, the bearer token (401 before any GraphQL parsing), the client's request
rate (429), the real body size, the JSON itself and its shape (one operation, no batching),
then the document against the caller's own schema view.

Invariant: every request, however it ends, leaves one audit row, one log line and an
`x-request-id` header; an unexpected exception at any stage answers the masked `INTERNAL`
body. A mutation's row is written before its answer goes, and if it cannot be, the answer is
withheld; the others are written in batches within a second (app/db/audit_batch.py), and
answers wait, and then are withheld, while they fall behind.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from app.authz.tokens import Identity, Unauthenticated, bearer_token
from app.db.audit import record
from app.db.audit_batch import AuditBacklog
from app.db.availability import database_unavailable
from app.db.repository import CallerRepository
from app.graphql.client_view import ClientView
from app.graphql.context import RequestContext
from app.graphql.errors import (
    INTERNAL_MESSAGE,
    TIMEOUT_MESSAGE,
    UNAVAILABLE_MESSAGE,
    Forbidden,
    RateLimited,
    Timeout,
    error_body,
    format_execution_error,
    format_request_error,
)
from app.graphql.plans.choose import execute_plan, plan_for

from .documents import Chosen, choose_document
from .gateway import Gateway
from .graphiql_page import graphiql_response
from .hosts import UNKNOWN_HOST_MESSAGE
from .json_body import NotAcceptableJson
from .json_body import parse as parse_json
from .json_response import JSONResponse
from .request_headers import request_headers
from .request_report import report
from .trail import Trail

MAX_BODY_BYTES = 64 * 1024
UNAUTHENTICATED_BODY = {"errors": [error_body("Unauthenticated.", "UNAUTHENTICATED")]}
RATE_LIMITED_MESSAGE = "Too many requests from this client; retry after the Retry-After seconds."
log = logging.getLogger("lpa_gateway.request")


async def graphql_endpoint(request: Request) -> Response:
    gateway: Gateway = request.app.state.gateway
    if request.method == "GET" and _known_host(request):
        page = graphiql_response(request, gateway)
        if page is not None:
            return page
    trail = Trail()
    with request.app.state.tracing.request_span(request.headers) as span:
        try:
            response = await _answer(request, gateway, trail)
        except Exception as error:
            response = _failed(trail, error)
        try:
            await _audit(gateway, trail)
        except Exception as error:
            if isinstance(error, AuditBacklog) or database_unavailable(error):
                log.warning("database unavailable; answer withheld request_id=%s", trail.request_id)
                response = _unavailable()
            else:
                log.exception("audit write failed; answer withheld request_id=%s", trail.request_id)
                response = _internal()
        response.headers["x-request-id"] = trail.request_id
        try:
            report(trail, response.status_code, request.app.state.metrics, span)
        except Exception:  # the log line is written first; metrics or the span failed
            log.exception("request report failed request_id=%s", trail.request_id)
    return response


def _failed(trail: Trail, error: Exception) -> JSONResponse:
    """An exception no stage expected: logged in full here, masked for the caller."""
    if database_unavailable(error):
        trail.reason = "database-unavailable"
        log.warning("database unavailable request_id=%s", trail.request_id)
        return _unavailable()
    _unexpected(trail, error)
    return _internal()


def _unexpected(trail: Trail, error: BaseException | None) -> None:
    trail.reason = "internal-error"
    log.error(
        "unexpected error request_id=%s",
        trail.request_id,
        exc_info=error,
        extra={"request_id": trail.request_id},
    )


CUT_OFF_MESSAGE = "The request body ended before it was complete."


def _internal() -> JSONResponse:
    return JSONResponse({"errors": [error_body(INTERNAL_MESSAGE, "INTERNAL")]}, 500)


def _unavailable() -> JSONResponse:
    body = {"errors": [error_body(UNAVAILABLE_MESSAGE, "UNAVAILABLE")]}
    return JSONResponse(body, 503, headers={"retry-after": "1"})


async def _audit(gateway: Gateway, trail: Trail) -> None:
    """A mutation's row is written before its answer goes; any other joins the batch."""
    if trail.mutation:
        await record(gateway.database.statements, trail.row())
    else:
        await gateway.audit.admit(trail.row())


def _refuse(trail: Trail, status: int, message: str, code: str) -> JSONResponse:
    trail.deny(code.lower())
    return JSONResponse({"errors": [error_body(message, code)]}, status_code=status)


def _known_host(request: Request) -> bool:
    return bool(request.app.state.hosts.allows(request.headers.get("host")))


async def _answer(request: Request, gateway: Gateway, trail: Trail) -> Response:
    headers = request_headers(request.scope["headers"])
    if not request.app.state.hosts.allows(headers.host):
        return _refuse(trail, 400, UNKNOWN_HOST_MESSAGE, "UNKNOWN_HOST")
    if request.method != "POST":
        return _refuse(trail, 405, "Use POST with a JSON body.", "METHOD_NOT_ALLOWED")
    media_type = (headers.content_type or "").split(";")[0].strip().lower()
    if media_type != "application/json":
        return _refuse(
            trail, 415, "Content-Type must be application/json.", "UNSUPPORTED_MEDIA_TYPE"
        )
    declared = headers.content_length
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
        return _refuse(trail, 413, "Request body is too large.", "PAYLOAD_TOO_LARGE")
    try:
        view, identity = _authenticate(headers.credentials, gateway)
        trail.identity = identity  # audited as this client from here on, refused or not
    except Unauthenticated:
        trail.deny("unauthenticated")
        return JSONResponse(UNAUTHENTICATED_BODY, status_code=401)
    wait = await gateway.rates.admit(identity.client)
    if wait is not None:
        trail.deny("rate-limited")
        refusal = {"errors": [error_body(RATE_LIMITED_MESSAGE, RateLimited.code)]}
        return JSONResponse(refusal, status_code=429, headers={"retry-after": str(wait)})
    try:
        body = await _read_limited(request)
    except ClientDisconnect:
        # The client went away mid-body (a load generator stopping, a dropped connection):
        # nothing was asked, so nothing failed. Audited as such; no one reads the answer.
        trail.deny("client-disconnected")
        return JSONResponse({"errors": [error_body(CUT_OFF_MESSAGE, "BAD_USER_INPUT")]}, 400)
    if body is None:
        return _refuse(trail, 413, "Request body is too large.", "PAYLOAD_TOO_LARGE")
    operation = _operation(body)
    if isinstance(operation, str):
        return _refuse(trail, 400, operation, "BAD_USER_INPUT")
    payload, variables, name = operation
    document = choose_document(payload, gateway.documents[identity.client])
    if not isinstance(document, Chosen):
        trail.document_hash = document.hash
        return _refuse(trail, 400, document.message, document.code)
    repository = CallerRepository(
        primary=gateway.database,
        lagging=gateway.routes.may_lag(),
        rule=view.policy.rows,
        client=identity.client,
    )
    context = RequestContext(
        identity=identity,
        repository=repository,
        budget=request.app.state.oracle_budget,  # gateway.budget, counting lockouts
        request_id=trail.request_id,
        touched_uids=trail.uids,
        replay_idempotent=not gateway.settings.unsafe_disable_idempotency,
    )
    time_limit = gateway.settings.request_timeout_seconds
    planned = gateway.settings.compiled_plans
    return await _execute(view, context, trail, time_limit, document, variables, name, planned)


def _authenticate(credentials: list[str], gateway: Gateway) -> tuple[ClientView, Identity]:
    token = bearer_token(credentials)
    identity = gateway.tokens.identity(token)
    view = gateway.views.get(identity.client)
    if view is None:
        raise Unauthenticated
    return view, identity


async def _read_limited(request: Request) -> bytes | None:
    """The body, or None once it passes MAX_BODY_BYTES; `ClientDisconnect` if the client
    goes. Read from the ASGI messages as Starlette's `Request.stream` reads them, without
    an async generator in between."""
    chunks, size, more = [], 0, True
    while more:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect
        if message["type"] != "http.request":
            continue
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def _operation(body: bytes) -> tuple[dict[str, Any], dict[str, Any] | None, str | None] | str:
    try:
        payload = parse_json(body)
    except NotAcceptableJson as refusal:
        return str(refusal)
    if isinstance(payload, list):
        return "Batched operations are not supported; send one operation per request."
    if not isinstance(payload, dict):
        return "The body must be a JSON object."
    variables, name = payload.get("variables"), payload.get("operationName")
    if variables is not None and not isinstance(variables, dict):
        return "'variables' must be an object."
    if name is not None and not isinstance(name, str):
        return "'operationName' must be a string."
    return payload, variables, name


async def _execute(
    view: ClientView,
    context: RequestContext,
    trail: Trail,
    time_limit: float,
    chosen: Chosen,
    variables: dict[str, Any] | None,
    operation_name: str | None,
    planned: bool = False,
) -> JSONResponse:
    trail.saw_document(chosen, operation_name)
    prepared = chosen.trusted.prepared if chosen.trusted else view.executor.prepare(chosen.text)
    if prepared.document is None:
        trail.deny("invalid-document")
        errors = [format_request_error(e) for e in prepared.errors]
        return JSONResponse({"errors": errors}, status_code=400)
    trail.saw_valid_document(prepared.outline(operation_name))
    try:
        async with asyncio.timeout(time_limit):
            plan = plan_for(view, chosen, prepared.document, operation_name) if planned else None
            if plan is None:
                result = await view.executor.run(
                    prepared.document, variables, operation_name, context
                )
            else:
                result = await execute_plan(plan, variables, context)
    except TimeoutError:
        trail.deny("timeout")
        body = {"errors": [error_body(TIMEOUT_MESSAGE, Timeout.code)]}
        return JSONResponse(body, status_code=503)
    response: dict[str, Any] = {"data": result.data}
    trail.allow()
    if result.errors:
        response["errors"] = [_error(e, trail) for e in result.errors]
    before_execution = result.data is None and all(e.path is None for e in result.errors or ())
    if before_execution:
        trail.deny("invalid-variables")
    return JSONResponse(response, status_code=400 if before_execution else 200)


def _error(error: Any, trail: Trail) -> dict[str, Any]:
    formatted, masked = format_execution_error(error)
    if isinstance(error.original_error, Forbidden):
        trail.deny("forbidden")
    if masked:
        _unexpected(trail, error.original_error)
    elif formatted["extensions"]["code"] == "UNAVAILABLE":
        trail.reason = "database-unavailable"
        log.warning("database unavailable request_id=%s", trail.request_id)
    return formatted
