"""The one path of every change to a stored LPA, whatever its type:

load the LPA the caller may see -> check the version the caller read -> decide (pure) ->
save the LPA as the change leaves it, compare-and-set on the version.

A stale version, or losing the race to another writer, is a CONFLICT problem and saves nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from .change import Change
from .codes import ProblemCode
from .problems import Problem, pointer
from .records import Lpa
from .verdict import Verdict

NOT_FOUND = Problem(pointer("uid"), ProblemCode.NOT_FOUND)
CONFLICT = Problem(pointer("expected_version"), ProblemCode.CONFLICT)


class Repository(Protocol):
    """Where LPAs are kept. `get` answers only an LPA the caller may see (and holds it until
    the save, where the store can); `save` answers the new version, or None when another
    writer saved first."""

    async def get(self, uid: str, *, with_case: bool) -> Lpa | None: ...

    async def save(
        self, before: Lpa, after: Lpa, *, event: str, author: str, at: datetime
    ) -> int | None: ...


async def run_change(
    repository: Repository,
    change: Change,
    *,
    uid: str,
    expected_version: int,
    now: datetime,
    actor: str,
) -> Verdict:
    lpa = await repository.get(uid, with_case=change.needs_case)
    if lpa is None:
        return Verdict.refused([NOT_FOUND])
    if lpa.version != expected_version:
        return Verdict.refused([CONFLICT], uid=uid)
    outcome = change.decide(lpa, now, actor)
    if isinstance(outcome, list):
        return Verdict.refused(outcome, uid=uid)
    version = await repository.save(lpa, outcome.lpa, event=outcome.event, author=actor, at=now)
    if version is None:
        return Verdict.refused([CONFLICT], uid=uid)
    return Verdict(accepted=True, uid=uid, version=version)
