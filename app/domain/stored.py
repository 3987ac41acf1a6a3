"""A stored LPA read back as a draft, so the same rules judge it as judged its creation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from .draft import AddressDraft, LpaDraft
from .enums import ActorRole

_PEOPLE = {
    ActorRole.DONOR: "donor",
    ActorRole.ATTORNEY: "attorneys",
    ActorRole.TRUST_CORPORATION: "trust_corporations",
    ActorRole.CERTIFICATE_PROVIDER: "certificate_provider",
    ActorRole.PERSON_TO_NOTIFY: "people_to_notify",
}
_DRAFT_PERSON_FIELDS = {
    "donor": (
        "first_names",
        "last_name",
        "date_of_birth",
        "email",
        "other_names_known_by",
        "contact_language_preference",
    ),
    "attorneys": (
        "first_names",
        "last_name",
        "date_of_birth",
        "email",
        "mobile",
        "channel",
        "appointment_type",
    ),
    "trust_corporations": ("name", "company_number", "email", "channel", "appointment_type"),
    "certificate_provider": ("first_names", "last_name", "email", "phone", "channel"),
    "people_to_notify": ("first_names", "last_name"),
}
_LISTS = ("attorneys", "trust_corporations", "people_to_notify")
_LPA_FIELDS = tuple(k for k in LpaDraft.__annotations__ if k not in _DRAFT_PERSON_FIELDS)
_ADDRESS_FIELDS = tuple(AddressDraft.__annotations__)


def draft_from_rows(lpa: Mapping[str, Any], people: Sequence[Mapping[str, Any]]) -> LpaDraft:
    draft: dict[str, Any] = {name: lpa[name] for name in _LPA_FIELDS}
    draft.update(attorneys=[], trust_corporations=[], people_to_notify=[])
    for person in people:
        group = _PEOPLE.get(person["role"])
        if group is None:
            continue
        entry = {name: person[name] for name in _DRAFT_PERSON_FIELDS[group]}
        entry["address"] = {name: person[f"address_{name}"] for name in _ADDRESS_FIELDS}
        if group in _LISTS:
            draft[group].append(entry)
        else:
            draft[group] = entry
    return cast(LpaDraft, draft)
