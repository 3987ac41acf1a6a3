"""Registration waits for every signature and someone able to act, and registering checks
again, so nothing that happened in the waiting period slips through."""

from __future__ import annotations

from app.domain.change import Accepted
from app.domain.changes.lifecycle import Register
from app.domain.codes import ProblemCode
from app.domain.enums import AttorneyStatus, LpaStatus
from app.domain.problems import Problem
from app.domain.readiness import registration_problems
from tests.domain.builders import NOW, TODAY, an_lpa, attorney, certificate_provider


def test_a_complete_lpa_has_nothing_in_the_way() -> None:
    assert registration_problems(an_lpa(), TODAY) == []


def test_nobody_left_to_act_stands_in_the_way() -> None:
    lpa = an_lpa(attorneys=(attorney(status=AttorneyStatus.REMOVED),))
    assert registration_problems(lpa, TODAY) == [
        Problem("/attorneys", ProblemCode.NO_ACTIVE_ATTORNEY)
    ]


def test_every_missing_signature_stands_in_the_way() -> None:
    lpa = an_lpa(
        signed_at=None,
        attorneys=(attorney(signed_at=None), attorney(1, status=AttorneyStatus.REMOVED)),
        certificate_provider=certificate_provider(signed_at=None),
    )
    assert set(registration_problems(lpa, TODAY)) >= {
        Problem("/signedAt", ProblemCode.NOT_SIGNED),
        Problem("/attorneys/0/signedAt", ProblemCode.NOT_SIGNED),
        Problem("/certificateProvider/signedAt", ProblemCode.NOT_SIGNED),
    }
    assert Problem("/attorneys/1/signedAt", ProblemCode.NOT_SIGNED) not in set(
        registration_problems(lpa, TODAY)
    )  # a removed attorney's signature is not waited for


def test_registering_checks_again() -> None:
    waiting = an_lpa(status=LpaStatus.STATUTORY_WAITING_PERIOD)
    assert isinstance(Register().decide(waiting, NOW, "caseworker"), Accepted)
    unsigned = an_lpa(
        status=LpaStatus.STATUTORY_WAITING_PERIOD, attorneys=(attorney(signed_at=None),)
    )
    assert Register().decide(unsigned, NOW, "caseworker") == [
        Problem("/attorneys/0/signedAt", ProblemCode.NOT_SIGNED)
    ]
