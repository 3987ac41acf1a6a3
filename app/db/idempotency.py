"""The first answer to each (client, idempotency key)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from .models import IdempotencyRecord, table

records = table(IdempotencyRecord)
_RECALL = select(records.c.request_hash, records.c.response).where(
    records.c.client == bindparam("client"), records.c.key == bindparam("key")
)
_REMEMBER = insert(records)


@dataclass(frozen=True, slots=True)
class Remembered:
    request_hash: str
    response: dict[str, Any]


async def recall(conn: AsyncConnection, client: str, key: str) -> Remembered | None:
    row = (await conn.execute(_RECALL, {"client": client, "key": key})).first()
    return None if row is None else Remembered(row.request_hash, row.response)


async def remember(
    conn: AsyncConnection,
    client: str,
    key: str,
    request_hash: str,
    response: dict[str, Any],
    at: datetime,
) -> None:
    """Store the answer; a concurrent twin makes this raise IntegrityError at insert or commit."""
    await conn.execute(
        _REMEMBER,
        {
            "client": client,
            "key": key,
            "request_hash": request_hash,
            "response": response,
            "created_at": at,
        },
    )
