"""Safeguarding signals, computed on every write and shown to caseworkers only.

They never change the writer's answer: a write that raises an anomaly is accepted or refused
exactly as the same write without it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from .enums import ActorRole
from .problems import Problem, pointer
from .rules import ADULT_AGE, age_on
from .state import LpaState, actor_pointer

CERTIFICATE_PROVIDER_SHARES_LAST_NAME = "CERTIFICATE_PROVIDER_SHARES_LAST_NAME"
CERTIFICATE_PROVIDER_SHARES_ADDRESS = "CERTIFICATE_PROVIDER_SHARES_ADDRESS"
UNDER_18 = "UNDER_18"
BORN_OVER_100_YEARS_AGO = "BORN_OVER_100_YEARS_AGO"
SIGNED_OVER_2_YEARS_AFTER_DONOR = "SIGNED_OVER_2_YEARS_AFTER_DONOR"
ADDRESS_WITHOUT_COUNTRY = "ADDRESS_WITHOUT_COUNTRY"
OLDEST_PLAUSIBLE_AGE = 100
LATE_SIGNATURE = timedelta(days=2 * 365 + 1)


def safeguarding(state: LpaState, today: date) -> set[Problem]:
    return set(_signals(state, today))


def _signals(state: LpaState, today: date) -> Iterator[Problem]:
    provider = state.actor(ActorRole.CERTIFICATE_PROVIDER)
    donor = state.actor(ActorRole.DONOR)
    attorneys = state.actors(ActorRole.ATTORNEY)
    if provider is not None and state.lpa["certificate_provider_not_related_confirmed_at"] is None:
        others = [p for p in (donor, *attorneys) if p is not None]
        if any(_same_name(provider, other) for other in others):
            yield Problem(
                pointer("certificate_provider", "last_name"), CERTIFICATE_PROVIDER_SHARES_LAST_NAME
            )
        if any(_same_address(provider, other) for other in others):
            yield Problem(
                pointer("certificate_provider", "address"), CERTIFICATE_PROVIDER_SHARES_ADDRESS
            )
    for person in (donor, *attorneys):
        if person is None or person["date_of_birth"] is None:
            continue
        born = person["date_of_birth"]
        if age_on(born, today) < ADULT_AGE:
            yield Problem(actor_pointer(person, "date_of_birth"), UNDER_18)
        elif age_on(born, today - timedelta(days=1)) >= OLDEST_PLAUSIBLE_AGE:
            # 100th birthday yesterday or earlier: born more than 100 years ago
            yield Problem(actor_pointer(person, "date_of_birth"), BORN_OVER_100_YEARS_AGO)
    donor_signed: datetime | None = state.lpa["signed_at"]
    if donor_signed is not None:
        for signer in (provider, *attorneys):
            signed: datetime | None = None if signer is None else signer["signed_at"]
            if signer is not None and signed is not None and signed - donor_signed > LATE_SIGNATURE:
                yield Problem(actor_pointer(signer, "signed_at"), SIGNED_OVER_2_YEARS_AFTER_DONOR)
    for person in state.people:
        if person.get("address_line1") is not None and not person.get("address_country"):
            yield Problem(actor_pointer(person, "address", "country"), ADDRESS_WITHOUT_COUNTRY)


def _same_name(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return _fold(a["last_name"]) == _fold(b["last_name"]) != ""


def _same_address(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    key_a = (_fold(a.get("address_line1")), _fold(a.get("address_postcode")))
    key_b = (_fold(b.get("address_line1")), _fold(b.get("address_postcode")))
    return key_a == key_b and key_a != ("", "")


def _fold(text: str | None) -> str:
    return "".join((text or "").split()).casefold()
