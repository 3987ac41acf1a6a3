"""The append-only change history and the outbox, written with the change they describe."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from .models import Change, OutboxEvent, table

changes = table(Change)
outbox = table(OutboxEvent)

LPA_UPDATED = "lpa-updated"
_INSERT_CHANGE = insert(changes)
_INSERT_EVENT = insert(outbox)


async def record_change(
    conn: AsyncConnection,
    *,
    lpa_id: int,
    uid: str,
    version: int,
    change_type: str,
    author: str,
    fields: list[dict[str, Any]],
    at: datetime,
) -> None:
    await conn.execute(
        _INSERT_CHANGE,
        {
            "lpa_id": lpa_id,
            "lpa_version": version,
            "change_type": change_type,
            "author": author,
            "applied_at": at,
            "fields": fields,
        },
    )
    await conn.execute(
        _INSERT_EVENT,
        {"event_type": LPA_UPDATED, "uid": uid, "change_type": change_type, "created_at": at},
    )
