"""The rules an LPA must keep (DESIGN section 2).

Online LPAs that break a rule are refused with these problems; paper LPAs are stored anyway
and each problem becomes an anomaly for a caseworker. The functions here are pure: they read a
draft and a date and return problems, sorted, never values.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from . import caps
from .codes import ProblemCode
from .draft import AddressDraft, LpaDraft
from .enums import (
    AppointmentType,
    Channel,
    HowAttorneysMakeDecisions,
    HowReplacementAttorneysStepIn,
    LpaType,
)
from .problems import Problem, pointer

ADULT_AGE = 18
_COUNTRY = re.compile(r"[A-Z]{2}")


def validate_draft(draft: LpaDraft, today: date) -> list[Problem]:
    return sorted(set(_problems(draft, today)))


def age_on(born: date, today: date) -> int:
    years = today.year - born.year
    return years - 1 if (today.month, today.day) < (born.month, born.day) else years


def _problems(draft: LpaDraft, today: date) -> Iterator[Problem]:
    yield from _attorney_rules(draft, today)
    yield from _decision_rules(draft)
    yield from _type_rules(draft)
    yield from _contact_rules(draft)
    yield from _address_rules(draft)
    if age_on(draft["donor"]["date_of_birth"], today) < ADULT_AGE:
        yield Problem(pointer("donor", "date_of_birth"), ProblemCode.UNDER_18)
    if len(draft["people_to_notify"]) > caps.PEOPLE_TO_NOTIFY:
        yield Problem(pointer("people_to_notify"), ProblemCode.TOO_MANY)
    restrictions = draft["restrictions_and_conditions"]
    if restrictions is not None and len(restrictions) > caps.TEXT:
        yield Problem(pointer("restrictions_and_conditions"), ProblemCode.TOO_LONG)


def _attorney_rules(draft: LpaDraft, today: date) -> Iterator[Problem]:
    appointees = [*draft["attorneys"], *draft["trust_corporations"]]
    if not any(a["appointment_type"] is AppointmentType.ORIGINAL for a in appointees):
        # replacements alone cannot act: someone must be appointed from the start
        yield Problem(pointer("attorneys"), ProblemCode.AT_LEAST_ONE_ATTORNEY)
    for i, attorney in enumerate(draft["attorneys"]):
        if age_on(attorney["date_of_birth"], today) < ADULT_AGE:
            yield Problem(pointer("attorneys", i, "date_of_birth"), ProblemCode.UNDER_18)
    if draft["lpa_type"] is LpaType.PERSONAL_WELFARE and draft["trust_corporations"]:
        yield Problem(pointer("trust_corporations"), ProblemCode.NOT_ALLOWED)


def _decision_rules(draft: LpaDraft) -> Iterator[Problem]:
    appointments = [a["appointment_type"] for a in draft["attorneys"]] + [
        t["appointment_type"] for t in draft["trust_corporations"]
    ]
    originals = appointments.count(AppointmentType.ORIGINAL)
    replacements = appointments.count(AppointmentType.REPLACEMENT)

    mode = draft["how_attorneys_make_decisions"]
    yield from _required_iff(draft, "how_attorneys_make_decisions", originals > 1)
    yield from _required_iff(
        draft,
        "how_attorneys_make_decisions_details",
        mode is HowAttorneysMakeDecisions.JOINTLY_FOR_SOME_SEVERALLY_FOR_OTHERS,
    )
    yield from _required_iff(
        draft,
        "how_replacement_attorneys_step_in",
        replacements > 0 and mode is HowAttorneysMakeDecisions.JOINTLY_AND_SEVERALLY,
    )
    yield from _required_iff(
        draft,
        "how_replacement_attorneys_step_in_details",
        draft["how_replacement_attorneys_step_in"] is HowReplacementAttorneysStepIn.ANOTHER_WAY,
    )
    if replacements <= 1 and draft["how_replacement_attorneys_make_decisions"] is not None:
        yield Problem(pointer("how_replacement_attorneys_make_decisions"), ProblemCode.NOT_ALLOWED)
    yield from _required_iff(
        draft,
        "how_replacement_attorneys_make_decisions_details",
        draft["how_replacement_attorneys_make_decisions"]
        is HowAttorneysMakeDecisions.JOINTLY_FOR_SOME_SEVERALLY_FOR_OTHERS,
    )


def _type_rules(draft: LpaDraft) -> Iterator[Problem]:
    welfare = draft["lpa_type"] is LpaType.PERSONAL_WELFARE
    yield from _required_iff(draft, "when_the_lpa_can_be_used", not welfare)
    yield from _required_iff(draft, "life_sustaining_treatment_option", welfare)


def _contact_rules(draft: LpaDraft) -> Iterator[Problem]:
    yield from _email_rule(("donor",), draft["donor"]["email"], draft["channel"])
    for i, attorney in enumerate(draft["attorneys"]):
        yield from _email_rule(("attorneys", i), attorney["email"], attorney["channel"])
    for i, trust in enumerate(draft["trust_corporations"]):
        yield from _email_rule(("trust_corporations", i), trust["email"], trust["channel"])
    provider = draft["certificate_provider"]
    yield from _email_rule(("certificate_provider",), provider["email"], provider["channel"])


def _email_rule(
    at: tuple[str | int, ...], email: str | None, channel: Channel
) -> Iterator[Problem]:
    if channel is Channel.ONLINE and not email:
        yield Problem(pointer(*at, "email"), ProblemCode.REQUIRED)
    if channel is Channel.PAPER and email is not None:
        yield Problem(pointer(*at, "email"), ProblemCode.NOT_ALLOWED)


def _address_rules(draft: LpaDraft) -> Iterator[Problem]:
    addresses: list[tuple[tuple[str | int, ...], AddressDraft]] = [
        (("donor",), draft["donor"]["address"]),
        (("certificate_provider",), draft["certificate_provider"]["address"]),
    ]
    for group in ("attorneys", "trust_corporations", "people_to_notify"):
        for i, actor in enumerate(draft[group]):
            addresses.append(((group, i), actor["address"]))
    for at, address in addresses:
        country = address["country"]
        if country is None:
            yield Problem(pointer(*at, "address", "country"), ProblemCode.REQUIRED)
        elif not _COUNTRY.fullmatch(country):
            yield Problem(pointer(*at, "address", "country"), ProblemCode.INVALID_COUNTRY)


def _required_iff(draft: LpaDraft, field: str, required: bool) -> Iterator[Problem]:
    present = draft[field] is not None  # type: ignore[literal-required]
    if required and not present:
        yield Problem(pointer(field), ProblemCode.REQUIRED)
    elif present and not required:
        yield Problem(pointer(field), ProblemCode.NOT_ALLOWED)
