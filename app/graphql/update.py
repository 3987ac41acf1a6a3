"""The path every change to an existing LPA takes, in one transaction:

load the LPA the client may see -> check `expectedVersion` -> decide (pure domain function)
-> compare-and-set the version -> write the change, its history row and outbox event ->
recompute anomalies -> remember the answer under the idempotency key.

A stale `expectedVersion`, or losing the race to another writer, is a CONFLICT problem and
writes nothing but the remembered answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.lpa_reads import people_of_one, related_rows, visible_lpa
from app.db.writes import apply_change
from app.domain.problems import Problem as DomainProblem
from app.domain.state import LpaState, Outcome
from app.domain.verdict import Verdict

from .context import RequestContext
from .idempotent import run_once
from .results import MutationResult, Problem
from .scalars import LpaUid

NOT_FOUND = DomainProblem("/uid", "NOT_FOUND")
CONFLICT = DomainProblem("/expectedVersion", "CONFLICT")

Decide = Callable[[LpaState, datetime, str], Outcome]


async def run_update(
    info: strawberry.Info[RequestContext, None],
    operation: str,
    *,
    uid: LpaUid,
    expected_version: int,
    payload: Any,
    idempotency_key: str,
    decide: Decide,
    needs: Iterable[str] = (),
) -> MutationResult:
    """Apply `decide(state, now, author)` to the LPA `uid`, once per idempotency key."""
    ctx = info.context

    async def work(conn: AsyncConnection) -> Verdict:
        now = ctx.now()
        row = await visible_lpa(conn, uid, ctx.rows, ctx.identity.client, for_update=True)
        if row is None:
            return Verdict.refused([NOT_FOUND])
        if row.version != expected_version:
            return Verdict.refused([CONFLICT], uid=uid)
        people = await people_of_one(conn, row.id)
        state = LpaState(
            dict(row._mapping),
            [dict(p._mapping) for p in people],
            await related_rows(conn, row.id, needs),
        )
        outcome = decide(state, now, ctx.identity.sub)
        if isinstance(outcome, list):
            return Verdict.refused(outcome, uid=uid)
        version = await apply_change(conn, state, outcome, author=ctx.identity.sub, at=now)
        if version is None:
            return Verdict.refused([CONFLICT], uid=uid)
        return Verdict(accepted=True, uid=uid, version=version)

    request = {"uid": uid, "expectedVersion": expected_version, "input": payload}
    verdict = await run_once(ctx, operation, request, idempotency_key, work)
    if verdict.uid is not None:
        ctx.touched_uids.add(verdict.uid)
    return result_of(verdict)


def result_of(verdict: Verdict) -> MutationResult:
    return MutationResult(
        accepted=verdict.accepted,
        uid=None if verdict.uid is None else LpaUid(verdict.uid),
        version=verdict.version,
        problems=[Problem.of(p) for p in verdict.problems],
    )
