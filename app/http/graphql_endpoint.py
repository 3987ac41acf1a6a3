"""POST /graphql: the only way in.

Order of checks, cheapest and least revealing first: method and media type, declared body
size, the bearer token (401 before any GraphQL parsing), the real body size, the JSON shape
(one operation, no batching), then the document against the caller's view.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.authz.tokens import Identity, Unauthenticated, bearer_token, verify
from app.graphql.context import RequestContext
from app.graphql.errors import error_body, format_execution_error, format_request_error

from .gateway import Gateway
from .graphiql_page import graphiql_response

MAX_BODY_BYTES = 64 * 1024
log = logging.getLogger("lpa_gateway.request")


def _refuse(status: int, message: str, code: str = "BAD_USER_INPUT") -> JSONResponse:
    return JSONResponse({"errors": [error_body(message, code)]}, status_code=status)


UNAUTHENTICATED_BODY = {"errors": [error_body("Unauthenticated.", "UNAUTHENTICATED")]}


async def graphql_endpoint(request: Request) -> Response:
    gateway: Gateway = request.app.state.gateway
    if request.method == "GET":
        return graphiql_response(request, gateway) or _refuse(
            405, "Use POST with a JSON body.", "METHOD_NOT_ALLOWED"
        )
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        return _refuse(415, "Content-Type must be application/json.", "UNSUPPORTED_MEDIA_TYPE")
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
        return _refuse(413, "Request body is too large.", "PAYLOAD_TOO_LARGE")
    try:
        identity = _authenticate(request, gateway)
    except Unauthenticated:
        return JSONResponse(UNAUTHENTICATED_BODY, status_code=401)
    body = await _read_limited(request)
    if body is None:
        return _refuse(413, "Request body is too large.", "PAYLOAD_TOO_LARGE")
    return await _execute(gateway, identity, body)


def _authenticate(request: Request, gateway: Gateway) -> Identity:
    token = bearer_token(
        request.headers.get("authorization"), request.headers.get("x-jwt-authorization")
    )
    max_lifetime = timedelta(seconds=gateway.settings.token_max_lifetime_seconds)
    return verify(token, gateway.key_ring, max_lifetime)


async def _read_limited(request: Request) -> bytes | None:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _operation(body: bytes) -> tuple[str, dict[str, Any] | None, str | None] | str:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return "The body is not valid JSON."
    if isinstance(payload, list):
        return "Batched operations are not supported; send one operation per request."
    if not isinstance(payload, dict):
        return "The body must be a JSON object."
    query, variables, name = (payload.get(k) for k in ("query", "variables", "operationName"))
    if not isinstance(query, str):
        return "The body must have a 'query' string."
    if variables is not None and not isinstance(variables, dict):
        return "'variables' must be an object."
    if name is not None and not isinstance(name, str):
        return "'operationName' must be a string."
    return query, variables, name


async def _execute(gateway: Gateway, identity: Identity, body: bytes) -> JSONResponse:
    started = time.perf_counter()
    request_id = uuid.uuid4().hex
    operation = _operation(body)
    if isinstance(operation, str):
        return _refuse(400, operation)
    query, variables, operation_name = operation
    prepared = gateway.executor.prepare(query)
    if prepared.document is None:
        errors = [format_request_error(e) for e in prepared.errors]
        _log(request_id, identity, operation_name, started, "rejected")
        return JSONResponse({"errors": errors}, status_code=400)
    context = RequestContext(identity=identity, engine=gateway.engine, request_id=request_id)
    result = await gateway.executor.run(prepared.document, variables, operation_name, context)
    response: dict[str, Any] = {"data": result.data}
    if result.errors:
        response["errors"] = []
        for error in result.errors:
            formatted, masked = format_execution_error(error)
            if masked:
                log.error(
                    "unexpected error request_id=%s", request_id, exc_info=error.original_error
                )
            response["errors"].append(formatted)
    outcome = "error" if result.errors else "ok"
    _log(request_id, identity, operation_name, started, outcome)
    headers = {"x-request-id": request_id}
    refused_before_execution = result.data is None and all(
        e.path is None for e in result.errors or ()
    )
    status = 400 if refused_before_execution else 200
    return JSONResponse(response, status_code=status, headers=headers)


def _log(
    request_id: str, identity: Identity, operation: str | None, started: float, outcome: str
) -> None:
    log.info(
        "request_id=%s client=%s operation=%s outcome=%s duration_ms=%.1f",
        request_id,
        identity.client,
        operation or "-",
        outcome,
        (time.perf_counter() - started) * 1000,
    )
