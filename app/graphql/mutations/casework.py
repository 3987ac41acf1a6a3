"""Caseworker changes: which attorneys act, severance of restrictions, resolving anomalies."""

from __future__ import annotations

import strawberry

from app.domain.changes import attorneys, resolution, restrictions

from ..context import RequestContext
from ..enums import AttorneyStatus
from ..results import MutationResult
from ..scalars import LpaUid
from ..update import run_update

Info = strawberry.Info[RequestContext, None]


@strawberry.input
class AttorneyStatusChange:
    attorney: int = strawberry.field(description="Position of the attorney, from 0.")
    status: AttorneyStatus


@strawberry.input
class ChangeAttorneysInput:
    changes: list[AttorneyStatusChange] = strawberry.field(description="One to ten.")


@strawberry.input
class SeverRestrictionsInput:
    restrictions_and_conditions: str = strawberry.field(
        description="The text left after severance; may be empty. At most 10,000 characters."
    )


@strawberry.input
class ResolveAnomalyInput:
    source: str
    code: str


async def change_attorneys(
    info: Info,
    uid: LpaUid,
    expected_version: int,
    input: ChangeAttorneysInput,
    idempotency_key: str,
) -> MutationResult:
    changes = [strawberry.asdict(change) for change in input.changes]
    return await run_update(
        info,
        "changeAttorneys",
        uid=uid,
        expected_version=expected_version,
        payload={"changes": changes},
        idempotency_key=idempotency_key,
        decide=lambda state, _now, _by: attorneys.change_attorneys(state, changes),
    )


async def sever_restrictions(
    info: Info,
    uid: LpaUid,
    expected_version: int,
    input: SeverRestrictionsInput,
    idempotency_key: str,
) -> MutationResult:
    return await run_update(
        info,
        "severRestrictions",
        uid=uid,
        expected_version=expected_version,
        payload=strawberry.asdict(input),
        idempotency_key=idempotency_key,
        decide=lambda state, _now, _by: restrictions.sever_restrictions(
            state, input.restrictions_and_conditions
        ),
    )


async def resolve_anomaly(
    info: Info, uid: LpaUid, expected_version: int, input: ResolveAnomalyInput, idempotency_key: str
) -> MutationResult:
    return await run_update(
        info,
        "resolveAnomaly",
        uid=uid,
        expected_version=expected_version,
        payload=strawberry.asdict(input),
        idempotency_key=idempotency_key,
        decide=lambda state, _now, _by: resolution.resolve_anomaly(state, input.source, input.code),
        needs=resolution.NEEDS,
    )
