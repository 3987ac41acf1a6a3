"""Corrections by a caseworker: the names, dates of birth, contact details and addresses of the
donor, the certificate provider and attorneys, and the LPA's signing dates.

Before registration this is a correction; once registered, a post-registration correction,
the one change a registered LPA takes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from .. import caps
from ..enums import ActorRole, LpaStatus
from ..problems import Problem, pointer
from ..rules import validate_draft
from ..state import LpaChange, LpaState, Outcome, in_future, refuse
from ..status import OPEN, require
from ..stored import draft_from_rows

CORRECTION = "CORRECTION"
POST_REGISTRATION_CORRECTION = "POST_REGISTRATION_CORRECTION"
NOTHING_TO_CHANGE = "NOTHING_TO_CHANGE"
NOT_FOUND = "NOT_FOUND"
DUPLICATE = "DUPLICATE"
REQUIRED = "REQUIRED"
TOO_LONG = "TOO_LONG"
DATE_IN_FUTURE = "DATE_IN_FUTURE"

REGISTERED = frozenset({LpaStatus.REGISTERED})
LPA_DATES = (
    "signed_at",
    "witnessed_by_certificate_provider_at",
    "witnessed_by_independent_witness_at",
    "certificate_provider_not_related_confirmed_at",
)
ADDRESS_FIELDS = ("line1", "line2", "line3", "town", "postcode", "country")
# A correction may change a value but never take away one every LPA must have.
_REQUIRED = frozenset({"first_names", "last_name", "date_of_birth", "phone", "signed_at"})


# The caps of what a correction may write, so an over-long value is refused as a problem
# rather than failing in the database (PostgreSQL enforces VARCHAR widths, SQLite does not).
_WIDTHS = {
    "first_names": caps.NAME,
    "last_name": caps.NAME,
    "other_names_known_by": caps.NAME,
    "email": caps.EMAIL,
    "phone": caps.PHONE,
    "mobile": caps.PHONE,
    "address_line1": caps.ADDRESS_LINE,
    "address_line2": caps.ADDRESS_LINE,
    "address_line3": caps.ADDRESS_LINE,
    "address_town": caps.ADDRESS_LINE,
    "address_postcode": caps.POSTCODE,
    "address_country": caps.COUNTRY,
}

Target = tuple[str, Mapping[str, Any], Mapping[str, Any]]  # input pointer, actor, given fields


def correct(state: LpaState, correction: Mapping[str, Any], now: datetime) -> Outcome:
    return _correct(state, correction, now, OPEN, CORRECTION)


def correct_registered(state: LpaState, correction: Mapping[str, Any], now: datetime) -> Outcome:
    return _correct(state, correction, now, REGISTERED, POST_REGISTRATION_CORRECTION)


def _correct(
    state: LpaState,
    correction: Mapping[str, Any],
    now: datetime,
    allowed: frozenset[LpaStatus],
    change_type: str,
) -> Outcome:
    """Only what `correction` gives changes (an address given replaces the stored one whole).

    Refused when nothing would change, or when the corrected LPA breaks a rule that the LPA
    did not break before: a paper LPA stored with broken rules can still be corrected, but no
    correction may add a broken rule.
    """
    problems = require(state.status, allowed)
    if problems:
        return problems
    targets, problems = _targets(state, correction)
    for at, _actor, given in targets:
        problems.extend(_person_problems(at, given))
    problems.extend(_date_problems(correction, now))
    if problems:
        return sorted(set(problems))
    change = LpaChange(change_type)
    lpa_values = {name: correction[name] for name in LPA_DATES if name in correction}
    change.lpa = _differing(state.lpa, lpa_values)
    for _at, actor, given in targets:
        values = _differing(actor, _columns(given))
        if values:
            change.actors[actor["id"]] = values
    if not change.lpa and not change.actors:
        return refuse("/input", NOTHING_TO_CHANGE)
    return _introduced(state, change, now) or change


def _targets(state: LpaState, correction: Mapping[str, Any]) -> tuple[list[Target], list[Problem]]:
    targets: list[Target] = []
    problems: list[Problem] = []
    for group, role in (
        ("donor", ActorRole.DONOR),
        ("certificate_provider", ActorRole.CERTIFICATE_PROVIDER),
    ):
        given = correction.get(group)
        actor = state.actor(role)
        if given and actor is not None:
            targets.append((pointer("input", group), actor, given))
    seen: set[int] = set()
    for i, entry in enumerate(correction.get("attorneys") or ()):
        at = pointer("input", "attorneys", i)
        position = entry["attorney"]
        found = state.actor(ActorRole.ATTORNEY, position)
        if found is None:
            problems.append(Problem(at, NOT_FOUND))
        elif position in seen:
            problems.append(Problem(at, DUPLICATE))
        else:
            seen.add(position)
            targets.append((at, found, {k: v for k, v in entry.items() if k != "attorney"}))
    return targets, problems


def _person_problems(at: str, given: Mapping[str, Any]) -> Iterator[Problem]:
    for name, value in given.items():
        if name == "address":
            yield from _address_problems(at, value)
        elif value is None or (isinstance(value, str) and not value.strip()):
            if name in _REQUIRED:
                yield Problem(at + pointer(name), REQUIRED)
        elif isinstance(value, str) and len(value) > _WIDTHS[name]:
            yield Problem(at + pointer(name), TOO_LONG)


def _address_problems(at: str, address: Mapping[str, Any] | None) -> Iterator[Problem]:
    if address is None:
        yield Problem(at + pointer("address"), REQUIRED)
        return
    if not address["line1"].strip():
        yield Problem(at + pointer("address", "line1"), REQUIRED)
    for name in ADDRESS_FIELDS:
        value = address.get(name)
        if value is not None and len(value) > _WIDTHS[f"address_{name}"]:
            yield Problem(at + pointer("address", name), TOO_LONG)


def _date_problems(correction: Mapping[str, Any], now: datetime) -> Iterator[Problem]:
    for name in LPA_DATES:
        if name not in correction:
            continue
        value = correction[name]
        if value is None and name in _REQUIRED:
            yield Problem(pointer("input", name), REQUIRED)
        elif value is not None and in_future(value, now):
            yield Problem(pointer("input", name), DATE_IN_FUTURE)


def _columns(given: Mapping[str, Any]) -> dict[str, Any]:
    """Given person fields as actor columns; an address as all of its `address_` columns."""
    columns = {name: value for name, value in given.items() if name != "address"}
    if "address" in given:
        columns.update({f"address_{k}": given["address"].get(k) for k in ADDRESS_FIELDS})
    return columns


def _differing(stored: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if stored[name] != value}


def _introduced(state: LpaState, change: LpaChange, now: datetime) -> list[Problem]:
    today = now.date()
    before = set(validate_draft(state.draft(), today))
    lpa = {**state.lpa, **change.lpa}
    people = [{**p, **change.actors.get(p["id"], {})} for p in state.people]
    return [p for p in validate_draft(draft_from_rows(lpa, people), today) if p not in before]
