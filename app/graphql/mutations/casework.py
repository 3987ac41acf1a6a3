"""Caseworker changes: which attorneys act and which cannot make joint decisions, severance of
restrictions, resolving anomalies."""

from __future__ import annotations

import uuid

import strawberry

from app.domain.changes.attorneys import AttorneyStatusGiven, ChangeAttorneys
from app.domain.changes.decisions import AttorneyDecisionGiven, RecordAttorneyDecisions
from app.domain.changes.resolution import ResolveAnomaly
from app.domain.changes.restrictions import SeverRestrictions

from ..context import RequestContext
from ..enums import AttorneyStatus
from ..results import MutationResult
from ..scalars import LpaUid
from ..update import run_change
from .actors import POSITION, UUID_OF, actor_ref

Info = strawberry.Info[RequestContext, None]


@strawberry.input
class AttorneyStatusChange:
    attorney: int | None = strawberry.field(default=None, description=POSITION)
    status: AttorneyStatus
    attorney_uid: uuid.UUID | None = strawberry.field(default=None, description=UUID_OF)


@strawberry.input
class AttorneyDecisionInput:
    attorney: int | None = strawberry.field(default=None, description=POSITION)
    attorney_uid: uuid.UUID | None = strawberry.field(default=None, description=UUID_OF)
    cannot_make_joint_decisions: bool


@strawberry.input(
    description="Only where the attorneys (or the replacements) act jointly for some "
    "decisions and severally for others."
)
class RecordAttorneyDecisionsInput:
    decisions: list[AttorneyDecisionInput] = strawberry.field(description="One to ten.")


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
        tuple(
            AttorneyStatusGiven(actor_ref(c.attorney, c.attorney_uid), c.status)
            for c in input.changes
        )
    )
    return await run_change(info, uid, expected_version, change, idempotency_key)


async def record_attorney_decisions(
    info: Info,
    uid: LpaUid,
    expected_version: int,
    input: RecordAttorneyDecisionsInput,
    idempotency_key: str,
) -> MutationResult:
    change = RecordAttorneyDecisions(
        tuple(
            AttorneyDecisionGiven(
                actor_ref(d.attorney, d.attorney_uid), d.cannot_make_joint_decisions
            )
            for d in input.decisions
        )
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
