"""Attorneys named in a list of a change's input: one to `caps.ATTORNEY_CHANGES` entries, each
naming an attorney of the LPA (by position, UUID or both), none twice."""

from __future__ import annotations

from collections.abc import Sequence

from .. import caps
from ..codes import ProblemCode
from ..problems import Problem, pointer
from ..records import ActorKey, Attorney, Lpa


def named_attorneys(
    lpa: Lpa, keys: Sequence[ActorKey], field: str
) -> tuple[list[tuple[int, Attorney]], list[Problem]]:
    """Each entry's index with the attorney it names, and the problems of the list: REQUIRED
    or TOO_MANY at `/input/<field>`, NOT_FOUND or DUPLICATE at `/input/<field>/<i>`."""
    at = pointer("input", field)
    if not keys:
        return [], [Problem(at, ProblemCode.REQUIRED)]
    if len(keys) > caps.ATTORNEY_CHANGES:
        return [], [Problem(at, ProblemCode.TOO_MANY)]
    found: list[tuple[int, Attorney]] = []
    problems: list[Problem] = []
    seen: set[object] = set()
    for i, key in enumerate(keys):
        attorney = lpa.attorney(key)
        if attorney is None:
            problems.append(Problem(pointer("input", field, i), ProblemCode.NOT_FOUND))
        elif attorney.id in seen:
            problems.append(Problem(pointer("input", field, i), ProblemCode.DUPLICATE))
        else:
            seen.add(attorney.id)
            found.append((i, attorney))
    return found, problems
