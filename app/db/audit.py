"""The audit trail: append-only, one row per request and per oracle lockout."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from .models import AuditEvent, table

audit_events = table(AuditEvent)

REQUEST = "request"
ORACLE_LOCKOUT = "oracle-lockout"


async def record(engine: AsyncEngine, event: Mapping[str, Any]) -> None:
    async with engine.begin() as conn:
        await conn.execute(insert(audit_events).values(**event))
