"""GET /metrics, for Prometheus.

With LPA_GATEWAY_METRICS_TOKEN set, only `Authorization: Bearer <that token>` may scrape
(401 otherwise, the same answer whatever was wrong). Without it, /metrics is open in
development and does not exist in production (404).
"""

from __future__ import annotations

import hmac

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from app.settings import Settings

from .metrics import CONTENT_TYPE, Metrics


def metrics_enabled(settings: Settings) -> bool:
    return settings.metrics_token is not None or not settings.is_production


async def metrics_endpoint(request: Request) -> Response:
    expected = request.app.state.gateway.settings.metrics_token
    if expected is not None and not _bearer_matches(request, expected):
        return PlainTextResponse(
            "Unauthorised.\n", status_code=401, headers={"www-authenticate": "Bearer"}
        )
    metrics: Metrics = request.app.state.metrics
    return Response(metrics.exposition(), media_type=CONTENT_TYPE)


def _bearer_matches(request: Request, expected: str) -> bool:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), expected.encode()
    )
