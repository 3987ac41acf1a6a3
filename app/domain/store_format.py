"""One line of OPG's LPA store JSON (schema 2024-10, the shape of its `lpa.json`), read into
what the gateway's create path takes and what the store already knew about the LPA.

Each kind of object has a table: the store's key -> our field, how to read it, and whether it
goes into the *draft* (what `createLpa` accepts, judged by the same rules) or is *held* (the
store's own state of the LPA: its uid, status, dates, actor UIDs, signatures, identity
checks), kept on the record as it is.

Invariant: a key no table names refuses the whole record with UNSUPPORTED_FIELD at its pointer,
so no personal data is silently dropped. A problem names a pointer and a code, never a value.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TypeVar, cast

from . import caps
from .codes import ProblemCode
from .draft import LpaDraft
from .enums import (
    AppointmentType,
    AttorneyStatus,
    Channel,
    HowAttorneysMakeDecisions,
    HowReplacementAttorneysStepIn,
    IdentityCheckType,
    Language,
    LifeSustainingTreatmentOption,
    LpaStatus,
    LpaType,
    WhenTheLpaCanBeUsed,
)
from .held import (
    Held,
    HeldAppointee,
    HeldCertificateProvider,
    HeldDonor,
    HeldLpa,
    HeldTrustCorporation,
)
from .problems import Problem
from .records import Address, AuthorisedSignatory, IdentityCheck, IndependentWitness, Signatory
from .uid import InvalidUid, parse_uid

Reader = Callable[[object, str], object]  # a store value and its pointer -> ours, or Refused
_PLAIN_KEY = re.compile(r"[A-Za-z][A-Za-z0-9]{0,63}")
_GO_ZERO_YEAR = 1  # Go writes an unset time as 0001-01-01T00:00:00Z
T = TypeVar("T")
MAX_LINE = 1 << 20  # bytes: an LPA is a few kilobytes, its longest texts 10,000 characters


class Refused(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.problems = problems


@dataclass(frozen=True, slots=True)
class StoreRecord:
    """A line that reads as an LPA: what `createLpa` would take, and the store's own state."""

    draft: LpaDraft
    held: HeldLpa

    @property
    def uid(self) -> str:
        return self.held.uid


@dataclass(frozen=True, slots=True)
class Field:
    name: str  # our field, snake_case
    read: Reader
    required: bool = False
    held: bool = False
    many: bool = False  # a list: absent reads as empty


@dataclass(frozen=True, slots=True)
class Table:
    """How one kind of object reads: its fields by the store's key, and the record its held
    fields make (None: it holds nothing of its own, as an address)."""

    fields: Mapping[str, Field]
    held_as: Callable[..., object] | None = None


@dataclass(frozen=True, slots=True)
class _Part:
    """An object read with its table: its draft fields by name, and its held record."""

    draft: dict[str, object] = field(default_factory=dict)
    held: object = None


