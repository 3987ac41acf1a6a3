"""Records to rows and back: the one place that knows which column holds which field.

Field names of the records are the column names of `actors`, `addresses` and `lpas`; an
actor's address comes back from `people_select` as `address_<column>`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields
from typing import Any

from app.domain.records import (
    Actor,
    Address,
    Anomaly,
    Attorney,
    AuthorisedSignatory,
    CaseFile,
    CertificateProvider,
    Donor,
    FeeRate,
    FeeReductionDecision,
    FeeReductionRequest,
    IdentityCheck,
    IndependentWitness,
    Lpa,
    Payment,
    PersonToNotify,
    Signatory,
    TrustCorporation,
)

Row = Mapping[Any, Any]  # a row by column name, as SQLAlchemy and asyncpg give it
ACTOR_TYPES: dict[str, type[Actor]] = {
    cls.ROLE.value: cls
    for cls in (
        Donor,
        Attorney,
        TrustCorporation,
        CertificateProvider,
        PersonToNotify,
        IndependentWitness,
        AuthorisedSignatory,
    )
}
_NESTED = frozenset({"address", "identity_checks", "signatories"})
_NOT_COLUMNS = frozenset(
    {
        "id",
        "case",
        *(
            f.name
            for f in fields(Lpa)
            if f.name
            in {
                "donor",
                "attorneys",
                "trust_corporations",
                "certificate_provider",
                "people_to_notify",
                "independent_witness",
                "authorised_signatory",
            }
        ),
    }
)
LPA_COLUMNS = tuple(f.name for f in fields(Lpa) if f.name not in _NOT_COLUMNS)
ADDRESS_COLUMNS = tuple(f.name for f in fields(Address))
# each address field and the column `people_select` gives it under
_ADDRESS_FROM_PEOPLE = tuple((name, f"address_{name}") for name in ADDRESS_COLUMNS)


def actor_columns(actor: Actor) -> dict[str, Any]:
    """The actor's own columns (not its address, checks or signatories)."""
    kind = type(actor)
    names = _OWN_COLUMNS.get(kind)
    if names is None:
        names = _OWN_COLUMNS[kind] = tuple(f.name for f in fields(kind) if f.name not in _NESTED)
    return {name: getattr(actor, name) for name in names}


_OWN_COLUMNS: dict[type, tuple[str, ...]] = {}  # per actor class, worked out on first use


def lpa_columns(lpa: Lpa) -> dict[str, Any]:
    return {name: getattr(lpa, name) for name in LPA_COLUMNS}


def address_columns(address: Address) -> dict[str, Any]:
    return {name: getattr(address, name) for name in ADDRESS_COLUMNS}


def lpa_of(
    row: Row,
    people: Iterable[Row],
    checks: Iterable[Row] = (),
    signatories: Iterable[Row] = (),
    case: CaseFile | None = None,
) -> Lpa:
    """The record of a stored LPA, from its row, its people (as `people_select` gives them),
    its identity checks and its trust corporations' signatories."""
    checks_of: dict[Any, list[IdentityCheck]] = {}
    for c in sorted(checks, key=lambda c: c["id"]):
        checks_of.setdefault(c["actor_id"], []).append(
            IdentityCheck(type=c["type"], checked_at=c["checked_at"])
        )
    signed_for: dict[Any, list[Signatory]] = {}
    for s in sorted(signatories, key=lambda s: s["position"]):
        signed_for.setdefault(s["trust_corporation_id"], []).append(
            Signatory(
                id=s["id"],
                first_names=s["first_names"],
                last_name=s["last_name"],
                professional_title=s["professional_title"],
                signed_at=s["signed_at"],
            )
        )
    by_role: dict[str, list[Actor]] = {}
    for person in sorted(people, key=lambda p: p["position"]):
        actor = _actor(person, checks_of.get(person["id"], ()), signed_for.get(person["id"], ()))
        by_role.setdefault(actor.ROLE.value, []).append(actor)

    def one(cls: type[Actor]) -> Any:
        found = by_role.get(cls.ROLE.value)
        return found[0] if found else None

    def many(cls: type[Actor]) -> tuple[Any, ...]:
        return tuple(by_role.get(cls.ROLE.value, ()))

    return Lpa(
        id=row["id"],
        **{name: row[name] for name in LPA_COLUMNS},
        donor=one(Donor),
        attorneys=many(Attorney),
        trust_corporations=many(TrustCorporation),
        certificate_provider=one(CertificateProvider),
        people_to_notify=many(PersonToNotify),
        independent_witness=one(IndependentWitness),
        authorised_signatory=one(AuthorisedSignatory),
        case=case or CaseFile(),
    )


# Each actor class's own columns, and whether it holds identity checks and signatories:
# worked out once, not for every actor read.
_ACTOR_SHAPES: dict[str, tuple[type[Actor], tuple[str, ...], bool, bool]] = {
    role: (
        cls,
        tuple(f.name for f in fields(cls) if f.name not in _NESTED),
        "identity_checks" in {f.name for f in fields(cls)},
        "signatories" in {f.name for f in fields(cls)},
    )
    for role, cls in ACTOR_TYPES.items()
}


def nested_held(people: Iterable[Row]) -> tuple[bool, bool]:
    """Whether any of the people (as `people_select` gives them) holds identity checks, and
    whether any holds signatories: where none does, `lpa_of` leaves those rows out."""
    shapes = [_ACTOR_SHAPES[p["role"]] for p in people]
    return any(s[2] for s in shapes), any(s[3] for s in shapes)


def _actor(row: Row, checks: Sequence[IdentityCheck], signatories: Sequence[Signatory]) -> Actor:
    cls, columns, checked, signed = _ACTOR_SHAPES[row["role"]]
    values = {name: row[name] for name in columns}
    if checked:
        values["identity_checks"] = tuple(checks)
    if signed:
        values["signatories"] = tuple(signatories)
    located = row.get("address_line1") is not None
    address = Address(**{n: row[c] for n, c in _ADDRESS_FROM_PEOPLE}) if located else None
    return cls(**values, address=address)


def case_of(
    requests: Iterable[Row],
    decisions: Iterable[Row],
    payments: Iterable[Row],
    anomalies: Iterable[Row],
) -> CaseFile:
    return CaseFile(
        fee_reduction_requests=tuple(fee_request_of(r) for r in requests),
        fee_reduction_decisions=tuple(fee_decision_of(d) for d in decisions),
        payments=tuple(payment_of(p) for p in payments),
        anomalies=tuple(
            Anomaly(source=a["source"], code=a["code"], status=a["status"]) for a in anomalies
        ),
    )


def fee_request_of(r: Row) -> FeeReductionRequest:
    return FeeReductionRequest(
        id=r["id"],
        requested_type=r["requested_type"],
        evidence_delivery=r["evidence_delivery"],
        previous_application_number=r["previous_application_number"],
        requested_at=r["requested_at"],
    )


def fee_decision_of(d: Row) -> FeeReductionDecision:
    return FeeReductionDecision(
        request_id=d["request_id"],
        outcome=d["outcome"],
        approved_type=d["approved_type"],
        decided_at=d["decided_at"],
        decided_by=d["decided_by"],
    )


def payment_of(p: Row) -> Payment:
    return Payment(
        id=p["id"], amount_pence=p["amount_pence"], reference=p["reference"], paid_at=p["paid_at"]
    )


def fee_rate_of(r: Row) -> FeeRate:
    return FeeRate(
        fee_type=r["fee_type"], amount_pence=r["amount_pence"], effective_from=r["effective_from"]
    )
