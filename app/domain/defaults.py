"""The defaults OPG's LPA store gives a new LPA before judging it, each remembered as defaulted
so that case management can tell a donor's choice from a default.

Who counts is the store's count: an attorney or trust corporation is *active* when its status
is active, and a *replacement* while it is an inactive replacement. A status not given is the
first status of its appointment: originals act from the start, replacements once they step in.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from .draft import AttorneyDraft, LpaDraft, TrustCorporationDraft
from .enums import (
    AppointmentType,
    AttorneyStatus,
    HowAttorneysMakeDecisions,
    HowReplacementAttorneysStepIn,
    LifeSustainingTreatmentOption,
    LpaType,
    WhenTheLpaCanBeUsed,
)

# The fields a default may fill, each with the store's `…IsDefault` flag on the record.
DEFAULTABLE: Final = (
    "how_attorneys_make_decisions",
    "how_replacement_attorneys_make_decisions",
    "when_the_lpa_can_be_used",
    "life_sustaining_treatment_option",
)


def first_status(appointment: AppointmentType) -> AttorneyStatus:
    if appointment is AppointmentType.ORIGINAL:
        return AttorneyStatus.ACTIVE
    return AttorneyStatus.INACTIVE  # replacements act only once they step in


def status_of(appointee: AttorneyDraft | TrustCorporationDraft) -> AttorneyStatus:
    return appointee.get("status") or first_status(appointee["appointment_type"])


def appointee_counts(draft: LpaDraft) -> tuple[int, int]:
    """(active, replacements waiting to step in), trust corporations included."""
    appointees: Iterable[AttorneyDraft | TrustCorporationDraft] = [
        *draft["attorneys"],
        *draft["trust_corporations"],
    ]
    active = replacements = 0
    for appointee in appointees:
        status = status_of(appointee)
        if status is AttorneyStatus.ACTIVE:
            active += 1
        elif (
            status is AttorneyStatus.INACTIVE
            and appointee["appointment_type"] is AppointmentType.REPLACEMENT
        ):
            replacements += 1
    return active, replacements


def replacement_mode_needed(draft: LpaDraft) -> bool:
    """Whether the replacements' decision mode is asked for: with more than one replacement,
    and one active attorney, or originals acting jointly, or jointly and severally until all
    can no longer act. Anywhere else the store refuses it."""
    active, replacements = appointee_counts(draft)
    mode = draft["how_attorneys_make_decisions"]
    step_in = draft["how_replacement_attorneys_step_in"]
    return replacements > 1 and (
        active == 1
        or mode is HowAttorneysMakeDecisions.JOINTLY
        or (
            mode is HowAttorneysMakeDecisions.JOINTLY_AND_SEVERALLY
            and step_in is HowReplacementAttorneysStepIn.ALL_CAN_NO_LONGER_ACT
        )
    )


def with_defaults(draft: LpaDraft) -> tuple[LpaDraft, frozenset[str]]:
    """The draft with the store's defaults filled in, and the names of the fields defaulted.
    The draft given is not changed."""
    filled: LpaDraft = {**draft}
    defaulted: set[str] = set()
    active, _ = appointee_counts(filled)
    if active > 1 and filled["how_attorneys_make_decisions"] is None:
        filled["how_attorneys_make_decisions"] = HowAttorneysMakeDecisions.JOINTLY
        defaulted.add("how_attorneys_make_decisions")
    # after the originals' default: a defaulted JOINTLY asks for the replacements' mode too
    replacement_mode = filled["how_replacement_attorneys_make_decisions"]
    if replacement_mode_needed(filled) and replacement_mode is None:
        filled["how_replacement_attorneys_make_decisions"] = HowAttorneysMakeDecisions.JOINTLY
        defaulted.add("how_replacement_attorneys_make_decisions")
    lpa_type = filled["lpa_type"]
    if lpa_type is LpaType.PROPERTY_AND_AFFAIRS and filled["when_the_lpa_can_be_used"] is None:
        filled["when_the_lpa_can_be_used"] = WhenTheLpaCanBeUsed.WHEN_HAS_CAPACITY
        defaulted.add("when_the_lpa_can_be_used")
    if lpa_type is LpaType.PERSONAL_WELFARE and filled["life_sustaining_treatment_option"] is None:
        filled["life_sustaining_treatment_option"] = LifeSustainingTreatmentOption.OPTION_B
        defaulted.add("life_sustaining_treatment_option")
    return filled, frozenset(defaulted)
