"""Corrections by a caseworker: the names, dates of birth, contact details and addresses of the
donor, the certificate provider and attorneys, and the signing dates.

Before registration this is a correction; once registered, a post-registration correction,
the one change a registered LPA takes. As in the LPA store, the donor's date of birth is fixed
once their identity is checked and once the LPA is registered, and an online LPA's signing
dates (the donor's, the certificate provider's, an attorney's, a trust corporation's) are
what the signers did online: no correction moves them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from typing import Any, ClassVar

from .. import caps
from ..change import Change, Outcome, in_future, introduced, refuse
from ..codes import ProblemCode
from ..enums import Channel, LpaStatus
from ..problems import Problem, pointer
from ..records import Actor, ActorKey, Address, Appointee, CertificateProvider, Lpa
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
    attorney: ActorKey
    given: tuple[tuple[str, Value], ...]


@dataclass(frozen=True, slots=True)
class TrustCorporationCorrection:
    trust_corporation: ActorKey
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
    trust_corporations: tuple[TrustCorporationCorrection, ...] = ()

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
            problems.extend(_person_problems(at, given, now))
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
        fixed = _fixed_problems(lpa, corrected)
        return fixed or introduced(lpa, corrected, now) or self.accept(corrected)

    def _targets(self, lpa: Lpa) -> tuple[list[Target], list[Problem]]:
        targets: list[Target] = []
        problems: list[Problem] = []
        for group, person, correction in (
            ("donor", lpa.donor, self.donor),
            ("certificate_provider", lpa.certificate_provider, self.certificate_provider),
        ):
            if correction is not None and correction.given:
                targets.append((pointer("input", group), person, correction.given))
        listed: list[tuple[str, int, Actor | None, tuple[tuple[str, Value], ...]]] = [
            ("attorneys", i, lpa.attorney(a.attorney), a.given)
            for i, a in enumerate(self.attorneys)
        ]
        listed += [
            ("trust_corporations", i, lpa.trust_corporation(t.trust_corporation), t.given)
            for i, t in enumerate(self.trust_corporations)
        ]
        seen: set[object] = set()
        for group, i, found, given in listed:
            at = pointer("input", group, i)
            if found is None:
                problems.append(Problem(at, ProblemCode.NOT_FOUND))
            elif found.id in seen:
                problems.append(Problem(at, ProblemCode.DUPLICATE))
            else:
                seen.add(found.id)
                targets.append((at, found, given))
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


def _person_problems(
    at: str, given: tuple[tuple[str, Value], ...], now: datetime
) -> Iterator[Problem]:
    for name, value in given:
        if name == "address":
            yield from address_problems(at, value if isinstance(value, Address) else None)
        elif value is None or (isinstance(value, str) and not value.strip()):
            if name in _REQUIRED:
                yield Problem(at + pointer(name), ProblemCode.REQUIRED)
        elif isinstance(value, str) and len(value) > _WIDTHS[name]:
            yield Problem(at + pointer(name), ProblemCode.TOO_LONG)
        elif isinstance(value, datetime) and in_future(value, now):
            yield Problem(at + pointer(name), ProblemCode.DATE_IN_FUTURE)


def _fixed_problems(before: Lpa, after: Lpa) -> list[Problem]:
    """What no correction may move: the donor's date of birth once their identity is checked
    or the LPA registered; any signing date of an online LPA. Pointers name the LPA's field,
    as the LPA store's do."""
    problems: list[Problem] = []
    if after.donor.date_of_birth != before.donor.date_of_birth:
        at = pointer("donor", "date_of_birth")
        if before.status is LpaStatus.REGISTERED:
            problems.append(Problem(at, ProblemCode.LPA_REGISTERED))
        elif before.donor.identity_checks:
            problems.append(Problem(at, ProblemCode.IDENTITY_CHECKED))
    if before.channel is Channel.ONLINE:
        if after.signed_at != before.signed_at:
            problems.append(Problem(pointer("signed_at"), ProblemCode.SIGNED_ONLINE))
        old_signers: list[CertificateProvider | Appointee] = [
            before.certificate_provider,
            *before.appointees,
        ]
        new_signers: list[CertificateProvider | Appointee] = [
            after.certificate_provider,
            *after.appointees,
        ]
        signers = zip(old_signers, new_signers, strict=True)
        problems += [
            Problem(pointer(*old.path, "signed_at"), ProblemCode.SIGNED_ONLINE)
            for old, new in signers
            if new.signed_at != old.signed_at
        ]
    return problems


def address_problems(at: str, address: Address | None) -> Iterator[Problem]:
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
