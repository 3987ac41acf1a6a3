from __future__ import annotations

from typing import Annotated

import strawberry

from app.db.repository import LpaRepository
from app.domain.actor_uids import given_uids
from app.domain.assemble import new_lpa
from app.domain.create import decide_create
from app.domain.draft import LpaDraft
from app.domain.uid import uid_for_sequence
from app.domain.verdict import Verdict

from .context import RequestContext
from .idempotent import run_once
from .inputs import CreateLpaInput
from .results import MutationResult
from .update import result_of


async def create_lpa(
    info: strawberry.Info[RequestContext, None],
    input: Annotated[LpaDraft, strawberry.argument(graphql_type=CreateLpaInput)],
    idempotency_key: str,
) -> MutationResult:
    """Create an LPA. The LPA store's defaults are applied first. Online LPAs that break a rule
    are refused with problem codes; paper LPAs are stored anyway and each broken rule is kept
    as an anomaly for caseworkers. Actor UIDs that are not UUIDs, or repeat, refuse either."""
    ctx = info.context
    draft = input  # built by CreateLpaInput itself (app/graphql/plain.py)

    async def work(lpas: LpaRepository) -> Verdict:
        return await _create(lpas, ctx, draft)

    verdict = await run_once(ctx, "createLpa", draft, idempotency_key, work)
    if verdict.uid is not None:
        ctx.touched_uids.add(verdict.uid)
    return result_of(verdict)


async def _create(lpas: LpaRepository, ctx: RequestContext, draft: LpaDraft) -> Verdict:
    now = ctx.now()
    wanted = {p for p in (g.parsed() for g in given_uids(draft)) if p is not None}
    decision = decide_create(draft, now, await lpas.taken_actor_ids(wanted))
    if not decision.accepted:
        return Verdict.refused(list(decision.refusals))
    uid = uid_for_sequence(await lpas.allocate_number())
    lpa = new_lpa(
        decision.draft,
        uid=uid,
        client=ctx.identity.client,
        at=now,
        defaulted=decision.defaulted,
    )
    await lpas.create(lpa, author=ctx.identity.sub, anomalies=list(decision.problems))
    return Verdict(accepted=True, uid=uid, version=1)
