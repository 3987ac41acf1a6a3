"""A stored LPA as a change sees it, and what a change asks to write.

Changes are pure functions from an `LpaState` and their input to an `LpaChange` (or problems).
The database layer applies the `LpaChange`; the history is derived from it, field by field.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from .draft import LpaDraft
from .enums import ActorRole, AttorneyStatus, LpaStatus
from .problems import Problem, pointer
from .stored import draft_from_rows

GROUPS = {
    ActorRole.DONOR: ("donor",),
    ActorRole.CERTIFICATE_PROVIDER: ("certificate_provider",),
    ActorRole.ATTORNEY: ("attorneys",),
    ActorRole.TRUST_CORPORATION: ("trust_corporations",),
    ActorRole.PERSON_TO_NOTIFY: ("people_to_notify",),
}
_LISTED = {ActorRole.ATTORNEY, ActorRole.TRUST_CORPORATION, ActorRole.PERSON_TO_NOTIFY}
# A caller's clock may run a little ahead of ours; a time beyond this margin is in the future.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class LpaState:
    lpa: Mapping[str, Any]
    people: Sequence[Mapping[str, Any]]
    related: Mapping[str, Sequence[Mapping[str, Any]]] = field(default_factory=dict)

    @property
    def status(self) -> LpaStatus:
        return LpaStatus(self.lpa["status"])

    def draft(self) -> LpaDraft:
        return draft_from_rows(self.lpa, self.people)

    def actors(self, role: ActorRole) -> list[Mapping[str, Any]]:
        return [p for p in self.people if p["role"] == role]

    def actor(self, role: ActorRole, position: int = 0) -> Mapping[str, Any] | None:
        return next((p for p in self.actors(role) if p["position"] == position), None)

    def signers(self) -> list[Mapping[str, Any]]:
        """Everyone whose signature registration waits for: certificate provider, and every
        attorney and trust corporation not removed."""
        return [
            p
            for p in self.people
            if p["role"] is ActorRole.CERTIFICATE_PROVIDER
            or (
                p["role"] in (ActorRole.ATTORNEY, ActorRole.TRUST_CORPORATION)
                and p["status"] is not AttorneyStatus.REMOVED
            )
        ]


def actor_pointer(actor: Mapping[str, Any], *rest: str) -> str:
    role = actor["role"]
    (group,) = GROUPS[role]
    if role in _LISTED:
        return pointer(group, actor["position"], *rest)
    return pointer(group, *rest)


@dataclass(slots=True)
class LpaChange:
    """What one change writes. Empty maps mean "nothing of that kind"."""

    change_type: str
    lpa: dict[str, Any] = field(default_factory=dict)
    actors: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)
    added: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    resolved_anomalies: list[tuple[str, str]] = field(default_factory=list)


Outcome = LpaChange | list[Problem]


def refuse(source: str, code: str) -> list[Problem]:
    return [Problem(source, code)]


def today_of(now: datetime) -> date:
    return now.date()


def in_future(at: datetime, now: datetime) -> bool:
    return at > now + CLOCK_SKEW
