"""The first answer to each (client, idempotency key)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.codes import ProblemCode
from app.domain.problems import Problem
from app.domain.verdict import Verdict

from .models import IdempotencyRecord, table

records = table(IdempotencyRecord)
_RECALL = select(records.c.request_hash, records.c.response).where(
    records.c.client == bindparam("client"), records.c.key == bindparam("key")
)
_REMEMBER = insert(records)


@dataclass(frozen=True, slots=True)
class Remembered:
    request_hash: str
    verdict: Verdict


async def recall(conn: AsyncConnection, client: str, key: str) -> Remembered | None:
    row = (await conn.execute(_RECALL, {"client": client, "key": key})).first()
    return None if row is None else Remembered(row.request_hash, _verdict(row.response))


async def remember(
    conn: AsyncConnection,
    client: str,
    key: str,
    request_hash: str,
    verdict: Verdict,
    at: datetime,
) -> None:
    """Store the answer; a concurrent twin makes this raise IntegrityError at insert or commit."""
    await conn.execute(
        _REMEMBER,
        {
            "client": client,
            "key": key,
            "request_hash": request_hash,
            "response": _json(verdict),
            "created_at": at,
        },
    )


def _json(verdict: Verdict) -> dict[str, Any]:
    return {
        "accepted": verdict.accepted,
        "uid": verdict.uid,
        "version": verdict.version,
        "problems": [{"source": p.source, "code": p.code.value} for p in verdict.problems],
    }


def _verdict(data: dict[str, Any]) -> Verdict:
    return Verdict(
        accepted=bool(data["accepted"]),
        uid=data["uid"],
        version=data["version"],
        problems=tuple(Problem(p["source"], ProblemCode(p["code"])) for p in data["problems"]),
    )
