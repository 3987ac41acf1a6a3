"""Registration waits for every signature and someone able to act, and registering checks
again, so nothing that happened in the waiting period slips through."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from app.domain.changes.lifecycle import register
from app.domain.enums import (
    ActorRole,
    AppointmentType,
    AttorneyStatus,
    Channel,
    Language,
    LpaStatus,
    LpaType,
    WhenTheLpaCanBeUsed,
)
from app.domain.problems import Problem
from app.domain.readiness import registration_problems
from app.domain.state import LpaChange, LpaState

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
SIGNED = datetime(2026, 1, 5, 10, tzinfo=UTC)
ADDRESS = {
    f"address_{k}": v
    for k, v in {
        "line1": "1 Road",
        "line2": None,
        "line3": None,
        "town": None,
        "postcode": "AB1 2CD",
        "country": "GB",
    }.items()
}


def actor(role: ActorRole, **values: Any) -> dict[str, Any]:
    base = {
        "id": uuid.uuid4(),
        "role": role,
        "position": 0,
        "first_names": "A",
        "last_name": role.value,
        "date_of_birth": date(1970, 1, 1),
        "email": "a@example.com",
        "other_names_known_by": None,
        "contact_language_preference": None,
        "mobile": None,
        "phone": "0770",
        "channel": Channel.ONLINE,
        "status": None,
        "appointment_type": None,
        "signed_at": SIGNED,
        "name": None,
        "company_number": None,
        **ADDRESS,
    }
    return {**base, **values}


UNSET = (
    "how_attorneys_make_decisions",
    "how_attorneys_make_decisions_details",
    "how_replacement_attorneys_make_decisions",
    "how_replacement_attorneys_make_decisions_details",
    "how_replacement_attorneys_step_in",
    "how_replacement_attorneys_step_in_details",
    "life_sustaining_treatment_option",
    "restrictions_and_conditions",
    "witnessed_by_certificate_provider_at",
)


def lpa(status: LpaStatus) -> dict[str, Any]:
    return {
        "status": status,
        "lpa_type": LpaType.PROPERTY_AND_AFFAIRS,
        "channel": Channel.ONLINE,
        "language": Language.EN,
        "signed_at": SIGNED,
        "when_the_lpa_can_be_used": WhenTheLpaCanBeUsed.WHEN_HAS_CAPACITY,
        **dict.fromkeys(UNSET),
    }


def people(attorney_status: AttorneyStatus = AttorneyStatus.ACTIVE, **attorney: Any) -> list[Any]:
    return [
        actor(ActorRole.DONOR, signed_at=None),
        actor(ActorRole.CERTIFICATE_PROVIDER),
        actor(
            ActorRole.ATTORNEY,
            status=attorney_status,
            appointment_type=AppointmentType.ORIGINAL,
            **attorney,
        ),
    ]


def test_a_complete_lpa_has_nothing_in_the_way() -> None:
    assert registration_problems(lpa(LpaStatus.IN_PROGRESS), people(), NOW.date()) == []


def test_nobody_left_to_act_stands_in_the_way() -> None:
    problems = registration_problems(
        lpa(LpaStatus.IN_PROGRESS), people(AttorneyStatus.REMOVED), NOW.date()
    )
    assert problems == [Problem("/attorneys", "NO_ACTIVE_ATTORNEY")]


def test_registering_checks_again() -> None:
    waiting = lpa(LpaStatus.STATUTORY_WAITING_PERIOD)
    assert isinstance(register(LpaState(waiting, people()), NOW), LpaChange)
    refused = register(LpaState(waiting, people(signed_at=None)), NOW)
    assert refused == [Problem("/attorneys/0/signedAt", "NOT_SIGNED")]
