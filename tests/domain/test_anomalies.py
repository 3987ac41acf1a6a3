"""Safeguarding signals on a stored LPA, one at a time, each with its quiet twin."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from app.domain.anomalies import safeguarding
from app.domain.codes import ProblemCode
from app.domain.problems import Problem
from app.domain.records import Address, Lpa
from tests.domain.builders import DONOR_SIGNED, TODAY, an_lpa, attorney, certificate_provider, donor

P = ProblemCode


def lpa(**values: object) -> Lpa:
    return an_lpa(signed_at=DONOR_SIGNED, **values)


def test_a_plain_lpa_raises_nothing() -> None:
    assert safeguarding(lpa(), TODAY) == set()


def test_certificate_provider_sharing_the_donors_last_name() -> None:
    shared = lpa(certificate_provider=certificate_provider(last_name=" donor "))
    assert safeguarding(shared, TODAY) == {
        Problem("/certificateProvider/lastName", P.CERTIFICATE_PROVIDER_SHARES_LAST_NAME)
    }


def test_not_related_confirmation_silences_the_shared_name() -> None:
    shared = lpa(certificate_provider=certificate_provider(last_name="Attorney"))
    quiet = replace(shared, certificate_provider_not_related_confirmed_at=DONOR_SIGNED)
    assert safeguarding(shared, TODAY)
    assert not safeguarding(quiet, TODAY)


def test_certificate_provider_sharing_an_attorneys_address() -> None:
    same = Address(line1="0 attorney road", postcode="ab12cd", country="GB")
    shared = lpa(certificate_provider=certificate_provider(address=same))
    assert safeguarding(shared, TODAY) == {
        Problem("/certificateProvider/address", P.CERTIFICATE_PROVIDER_SHARES_ADDRESS)
    }


@pytest.mark.parametrize(
    ("born", "code"),
    [
        (date(2008, 11, 24), P.UNDER_18),  # 18 tomorrow
        (date(1926, 11, 22), P.BORN_OVER_100_YEARS_AGO),  # 100 and a day
    ],
)
def test_implausible_ages(born: date, code: ProblemCode) -> None:
    odd = lpa(attorneys=(attorney(date_of_birth=born),))
    assert safeguarding(odd, TODAY) == {Problem("/attorneys/0/dateOfBirth", code)}


@pytest.mark.parametrize("born", [date(2008, 11, 23), date(1926, 11, 23)])
def test_plausible_ages_at_the_edges(born: date) -> None:
    assert safeguarding(lpa(donor=donor(date_of_birth=born)), TODAY) == set()


def test_signing_more_than_two_years_after_the_donor() -> None:
    late = DONOR_SIGNED + timedelta(days=2 * 365 + 2)
    in_time = DONOR_SIGNED + timedelta(days=2 * 365)
    assert safeguarding(lpa(certificate_provider=certificate_provider(signed_at=late)), TODAY) == {
        Problem("/certificateProvider/signedAt", P.SIGNED_OVER_2_YEARS_AFTER_DONOR)
    }
    on_time = lpa(certificate_provider=certificate_provider(signed_at=in_time))
    assert safeguarding(on_time, TODAY) == set()


def test_an_address_without_a_country() -> None:
    nowhere = Address(line1="0 Attorney Road", postcode="AB1 2CD", country=None)
    assert safeguarding(lpa(attorneys=(attorney(address=nowhere),)), TODAY) == {
        Problem("/attorneys/0/address/country", P.ADDRESS_WITHOUT_COUNTRY)
    }
