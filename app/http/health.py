from __future__ import annotations

import asyncio

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse

READY_TIMEOUT_SECONDS = 1.5


async def live(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "live"})


async def ready(request: Request) -> JSONResponse:
    """200 only while the database answers; 503 otherwise, always within two seconds."""
    engine = request.app.state.gateway.engine
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS), engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception:
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ready"})
