"""The one path of every change mutation: the change record the mutation built runs through
the domain's runner (`app.domain.runner`) on the repository, in one transaction, once per
idempotency key. Each mutation is one line into `run_change`.
"""

from __future__ import annotations

import strawberry

from app.db.repository import LpaRepository
from app.domain import runner
from app.domain.canonical import jsonable
from app.domain.change import Change
from app.domain.changes import REGISTRY
from app.domain.verdict import Verdict

from .context import RequestContext
from .idempotent import run_once
from .results import MutationResult, Problem
from .scalars import LpaUid


async def run_change(
    info: strawberry.Info[RequestContext, None],
    uid: LpaUid,
    expected_version: int,
    change: Change,
    idempotency_key: str,
) -> MutationResult:
    """Apply `change` to the LPA `uid`, once per idempotency key."""
    if REGISTRY.get(change.operation) is not type(change):
        raise TypeError(f"{type(change).__name__} is not a registered change type")
    ctx = info.context

    async def work(lpas: LpaRepository) -> Verdict:
        return await runner.run_change(
            lpas,
            change,
            uid=uid,
            expected_version=expected_version,
            now=ctx.now(),
            actor=ctx.identity.sub,
        )

    request = {"uid": uid, "expectedVersion": expected_version, "input": jsonable(change)}
    verdict = await run_once(ctx, change.operation, request, idempotency_key, work)
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
