"""Actor UIDs a writer chooses: the online service names its actors with its own UUIDs, so it
never needs to read anything back. A given UID is kept; one that is not a UUID, or that repeats
within the LPA, refuses the LPA on either channel (two actors cannot share one identity, so
no anomaly could stand in for it). An actor without one is issued a fresh UUID."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from .codes import ProblemCode
from .draft import LpaDraft
from .problems import Problem, pointer

# The canonical 8-4-4-4-12 spelling, any case: the form OPG's services exchange.
_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
PathPart = str | int


@dataclass(frozen=True, slots=True)
class GivenUid:
    at: tuple[PathPart, ...]  # where the actor sits: ("donor",), ("attorneys", 2), ...
    value: str

    @property
    def source(self) -> str:
        return pointer(*self.at, "uid")

    def parsed(self) -> uuid.UUID | None:
        return uuid.UUID(self.value) if _UUID.fullmatch(self.value) else None


def given_uids(draft: LpaDraft) -> Iterator[GivenUid]:
    """Every actor UID the draft gives, in the order of the LPA's people."""
    singles = (
        ("certificate_provider", draft["certificate_provider"]),
        ("independent_witness", draft.get("independent_witness")),
        ("authorised_signatory", draft.get("authorised_signatory")),
    )
    donor = draft["donor"].get("uid")
    if donor is not None:
        yield GivenUid(("donor",), donor)
    for i, attorney in enumerate(draft["attorneys"]):
        if (given := attorney.get("uid")) is not None:
            yield GivenUid(("attorneys", i), given)
    for i, trust in enumerate(draft["trust_corporations"]):
        if (given := trust.get("uid")) is not None:
            yield GivenUid(("trust_corporations", i), given)
    for name, actor in singles:
        if actor is not None and (given := actor.get("uid")) is not None:
            yield GivenUid((name,), str(given))


def uid_problems(draft: LpaDraft) -> list[Problem]:
    """INVALID_UUID for a UID that is not one; DUPLICATE for each repeat after the first."""
    problems: list[Problem] = []
    seen: set[uuid.UUID] = set()
    for given in given_uids(draft):
        parsed = given.parsed()
        if parsed is None:
            problems.append(Problem(given.source, ProblemCode.INVALID_UUID))
        elif parsed in seen:
            problems.append(Problem(given.source, ProblemCode.DUPLICATE))
        else:
            seen.add(parsed)
    return problems


def uid_or_new(given: str | None) -> uuid.UUID:
    """The actor's UID: the one given (already checked by `uid_problems`), or a fresh one."""
    return uuid.uuid4() if given is None else uuid.UUID(given)
