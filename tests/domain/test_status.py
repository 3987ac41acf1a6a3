from __future__ import annotations

import itertools

import pytest

from app.domain.enums import LpaStatus
from app.domain.status import WITHDRAWABLE, caseworker_may_set, require

S = LpaStatus
ALLOWED = {
    (S.REGISTERED, S.CANCELLED),
    (S.STATUTORY_WAITING_PERIOD, S.DO_NOT_REGISTER),
    (S.IN_PROGRESS, S.EXPIRED),
    (S.STATUTORY_WAITING_PERIOD, S.EXPIRED),
    (S.DO_NOT_REGISTER, S.EXPIRED),
    *((s, S.CANNOT_REGISTER) for s in S if s not in (S.REGISTERED, S.CANCELLED, S.CANNOT_REGISTER)),
}


@pytest.mark.parametrize(("current", "target"), list(itertools.product(S, S)))
def test_caseworker_status_changes_follow_design_section_2(
    current: LpaStatus, target: LpaStatus
) -> None:
    assert caseworker_may_set(current, target) is ((current, target) in ALLOWED)


def test_withdrawal_is_refused_once_registered_or_cannot_register() -> None:
    assert S.REGISTERED not in WITHDRAWABLE
    assert S.CANNOT_REGISTER not in WITHDRAWABLE
    assert S.IN_PROGRESS in WITHDRAWABLE


def test_a_registered_lpa_says_so() -> None:
    assert [p.code for p in require(S.REGISTERED, frozenset({S.IN_PROGRESS}))] == ["LPA_REGISTERED"]
    assert [p.code for p in require(S.WITHDRAWN, frozenset({S.IN_PROGRESS}))] == [
        "NOT_ALLOWED_IN_STATUS"
    ]
    assert require(S.IN_PROGRESS, frozenset({S.IN_PROGRESS})) == []
