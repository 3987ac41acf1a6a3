from __future__ import annotations

import asyncio

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse

READY_TIMEOUT_SECONDS = 1.5


async def live(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "live"})


async def ready(request: Request) -> JSONResponse:
    """200 only while the database answers; 503 otherwise, always within two seconds. With a
    read replica, also its lag by the last probe (null when unknown) and whether reads that
    may lag go there: a lagging or lost replica does not make the gateway unready, since
    those reads then go to the primary."""
    gateway = request.app.state.gateway
    engine = gateway.engine
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS), engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception:
        return JSONResponse({"status": "unavailable"}, status_code=503)
    body: dict[str, object] = {"status": "ready"}
    routes = gateway.routes
    if routes.replica is not None:
        body["replica"] = {"lagSeconds": routes.lag, "inUse": routes.replica_in_use}
    return JSONResponse(body)
