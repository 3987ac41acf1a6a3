"""The rules an LPA must keep (DESIGN section 2, and OPG's LPA store's create rules).

Online LPAs that break a rule are refused with these problems; paper LPAs are stored anyway
and each problem becomes an anomaly for a caseworker. The functions here are pure: they read a
draft and a date and return problems, sorted, never values. A draft is judged after the store's
defaults (`defaults.with_defaults`); `create.decide_create` does both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date

from . import caps
from .codes import ProblemCode
from .defaults import appointee_counts, replacement_mode_needed
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
    yield from _blank_rules(draft)
    yield from _date_rules(draft)
    if draft["donor"]["contact_language_preference"] is None:
        yield Problem(pointer("donor", "contact_language_preference"), ProblemCode.REQUIRED)
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
    active, replacements = appointee_counts(draft)
    mode = draft["how_attorneys_make_decisions"]
    yield from _required_iff(draft, "how_attorneys_make_decisions", active > 1)
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
    yield from _required_iff(
        draft, "how_replacement_attorneys_make_decisions", replacement_mode_needed(draft)
    )
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
    # the donor's email is optional on either channel, as in the store
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


def _addresses(draft: LpaDraft) -> Iterator[tuple[tuple[str | int, ...], AddressDraft]]:
    yield ("donor",), draft["donor"]["address"]
    yield ("certificate_provider",), draft["certificate_provider"]["address"]
    for group in ("attorneys", "trust_corporations", "people_to_notify"):
        for i, actor in enumerate(draft[group]):
            yield (group, i), actor["address"]
    witness = draft.get("independent_witness")
    if witness is not None:
        yield ("independent_witness",), witness["address"]


def _address_rules(draft: LpaDraft) -> Iterator[Problem]:
    for at, address in _addresses(draft):
        if not address["line1"].strip():
            yield Problem(pointer(*at, "address", "line1"), ProblemCode.REQUIRED)
        country = address["country"]
        if country is None:
            yield Problem(pointer(*at, "address", "country"), ProblemCode.REQUIRED)
        elif not _COUNTRY.fullmatch(country):
            yield Problem(pointer(*at, "address", "country"), ProblemCode.INVALID_COUNTRY)


def _named(draft: LpaDraft) -> Iterator[tuple[tuple[str | int, ...], Mapping[str, object]]]:
    """Every person named on the draft, with where they sit."""
    yield ("donor",), draft["donor"]
    for group in ("attorneys", "people_to_notify"):
        for i, listed in enumerate(draft[group]):
            yield (group, i), listed
    yield ("certificate_provider",), draft["certificate_provider"]
    witness, signatory = draft.get("independent_witness"), draft.get("authorised_signatory")
    if witness is not None:
        yield ("independent_witness",), witness
    if signatory is not None:
        yield ("authorised_signatory",), signatory


def _blank_rules(draft: LpaDraft) -> Iterator[Problem]:
    """Names, and the phones the store asks for, are not blank once trimmed."""
    for at, person in _named(draft):
        for field in ("first_names", "last_name"):
            yield from _not_blank(at, field, person[field])
    for i, trust in enumerate(draft["trust_corporations"]):
        yield from _not_blank(("trust_corporations", i), "name", trust["name"])
    provider = draft["certificate_provider"]
    yield from _not_blank(("certificate_provider",), "phone", provider["phone"])
    witness = draft.get("independent_witness")
    if witness is not None:
        yield from _not_blank(("independent_witness",), "phone", witness["phone"])


def _not_blank(at: tuple[str | int, ...], field: str, value: object) -> Iterator[Problem]:
    if not isinstance(value, str) or not value.strip():
        yield Problem(pointer(*at, field), ProblemCode.REQUIRED)


def _date_rules(draft: LpaDraft) -> Iterator[Problem]:
    """The donor's signature and the certificate provider's witnessing are always dated, and
    an independent witness's witnessing too when there is one."""
    required = ["signed_at", "witnessed_by_certificate_provider_at"]
    if draft.get("independent_witness") is not None:
        required.append("witnessed_by_independent_witness_at")
    for field in required:
        if draft.get(field) is None:
            yield Problem(pointer(field), ProblemCode.REQUIRED)


def _required_iff(draft: LpaDraft, field: str, required: bool) -> Iterator[Problem]:
    present = draft[field] is not None  # type: ignore[literal-required]
    if required and not present:
        yield Problem(pointer(field), ProblemCode.REQUIRED)
    elif present and not required:
        yield Problem(pointer(field), ProblemCode.NOT_ALLOWED)
