"""Corrections by a caseworker: the names, dates of birth, contact details and addresses of the
donor, the certificate provider and attorneys, and the LPA's signing dates.

Before registration this is a correction; once registered, a post-registration correction,
the one change a registered LPA takes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from typing import Any, ClassVar

from .. import caps
from ..assemble import as_draft
from ..change import Change, Outcome, in_future, refuse
from ..codes import ProblemCode
from ..enums import LpaStatus
from ..problems import Problem, pointer
from ..records import Actor, Address, Lpa
from ..rules import validate_draft
from ..status import OPEN, require

REGISTERED = frozenset({LpaStatus.REGISTERED})
# A correction may change a value but never take away one every LPA must have.
_REQUIRED = frozenset({"first_names", "last_name", "date_of_birth", "phone", "signed_at"})
# What a correction may write is refused over its cap as a problem, rather than failing in the
# database (PostgreSQL enforces VARCHAR widths, SQLite does not).
_WIDTHS = {
    "first_names": caps.NAME,
    "last_name": caps.NAME,
    "other_names_known_by": caps.NAME,
    "email": caps.EMAIL,
    "phone": caps.PHONE,
    "mobile": caps.PHONE,
}
_ADDRESS_WIDTHS = {
    "line1": caps.ADDRESS_LINE,
    "line2": caps.ADDRESS_LINE,
    "line3": caps.ADDRESS_LINE,
    "town": caps.ADDRESS_LINE,
    "postcode": caps.POSTCODE,
    "country": caps.COUNTRY,
}

Value = str | date | Address | None


@dataclass(frozen=True, slots=True)
class PersonCorrection:
    """The fields given, by name, with their new values; a field not given keeps its value."""

    given: tuple[tuple[str, Value], ...]


@dataclass(frozen=True, slots=True)
class AttorneyCorrection:
    attorney: int
    given: tuple[tuple[str, Value], ...]


@dataclass(frozen=True, slots=True)
class CorrectLpa(Change):
    """Only what is given changes (an address given replaces the stored one whole).

    Refused when nothing would change, or when the corrected LPA breaks a rule that the LPA
    did not break before: a paper LPA stored with broken rules can still be corrected, but no
    correction may add a broken rule.
    """

    operation: ClassVar[str] = "correctLpa"
    event: ClassVar[str] = "CORRECTION"
    allowed: ClassVar[frozenset[LpaStatus]] = OPEN
    donor: PersonCorrection | None = None
    certificate_provider: PersonCorrection | None = None
    attorneys: tuple[AttorneyCorrection, ...] = ()
    dates: tuple[tuple[str, datetime | None], ...] = ()  # the LPA's dates given, by name

    def __post_init__(self) -> None:
        unknown = {name for name, _ in self.dates} - LPA_DATES
        if unknown:
            raise ValueError(f"not a correctable date: {sorted(unknown)}")

    def decide(self, lpa: Lpa, now: datetime, actor: str) -> Outcome:
        problems = require(lpa.status, self.allowed)
        if problems:
            return problems
        targets, problems = self._targets(lpa)
        for at, _person, given in targets:
            problems.extend(_person_problems(at, given))
        problems.extend(_date_problems(self.dates, now))
        if problems:
            return sorted(set(problems))
        dates: Any = dict(self.dates)  # names from LPA_DATES (see __post_init__)
        corrected = replace(lpa, **dates)
        for _at, person, given in targets:
            values: Any = dict(given)
            corrected = corrected.with_actor(replace(person, **values))
        if corrected == lpa:
            return refuse(pointer("input"), ProblemCode.NOTHING_TO_CHANGE)
        return _introduced(lpa, corrected, now) or self.accept(corrected)

    def _targets(self, lpa: Lpa) -> tuple[list[Target], list[Problem]]:
        targets: list[Target] = []
        problems: list[Problem] = []
        for group, person, given in (
            ("donor", lpa.donor, self.donor),
            ("certificate_provider", lpa.certificate_provider, self.certificate_provider),
        ):
            if given is not None and given.given:
                targets.append((pointer("input", group), person, given.given))
        seen: set[int] = set()
        for i, entry in enumerate(self.attorneys):
            at = pointer("input", "attorneys", i)
            found = lpa.attorney(entry.attorney)
            if found is None:
                problems.append(Problem(at, ProblemCode.NOT_FOUND))
            elif entry.attorney in seen:
                problems.append(Problem(at, ProblemCode.DUPLICATE))
            else:
                seen.add(entry.attorney)
                targets.append((at, found, entry.given))
        return targets, problems


@dataclass(frozen=True, slots=True)
class CorrectRegisteredLpa(CorrectLpa):
    operation: ClassVar[str] = "correctRegisteredLpa"
    event: ClassVar[str] = "POST_REGISTRATION_CORRECTION"
    allowed: ClassVar[frozenset[LpaStatus]] = REGISTERED


Target = tuple[str, Actor, tuple[tuple[str, Value], ...]]  # input pointer, actor, given
LPA_DATES = frozenset(
    {
        "signed_at",
        "witnessed_by_certificate_provider_at",
        "witnessed_by_independent_witness_at",
        "certificate_provider_not_related_confirmed_at",
    }
)


def _person_problems(at: str, given: tuple[tuple[str, Value], ...]) -> Iterator[Problem]:
    for name, value in given:
        if name == "address":
            yield from _address_problems(at, value if isinstance(value, Address) else None)
        elif value is None or (isinstance(value, str) and not value.strip()):
            if name in _REQUIRED:
                yield Problem(at + pointer(name), ProblemCode.REQUIRED)
        elif isinstance(value, str) and len(value) > _WIDTHS[name]:
            yield Problem(at + pointer(name), ProblemCode.TOO_LONG)


def _address_problems(at: str, address: Address | None) -> Iterator[Problem]:
    if address is None:
        yield Problem(at + pointer("address"), ProblemCode.REQUIRED)
        return
    if not address.line1.strip():
        yield Problem(at + pointer("address", "line1"), ProblemCode.REQUIRED)
    for field in fields(address):
        value = getattr(address, field.name)
        if value is not None and len(value) > _ADDRESS_WIDTHS[field.name]:
            yield Problem(at + pointer("address", field.name), ProblemCode.TOO_LONG)


def _date_problems(
    dates: tuple[tuple[str, datetime | None], ...], now: datetime
) -> Iterator[Problem]:
    for name, value in dates:
        if value is None and name in _REQUIRED:
            yield Problem(pointer("input", name), ProblemCode.REQUIRED)
        elif value is not None and in_future(value, now):
            yield Problem(pointer("input", name), ProblemCode.DATE_IN_FUTURE)


def _introduced(before: Lpa, after: Lpa, now: datetime) -> list[Problem]:
    today = now.date()
    known = set(validate_draft(as_draft(before), today))
    return [p for p in validate_draft(as_draft(after), today) if p not in known]
