"""The create decision: what `createLpa` (and an import of the store's JSON) decides about a
new LPA, from a plain draft and the time, with no framework and no database.

The store's defaults are applied first, then every rule judges the filled draft. An online LPA
that breaks a rule is refused; a paper LPA is stored with each broken rule kept as an anomaly.
Problems with actor UIDs refuse an LPA on either channel: two actors cannot share an identity,
so no anomaly could stand in for it.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime

from .actor_uids import given_uids, uid_problems
from .change import in_future
from .codes import ProblemCode
from .defaults import with_defaults
from .draft import LpaDraft
from .enums import Channel
from .problems import Problem, pointer
from .rules import validate_draft


@dataclass(frozen=True, slots=True)
class CreateDecision:
    draft: LpaDraft  # with the store's defaults filled in
    defaulted: frozenset[str]  # the fields a default filled
    problems: tuple[Problem, ...]  # every broken rule: anomalies when a paper LPA is stored
    refusals: tuple[Problem, ...]  # what the writer is told when the LPA is refused

    @property
    def accepted(self) -> bool:
        return not self.refusals


def decide_create(
    draft: LpaDraft, now: datetime, taken: Collection[uuid.UUID] = ()
) -> CreateDecision:
    """`taken`: the given actor UIDs that another LPA already holds (the caller looks them up)."""
    filled, defaulted = with_defaults(draft)
    problems = sorted({*validate_draft(filled, now.date()), *_future_dates(filled, now)})
    hard = sorted({*uid_problems(filled), *_taken(filled, taken)})
    online = filled["channel"] is Channel.ONLINE
    refusals = sorted({*problems, *hard}) if online else hard
    return CreateDecision(filled, defaulted, tuple(problems), tuple(refusals))


def _taken(draft: LpaDraft, taken: Collection[uuid.UUID]) -> Iterator[Problem]:
    for given in given_uids(draft):
        if given.parsed() in taken:
            yield Problem(given.source, ProblemCode.DUPLICATE)


def _future_dates(draft: LpaDraft, now: datetime) -> Iterator[Problem]:
    dated: list[tuple[tuple[str, ...], datetime | None]] = [
        (("signed_at",), draft["signed_at"]),
        (("witnessed_by_certificate_provider_at",), draft["witnessed_by_certificate_provider_at"]),
        (
            ("witnessed_by_independent_witness_at",),
            draft.get("witnessed_by_independent_witness_at"),
        ),
        (
            ("certificate_provider_not_related_confirmed_at",),
            draft.get("certificate_provider_not_related_confirmed_at"),
        ),
    ]
    for actor in ("donor", "certificate_provider"):
        check = draft[actor].get("identity_check")
        if check is not None:
            dated.append(((actor, "identity_check", "checked_at"), check["checked_at"]))
    for at, value in dated:
        if value is not None and in_future(value, now):
            yield Problem(pointer(*at), ProblemCode.DATE_IN_FUTURE)
