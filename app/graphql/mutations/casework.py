"""Caseworker changes: which attorneys act, severance of restrictions, resolving anomalies."""

from __future__ import annotations

import strawberry

from app.domain.changes.attorneys import AttorneyStatusGiven, ChangeAttorneys
from app.domain.changes.resolution import ResolveAnomaly
from app.domain.changes.restrictions import SeverRestrictions

from ..context import RequestContext
from ..enums import AttorneyStatus
from ..results import MutationResult
from ..scalars import LpaUid
from ..update import run_change

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
    change = ChangeAttorneys(
        tuple(AttorneyStatusGiven(c.attorney, c.status) for c in input.changes)
    )
    return await run_change(info, uid, expected_version, change, idempotency_key)


async def sever_restrictions(
    info: Info,
    uid: LpaUid,
    expected_version: int,
    input: SeverRestrictionsInput,
    idempotency_key: str,
) -> MutationResult:
    change = SeverRestrictions(input.restrictions_and_conditions)
    return await run_change(info, uid, expected_version, change, idempotency_key)


async def resolve_anomaly(
    info: Info, uid: LpaUid, expected_version: int, input: ResolveAnomalyInput, idempotency_key: str
) -> MutationResult:
    change = ResolveAnomaly(input.source, input.code)
    return await run_change(info, uid, expected_version, change, idempotency_key)