def read_line(line: bytes) -> StoreRecord | list[Problem]:
    if len(line) > MAX_LINE:
        return [Problem("", ProblemCode.TOO_LONG)]
    try:
        value = json.loads(
            line.decode("utf-8"), parse_constant=_no_constant, object_pairs_hook=_once_each
        )
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError included
        return [Problem("", ProblemCode.NOT_JSON)]
    if not isinstance(value, dict):
        return [Problem("", ProblemCode.NOT_AN_OBJECT)]
    try:
        part = _object(LPA, value, "")
    except Refused as refused:
        return sorted(set(refused.problems))
    return StoreRecord(draft=cast(LpaDraft, part.draft), held=cast(HeldLpa, part.held))


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _once_each(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """I-JSON: a key twice in one object would silently drop the first value."""
    found = dict(pairs)
    if len(found) != len(pairs):
        raise ValueError("a key is repeated")
    return found


# Readers: each returns our value, None for a value the store means as unset, or raises.


def _bad(at: str, code: ProblemCode = ProblemCode.INVALID_VALUE) -> Refused:
    return Refused([Problem(at, code)])


def _text(cap: int) -> Reader:
    def read(value: object, at: str) -> str:
        if not isinstance(value, str):
            raise _bad(at)
        if len(value) > cap:
            raise _bad(at, ProblemCode.TOO_LONG)
        return value

    return read


def _vocabulary(enum: type[StrEnum]) -> Reader:
    values = {m.value: m for m in enum}

    def read(value: object, at: str) -> StrEnum:
        if not isinstance(value, str) or value not in values:
            raise _bad(at)
        return values[value]

    return read


def _lpa_uid(value: object, at: str) -> str:
    try:
        return parse_uid(value) if isinstance(value, str) else parse_uid("")
    except InvalidUid:
        raise _bad(at, ProblemCode.INVALID_UID) from None


def _actor_uid(value: object, at: str) -> uuid.UUID:
    try:
        return uuid.UUID(_string(value))
    except ValueError:
        raise _bad(at) from None


def _date(value: object, at: str) -> date:
    try:
        return date.fromisoformat(_string(value))
    except ValueError:
        raise _bad(at) from None


def _datetime(value: object, at: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(_string(value))
    except ValueError:
        raise _bad(at) from None
    if parsed.tzinfo is None:
        raise _bad(at)  # RFC 3339 always names its offset
    return None if parsed.year == _GO_ZERO_YEAR else parsed.astimezone(UTC)


def _string(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("not a string")
    return value


def _with(table: Table) -> Reader:
    def read(value: object, at: str) -> _Part:
        return _object(table, value, at)

    return read


def _record(make: Callable[..., object], table: Table) -> Reader:
    """An object read with `table` as the record `make` builds of its fields; a person keeps
    the UID the store gave them, or is issued one."""

    def read(value: object, at: str) -> object:
        part = _object(table, value, at)
        if isinstance(part.held, Held):
            return make(id=part.held.id or uuid.uuid4(), **part.draft)
        return make(**part.draft)

    return read


def _one(read: Reader) -> Reader:
    """A record the store keeps one of, which we keep a tuple of."""
    return lambda value, at: (read(value, at),)


def _list(read: Reader, cap: int) -> Reader:
    return lambda value, at: tuple(_items(value, at, cap, read))


def _object(table: Table, value: object, at: str) -> _Part:
    if not isinstance(value, dict):
        raise _bad(at)
    problems = [_unsupported(at, key) for key in value if key not in table.fields]
    draft: dict[str, object] = {}
    held: dict[str, object] = {}
    for key, spec in table.fields.items():
        here = f"{at}/{key}"
        try:
            read = _read(spec, value.get(key), here)
        except Refused as refused:
            problems.extend(refused.problems)
            continue
        if read is None and spec.required:
            problems.append(Problem(here, ProblemCode.REQUIRED))
        elif spec.held:
            held[spec.name] = read
        elif isinstance(read, _Part):
            draft[spec.name] = read.draft
            if read.held is not None:  # a person's (an address holds nothing of its own)
                held[spec.name] = read.held
        elif isinstance(read, list) and spec.many:
            draft[spec.name] = [p.draft for p in read]
            held[spec.name] = tuple(p.held for p in read)
        else:
            draft[spec.name] = read
    if problems:
        raise Refused(problems)
    return _Part(draft, None if table.held_as is None else table.held_as(**held))


def _read(spec: Field, value: object, at: str) -> object:
    if spec.many:
        return [] if value is None else _items(value, at, _LIST_CAPS[spec.name], spec.read)
    if value is None or value == "":  # Go leaves an unset string empty
        return None
    return spec.read(value, at)


def _items(value: object, at: str, cap: int, read: Callable[[object, str], T]) -> list[T]:
    if not isinstance(value, list):
        raise _bad(at)
    if len(value) > cap:
        raise _bad(at, ProblemCode.TOO_MANY)
    found: list[T] = []
    problems: list[Problem] = []
    for i, item in enumerate(value):
        try:
            found.append(read(item, f"{at}/{i}"))
        except Refused as refused:
            problems.extend(refused.problems)
    if problems:
        raise Refused(problems)
    return found


def _unsupported(at: str, key: str) -> Problem:
    # A key is input: it is named only when it is a plain field name.
    return Problem(
        f"{at}/{key}" if _PLAIN_KEY.fullmatch(key) else at, ProblemCode.UNSUPPORTED_FIELD
    )


_LIST_CAPS = {
    "attorneys": caps.ATTORNEYS_GIVEN,
    "trust_corporations": caps.TRUST_CORPORATIONS_GIVEN,
    "people_to_notify": caps.PEOPLE_TO_NOTIFY_GIVEN,
}
_NAME, _LINE, _PHONE = _text(caps.NAME), _text(caps.ADDRESS_LINE), _text(caps.PHONE)
_EMAIL, _TEXT = _text(caps.EMAIL), _text(caps.TEXT)
_HOW = _vocabulary(HowAttorneysMakeDecisions)
_UID = Field("id", _actor_uid, held=True)  # kept when given, issued when absent

# The tables. A field our model cannot hold yet is simply absent, and so refused.
ADDRESS = Table(
    {
        "line1": Field("line1", _LINE, required=True),
        "line2": Field("line2", _LINE),
        "line3": Field("line3", _LINE),
        "town": Field("town", _LINE),
        "postcode": Field("postcode", _text(caps.POSTCODE)),
        "country": Field("country", _text(caps.COUNTRY)),  # a missing one is a rule's problem
    },
)
_ADDRESS = Field("address", _with(ADDRESS), required=True)
IDENTITY_CHECK = Table(
    {
        "checkedAt": Field("checked_at", _datetime, required=True),
        "type": Field("type", _vocabulary(IdentityCheckType), required=True),
    },
)
_IDENTITY_CHECK = Field("identity_checks", _one(_record(IdentityCheck, IDENTITY_CHECK)), held=True)
_SIGNED_AT = Field("signed_at", _datetime, held=True)
DONOR = Table(
    {
        "uid": _UID,
        "firstNames": Field("first_names", _NAME, required=True),
        "lastName": Field("last_name", _NAME, required=True),
        "dateOfBirth": Field("date_of_birth", _date, required=True),
        "email": Field("email", _EMAIL),
        "otherNamesKnownBy": Field("other_names_known_by", _NAME),
        "contactLanguagePreference": Field("contact_language_preference", _vocabulary(Language)),
        "address": _ADDRESS,
        "identityCheck": _IDENTITY_CHECK,
    },
    HeldDonor,
)
_APPOINTEE = {
    "uid": _UID,
    "email": Field("email", _EMAIL),
    "channel": Field("channel", _vocabulary(Channel), required=True),
    "appointmentType": Field("appointment_type", _vocabulary(AppointmentType), required=True),
    "address": _ADDRESS,
    "status": Field("status", _vocabulary(AttorneyStatus), held=True),
    "signedAt": _SIGNED_AT,
}
ATTORNEY = Table(
    {
        **_APPOINTEE,
        "firstNames": Field("first_names", _NAME, required=True),
        "lastName": Field("last_name", _NAME, required=True),
        "dateOfBirth": Field("date_of_birth", _date, required=True),
        "mobile": Field("mobile", _PHONE),
    },
    HeldAppointee,
)
SIGNATORY = Table(
    {
        "firstNames": Field("first_names", _NAME, required=True),
        "lastName": Field("last_name", _NAME, required=True),
        "professionalTitle": Field("professional_title", _NAME),
        "signedAt": Field("signed_at", _datetime),
    },
    Held,  # the store gives a signatory no UID: one is issued
)
TRUST_CORPORATION = Table(
    {
        **_APPOINTEE,
        "name": Field("name", _NAME, required=True),
        "companyNumber": Field("company_number", _text(caps.COMPANY_NUMBER), required=True),
        "signatories": Field(
            "signatories", _list(_record(Signatory, SIGNATORY), caps.SIGNATORIES), held=True
        ),
    },
    HeldTrustCorporation,
)
CERTIFICATE_PROVIDER = Table(
    {
        "uid": _UID,
        "firstNames": Field("first_names", _NAME, required=True),
        "lastName": Field("last_name", _NAME, required=True),
        "email": Field("email", _EMAIL),
        "phone": Field("phone", _PHONE, required=True),
        "channel": Field("channel", _vocabulary(Channel), required=True),
        "address": _ADDRESS,
        "signedAt": _SIGNED_AT,
        "identityCheck": _IDENTITY_CHECK,
    },
    HeldCertificateProvider,
)
PERSON_TO_NOTIFY = Table(
    {
        "uid": _UID,
        "firstNames": Field("first_names", _NAME, required=True),
        "lastName": Field("last_name", _NAME, required=True),
        "address": _ADDRESS,
    },
    Held,
)
INDEPENDENT_WITNESS = Table(
    {
        "uid": _UID,
        "firstNames": Field("first_names", _NAME, required=True),
        "lastName": Field("last_name", _NAME, required=True),
        "phone": Field("phone", _PHONE),
        "address": Field("address", _record(Address, ADDRESS)),
    },
    Held,
)
AUTHORISED_SIGNATORY = Table(
    {
        "uid": _UID,
        "firstNames": Field("first_names", _NAME, required=True),
        "lastName": Field("last_name", _NAME, required=True),
    },
    Held,
)
LPA = Table(
    {
        # held: the store's state of the LPA
        "uid": Field("uid", _lpa_uid, required=True, held=True),
        "status": Field("status", _vocabulary(LpaStatus), required=True, held=True),
        "registrationDate": Field("registration_date", _date, held=True),
        "updatedAt": Field("updated_at", _datetime, held=True),
        "witnessedByIndependentWitnessAt": Field(
            "witnessed_by_independent_witness_at", _datetime, held=True
        ),
        "certificateProviderNotRelatedConfirmedAt": Field(
            "certificate_provider_not_related_confirmed_at", _datetime, held=True
        ),
        "independentWitness": Field(
            "independent_witness", _record(IndependentWitness, INDEPENDENT_WITNESS), held=True
        ),
        "authorisedSignatory": Field(
            "authorised_signatory", _record(AuthorisedSignatory, AUTHORISED_SIGNATORY), held=True
        ),
        # the draft: what createLpa takes
        "lpaType": Field("lpa_type", _vocabulary(LpaType), required=True),
        "channel": Field("channel", _vocabulary(Channel), required=True),
        "language": Field("language", _vocabulary(Language), required=True),
        "donor": Field("donor", _with(DONOR), required=True),
        "attorneys": Field("attorneys", _with(ATTORNEY), many=True),
        "trustCorporations": Field("trust_corporations", _with(TRUST_CORPORATION), many=True),
        "certificateProvider": Field(
            "certificate_provider", _with(CERTIFICATE_PROVIDER), required=True
        ),
        "peopleToNotify": Field("people_to_notify", _with(PERSON_TO_NOTIFY), many=True),
        "howAttorneysMakeDecisions": Field("how_attorneys_make_decisions", _HOW),
        "howAttorneysMakeDecisionsDetails": Field("how_attorneys_make_decisions_details", _TEXT),
        "howReplacementAttorneysMakeDecisions": Field(
            "how_replacement_attorneys_make_decisions", _HOW
        ),
        "howReplacementAttorneysMakeDecisionsDetails": Field(
            "how_replacement_attorneys_make_decisions_details", _TEXT
        ),
        "howReplacementAttorneysStepIn": Field(
            "how_replacement_attorneys_step_in", _vocabulary(HowReplacementAttorneysStepIn)
        ),
        "howReplacementAttorneysStepInDetails": Field(
            "how_replacement_attorneys_step_in_details", _TEXT
        ),
        "whenTheLpaCanBeUsed": Field("when_the_lpa_can_be_used", _vocabulary(WhenTheLpaCanBeUsed)),
        "lifeSustainingTreatmentOption": Field(
            "life_sustaining_treatment_option", _vocabulary(LifeSustainingTreatmentOption)
        ),
        "restrictionsAndConditions": Field("restrictions_and_conditions", _TEXT),
        "signedAt": Field("signed_at", _datetime),
        "witnessedByCertificateProviderAt": Field(
            "witnessed_by_certificate_provider_at", _datetime
        ),
    },
    HeldLpa,
)
