"""The one path of every change, on a fake repository: not found, a stale version, a lost
race, and an accepted change that bumps the version once."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app.domain.changes.lifecycle import Withdraw
from app.domain.changes.signing import SignAttorney
from app.domain.codes import ProblemCode
from app.domain.enums import LpaStatus
from app.domain.problems import Problem
from app.domain.records import Lpa
from app.domain.runner import run_change
from app.domain.verdict import Verdict
from tests.domain.builders import NOW, UID, FakeRepository, an_lpa

pytestmark = pytest.mark.anyio
CONFLICT = Problem("/expectedVersion", ProblemCode.CONFLICT)


async def run(repository: FakeRepository, version: int = 1) -> Verdict:
    return await run_change(
        repository, Withdraw(), uid=UID, expected_version=version, now=NOW, actor="urn:donor"
    )


async def test_an_accepted_change_saves_the_lpa_once_at_the_next_version() -> None:
    repository = FakeRepository({UID: an_lpa()})
    assert await run(repository) == Verdict(accepted=True, uid=UID, version=2)
    assert repository.lpas[UID].status is LpaStatus.WITHDRAWN
    assert repository.history == [(UID, 2, "DONOR_WITHDRAW_LPA")]


async def test_an_lpa_the_caller_may_not_see_is_not_found() -> None:
    repository = FakeRepository({UID: an_lpa()}, hidden={UID})
    assert await run(repository) == Verdict.refused([Problem("/uid", ProblemCode.NOT_FOUND)])
    assert repository.history == []


async def test_a_stale_version_is_a_conflict_and_saves_nothing() -> None:
    repository = FakeRepository({UID: an_lpa()})
    assert await run(repository, version=2) == Verdict.refused([CONFLICT], uid=UID)
    assert repository.lpas[UID].status is LpaStatus.IN_PROGRESS


async def test_losing_the_race_is_a_conflict() -> None:
    class Racing(FakeRepository):
        async def save(
            self, before: Lpa, after: Lpa, *, event: str, author: str, at: datetime
        ) -> int | None:
            self.lpas[before.uid] = an_lpa(version=2)  # another writer got there first
            return await super().save(before, after, event=event, author=author, at=at)

    repository = Racing({UID: an_lpa()})
    assert await run(repository) == Verdict.refused([CONFLICT], uid=UID)
    assert repository.history == []


async def test_a_refused_change_answers_its_problems_and_saves_nothing() -> None:
    repository = FakeRepository({UID: an_lpa()})
    verdict = await run_change(
        repository,
        SignAttorney(0, NOW + timedelta(days=1)),
        uid=UID,
        expected_version=1,
        now=NOW,
        actor="urn:attorney",
    )
    assert verdict.accepted is False
    assert {p.code for p in verdict.problems} == {
        ProblemCode.ALREADY_SIGNED,
        ProblemCode.DATE_IN_FUTURE,
    }
    assert repository.history == []
