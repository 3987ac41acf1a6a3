"""The first answer to each (client, idempotency key)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select

from app.domain.codes import ProblemCode
from app.domain.problems import Problem
from app.domain.verdict import Verdict

from .in_transaction import InTransaction
from .inserts import RowInsert
from .models import IdempotencyRecord, table
from .prepared import Prepared, Reads

records = table(IdempotencyRecord)
_RECALL = Prepared(
    select(records.c.request_hash, records.c.response).where(
        records.c.client == bindparam("client"), records.c.key == bindparam("key")
    )
)
_REMEMBER = RowInsert(records)


@dataclass(frozen=True, slots=True)
class Remembered:
    request_hash: str
    verdict: Verdict


async def recall(reads: Reads, client: str, key: str) -> Remembered | None:
    """The stored answer, read in a transaction (`InTransaction`) or on its own (`Statements`)."""
    row = await reads.first(_RECALL, {"client": client, "key": key})
    return None if row is None else Remembered(row["request_hash"], _verdict(row["response"]))


async def remember(
    tx: InTransaction,
    client: str,
    key: str,
    request_hash: str,
    verdict: Verdict,
    at: datetime,
) -> None:
    """Store the answer; a concurrent twin makes this raise IntegrityError at insert or commit."""
    row = {
        "client": client,
        "key": key,
        "request_hash": request_hash,
        "response": _json(verdict),
        "created_at": at,
    }
    await tx.insert(_REMEMBER, [row])


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
