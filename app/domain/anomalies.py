"""Safeguarding signals, computed on every write and shown to caseworkers only.

They never change the writer's answer: a write that raises an anomaly is accepted or refused
exactly as the same write without it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from .codes import ProblemCode
from .problems import Problem, pointer
from .records import Actor, Address, Attorney, CertificateProvider, Donor, Lpa
from .rules import ADULT_AGE, age_on

OLDEST_PLAUSIBLE_AGE = 100
LATE_SIGNATURE = timedelta(days=2 * 365 + 1)


def safeguarding(lpa: Lpa, today: date) -> set[Problem]:
    return set(_signals(lpa, today))


def _signals(lpa: Lpa, today: date) -> Iterator[Problem]:
    provider, donor, attorneys = lpa.certificate_provider, lpa.donor, lpa.attorneys
    if lpa.certificate_provider_not_related_confirmed_at is None:
        others: list[Donor | Attorney] = [donor, *attorneys]
        if any(_same_name(provider.last_name, other.last_name) for other in others):
            yield Problem(
                pointer(*provider.path, "last_name"),
                ProblemCode.CERTIFICATE_PROVIDER_SHARES_LAST_NAME,
            )
        if any(_same_address(provider.address, other.address) for other in others):
            yield Problem(
                pointer(*provider.path, "address"), ProblemCode.CERTIFICATE_PROVIDER_SHARES_ADDRESS
            )
    people: tuple[Donor | Attorney, ...] = (donor, *attorneys)
    for person in people:
        born = person.date_of_birth
        at = pointer(*person.path, "date_of_birth")
        if age_on(born, today) < ADULT_AGE:
            yield Problem(at, ProblemCode.UNDER_18)
        elif age_on(born, today - timedelta(days=1)) >= OLDEST_PLAUSIBLE_AGE:
            # 100th birthday yesterday or earlier: born more than 100 years ago
            yield Problem(at, ProblemCode.BORN_OVER_100_YEARS_AGO)
    donor_signed = lpa.signed_at
    if donor_signed is not None:
        signers: tuple[CertificateProvider | Attorney, ...] = (provider, *attorneys)
        for signer in signers:
            signed = signer.signed_at
            if signed is not None and signed - donor_signed > LATE_SIGNATURE:
                yield Problem(
                    pointer(*signer.path, "signed_at"), ProblemCode.SIGNED_OVER_2_YEARS_AFTER_DONOR
                )
    for actor in lpa.people:
        if _without_country(actor):
            yield Problem(
                pointer(*actor.path, "address", "country"), ProblemCode.ADDRESS_WITHOUT_COUNTRY
            )


def _without_country(actor: Actor) -> bool:
    return actor.address is not None and not actor.address.country


def _same_name(a: str, b: str) -> bool:
    return _fold(a) == _fold(b) != ""


def _same_address(a: Address | None, b: Address | None) -> bool:
    return _address_key(a) == _address_key(b) != ("", "")


def _address_key(a: Address | None) -> tuple[str, str]:
    return ("", "") if a is None else (_fold(a.line1), _fold(a.postcode))


def _fold(text: str | None) -> str:
    return "".join((text or "").split()).casefold()
