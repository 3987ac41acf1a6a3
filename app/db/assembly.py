"""Turning a validated draft into the rows the gateway stores, with the UUIDs it issues."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from app.domain.draft import AddressDraft, LpaDraft
from app.domain.enums import (
    ActorRole,
    AppointmentType,
    AttorneyStatus,
    HowAttorneysMakeDecisions,
    LpaStatus,
)

from .lpa_store import NewActor


def lpa_row(draft: LpaDraft, *, uid: str, client: str, at: datetime) -> dict[str, Any]:
    originals = sum(
        a["appointment_type"] is AppointmentType.ORIGINAL
        for a in [*draft["attorneys"], *draft["trust_corporations"]]
    )
    decisions = draft["how_attorneys_make_decisions"]
    if decisions is None and originals > 1:
        decisions = HowAttorneysMakeDecisions.JOINTLY  # the legal default when none is chosen
    people = (
        "donor",
        "attorneys",
        "trust_corporations",
        "certificate_provider",
        "people_to_notify",
    )
    return {
        **{k: v for k, v in draft.items() if k not in people},
        "how_attorneys_make_decisions": decisions,
        "uid": uid,
        "status": LpaStatus.IN_PROGRESS,
        "created_by": client,
        "created_at": at,
        "updated_at": at,
        "version": 1,
    }


def actor_records(draft: LpaDraft) -> list[NewActor]:
    donor = draft["donor"]
    records = [_actor(ActorRole.DONOR, 0, donor, channel=draft["channel"])]
    for i, attorney in enumerate(draft["attorneys"]):
        records.append(_actor(ActorRole.ATTORNEY, i, attorney, status=_status(attorney)))
    for i, trust in enumerate(draft["trust_corporations"]):
        records.append(_actor(ActorRole.TRUST_CORPORATION, i, trust, status=_status(trust)))
    records.append(_actor(ActorRole.CERTIFICATE_PROVIDER, 0, draft["certificate_provider"]))
    for i, person in enumerate(draft["people_to_notify"]):
        records.append(_actor(ActorRole.PERSON_TO_NOTIFY, i, person))
    return records


def _status(appointee: Mapping[str, Any]) -> AttorneyStatus:
    if appointee["appointment_type"] is AppointmentType.ORIGINAL:
        return AttorneyStatus.ACTIVE
    return AttorneyStatus.INACTIVE  # replacements act only once they step in


def _actor(role: ActorRole, position: int, fields: Mapping[str, Any], **extra: Any) -> NewActor:
    address: AddressDraft | None = fields.get("address")
    row = {k: v for k, v in fields.items() if k != "address"}
    return NewActor(
        row={**row, **extra, "id": uuid.uuid4(), "role": role, "position": position},
        address=dict(address) if address is not None else None,
    )
