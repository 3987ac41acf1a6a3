"""What every GraphQL request leaves behind besides its audit row: one log line, its metrics,
and the attributes of its trace span. All three come from the trail, so they hold only
identifiers and outcomes (client, operation name, root field, trusted document id, request id,
decision, reason, status, duration), never a value from the request.
"""

from __future__ import annotations

import logging

from .metrics import Metrics
from .tracing import RequestSpan
from .trail import Trail

log = logging.getLogger("lpa_gateway.request")


def outcome(trail: Trail, status: int) -> str:
    """`denied` (refused, with a reason), `error` (answered with an internal error) or `allowed`."""
    if trail.reason == "internal-error":  # masked, whatever had been decided before
        return "error"
    if trail.decision == "denied":
        return "denied"
    if status >= 500:
        return "error"
    return "allowed"


def _log_line(fields: dict[str, str | int | float]) -> None:
    """`log.info("request", extra=fields)` without looking up the caller's file and line on
    the stack, which no formatter of ours shows: a record is made only if INFO is on."""
    if log.isEnabledFor(logging.INFO):
        log.handle(
            log.makeRecord(log.name, logging.INFO, __file__, 0, "request", (), None, None, fields)
        )


def report(trail: Trail, status: int, metrics: Metrics, span: RequestSpan) -> None:
    client = trail.identity.client if trail.identity else "-"
    result = outcome(trail, status)
    duration_ms = trail.duration_ms
    fields: dict[str, str | int | float] = {
        "request_id": trail.request_id,
        "client": client,
        "operation": trail.operation_name or "-",
        "root_field": trail.root_field,
        "document_id": trail.document_id or "-",
        "outcome": result,
        "reason": trail.reason or "-",
        "status": status,
        "duration_ms": duration_ms,
    }
    _log_line(fields)
    metrics.request(client, trail.root_field, result, trail.reason, duration_ms / 1000)
    if span.recording:
        span.finish(
            f"graphql {trail.root_field}",
            {f"lpa_gateway.{name}": value for name, value in fields.items()}
            | {"http.response.status_code": status},
            failed=result == "error",
        )
