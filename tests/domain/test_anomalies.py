"""Safeguarding signals on a stored LPA, one at a time, each with its quiet twin."""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from app.domain.anomalies import safeguarding
from app.domain.enums import ActorRole, AttorneyStatus
from app.domain.problems import Problem
from app.domain.state import LpaState

TODAY = date(2026, 11, 23)
DONOR_SIGNED = datetime(2024, 1, 10, tzinfo=UTC)


def person(role: ActorRole, position: int = 0, **overrides: Any) -> dict[str, Any]:
    base = {
        "id": uuid.uuid4(),
        "role": role,
        "position": position,
        "first_names": "Sam",
        "last_name": {"donor": "Donor", "attorney": "Attorney"}.get(role.value, "Provider"),
        "date_of_birth": date(1970, 1, 1),
        "signed_at": None,
        "status": AttorneyStatus.ACTIVE if role is ActorRole.ATTORNEY else None,
        "address_line1": f"{position} {role.value} Road",
        "address_postcode": "AB1 2CD",
        "address_country": "GB",
    }
    return {**base, **overrides}


def state(**changes: Any) -> LpaState:
    lpa = {"signed_at": DONOR_SIGNED, "certificate_provider_not_related_confirmed_at": None}
    people = [
        person(ActorRole.DONOR),
        person(ActorRole.ATTORNEY, 0),
        person(ActorRole.CERTIFICATE_PROVIDER),
    ]
    for index, values in changes.items():
        people[int(index.removeprefix("p"))].update(values)
    return LpaState(lpa, copy.deepcopy(people))


def codes(s: LpaState) -> set[Problem]:
    return safeguarding(s, TODAY)


def test_a_plain_lpa_raises_nothing() -> None:
    assert codes(state()) == set()


def test_certificate_provider_sharing_the_donors_last_name() -> None:
    assert codes(state(p2={"last_name": " donor "})) == {
        Problem("/certificateProvider/lastName", "CERTIFICATE_PROVIDER_SHARES_LAST_NAME")
    }


def test_not_related_confirmation_silences_the_shared_name() -> None:
    s = state(p2={"last_name": "Attorney"})
    quiet = LpaState(
        {**s.lpa, "certificate_provider_not_related_confirmed_at": DONOR_SIGNED}, s.people
    )
    assert codes(s)
    assert not codes(quiet)


def test_certificate_provider_sharing_an_attorneys_address() -> None:
    same = {"address_line1": "0 attorney road", "address_postcode": "ab12cd"}
    assert codes(state(p2=same)) == {
        Problem("/certificateProvider/address", "CERTIFICATE_PROVIDER_SHARES_ADDRESS")
    }


@pytest.mark.parametrize(
    ("born", "code"),
    [
        (date(2008, 11, 24), "UNDER_18"),  # 18 tomorrow
        (date(1926, 11, 22), "BORN_OVER_100_YEARS_AGO"),  # 100 and a day
    ],
)
def test_implausible_ages(born: date, code: str) -> None:
    assert codes(state(p1={"date_of_birth": born})) == {Problem("/attorneys/0/dateOfBirth", code)}


@pytest.mark.parametrize("born", [date(2008, 11, 23), date(1926, 11, 23)])
def test_plausible_ages_at_the_edges(born: date) -> None:
    assert codes(state(p0={"date_of_birth": born})) == set()


def test_signing_more_than_two_years_after_the_donor() -> None:
    late = DONOR_SIGNED + timedelta(days=2 * 365 + 2)
    in_time = DONOR_SIGNED + timedelta(days=2 * 365)
    assert codes(state(p2={"signed_at": late})) == {
        Problem("/certificateProvider/signedAt", "SIGNED_OVER_2_YEARS_AFTER_DONOR")
    }
    assert codes(state(p2={"signed_at": in_time})) == set()


def test_an_address_without_a_country() -> None:
    assert codes(state(p1={"address_country": None})) == {
        Problem("/attorneys/0/address/country", "ADDRESS_WITHOUT_COUNTRY")
    }
