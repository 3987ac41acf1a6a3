"""The full LPA record for caseworkers: its fields, people, fees, history, anomalies and
progress. Everything below the LPA row is loaded through per-request DataLoaders, so reading
one LPA or many costs the same number of statements."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import strawberry

from app.db.mapping import fee_decision_of, fee_request_of, lpa_of, payment_of
from app.domain.codes import ProblemCode
from app.domain.enums import ActorRole
from app.domain.fees import fee_due
from app.domain.readiness import registration_problems

from ..context import RequestContext
from ..enums import (
    AnomalyStatus,
    Channel,
    EvidenceDelivery,
    FeeDecisionOutcome,
    FeeType,
    HowAttorneysMakeDecisions,
    HowReplacementAttorneysStepIn,
    Language,
    LifeSustainingTreatmentOption,
    LpaStatusCode,
    LpaType,
    WhenTheLpaCanBeUsed,
)
from ..errors import BadUserInput
from ..results import Problem
from ..scalars import LpaUid
from .people import (
    Attorney,
    AuthorisedSignatory,
    CertificateProvider,
    Donor,
    IndependentWitness,
    PersonToNotify,
    TrustCorporation,
    person,
)

Info = strawberry.Info[RequestContext, None]
MAX_PAGE = 100


def page_size(first: int) -> int:
    if not 1 <= first <= MAX_PAGE:
        raise BadUserInput(f"first must be between 1 and {MAX_PAGE}")
    return first


@strawberry.type
class FieldChange:
    field: str
    old: str | None = strawberry.field(description="The old value as JSON text.")
    new: str | None = strawberry.field(description="The new value as JSON text.")


@strawberry.type
class HistoryEntry:
    version: int
    change_type: str
    author: str
    applied_at: datetime
    fields: list[FieldChange]


@strawberry.type
class Anomaly:
    source: str
    code: str
    status: AnomalyStatus
    detected_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None


@strawberry.type
class FeeDecision:
    outcome: FeeDecisionOutcome
    approved_type: FeeType | None
    decided_at: datetime
    decided_by: str


@strawberry.type
class FeeReductionRequest:
    id: strawberry.Private[Any]
    requested_type: FeeType
    evidence_delivery: EvidenceDelivery
    previous_application_number: str | None
    requested_at: datetime

    @strawberry.field
    async def decisions(self, info: Info) -> list[FeeDecision]:
        rows = await info.context.loaders["fee_reduction_decisions"].load(self.id)
        return [
            FeeDecision(
                outcome=r["outcome"],
                approved_type=r["approved_type"],
                decided_at=r["decided_at"],
                decided_by=r["decided_by"],
            )
            for r in rows
        ]


@strawberry.type
class Payment:
    amount_pence: int
    reference: str
    paid_at: datetime


@strawberry.type
class Progress:
    donor_signed: bool
    certificate_provider_signed: bool
    signatures_outstanding: int
    ready_for_statutory_waiting_period: bool
    problems: list[Problem]


# The fields of `Lpa` whose resolvers read its people: `lpa(uid)` reads them with the LPA's
# row when its selection reaches any of these.
PEOPLE_FIELDS = frozenset(
    {
        "donor",
        "attorneys",
        "trustCorporations",
        "certificateProvider",
        "peopleToNotify",
        "independentWitness",
        "authorisedSignatory",
        "progress",
    }
)


@strawberry.type
class Lpa:
    row: strawberry.Private[dict[str, Any]]
    # its people's rows, read with it; their read's error if it failed; None if not read
    people: strawberry.Private[list[dict[str, Any]] | Exception | None]
    uid: LpaUid
    status: LpaStatusCode
    lpa_type: LpaType
    channel: Channel
    language: Language
    how_attorneys_make_decisions: HowAttorneysMakeDecisions | None
    how_attorneys_make_decisions_details: str | None
    how_replacement_attorneys_make_decisions: HowAttorneysMakeDecisions | None
    how_replacement_attorneys_make_decisions_details: str | None
    how_replacement_attorneys_step_in: HowReplacementAttorneysStepIn | None
    how_replacement_attorneys_step_in_details: str | None
    when_the_lpa_can_be_used: WhenTheLpaCanBeUsed | None
    life_sustaining_treatment_option: LifeSustainingTreatmentOption | None
    restrictions_and_conditions: str | None
    signed_at: datetime | None
    witnessed_by_certificate_provider_at: datetime | None
    witnessed_by_independent_witness_at: datetime | None
    certificate_provider_not_related_confirmed_at: datetime | None
    registration_date: date | None
    how_attorneys_make_decisions_is_default: bool = strawberry.field(
        description="The LPA store's default filled it (JOINTLY): the donor did not choose."
    )
    how_replacement_attorneys_make_decisions_is_default: bool = strawberry.field(
        description="The LPA store's default filled it (JOINTLY): the donor did not choose."
    )
    when_the_lpa_can_be_used_is_default: bool = strawberry.field(
        description="The LPA store's default filled it (WHEN_HAS_CAPACITY)."
    )
    life_sustaining_treatment_option_is_default: bool = strawberry.field(
        description="The LPA store's default filled it (OPTION_B)."
    )
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, row: dict[str, Any], people: list[dict[str, Any]] | Exception | None) -> Lpa:
        return cls(row=row, people=people, **{n: row[n] for n in _COLUMNS})

    def _all_people(self) -> list[dict[str, Any]]:
        people = self.people
        if isinstance(people, Exception):
            raise people  # as the one read of them failed, for each field that asks
        if people is None:  # a resolver reads them that PEOPLE_FIELDS leaves out
            raise RuntimeError("the people of an LPA were asked for, but not read")
        return people

    def _people(self, role: ActorRole) -> list[dict[str, Any]]:
        return [r for r in self._all_people() if r["role"] is role]

    @strawberry.field
    def donor(self) -> Donor | None:
        found = self._people(ActorRole.DONOR)
        return person(Donor, found[0]) if found else None

    @strawberry.field
    def attorneys(self) -> list[Attorney]:
        return [person(Attorney, r) for r in self._people(ActorRole.ATTORNEY)]

    @strawberry.field
    def trust_corporations(self) -> list[TrustCorporation]:
        return [person(TrustCorporation, r) for r in self._people(ActorRole.TRUST_CORPORATION)]

    @strawberry.field
    def certificate_provider(self) -> CertificateProvider | None:
        found = self._people(ActorRole.CERTIFICATE_PROVIDER)
        return person(CertificateProvider, found[0]) if found else None

    @strawberry.field
    def people_to_notify(self) -> list[PersonToNotify]:
        return [person(PersonToNotify, r) for r in self._people(ActorRole.PERSON_TO_NOTIFY)]

    @strawberry.field
    def independent_witness(self) -> IndependentWitness | None:
        found = self._people(ActorRole.INDEPENDENT_WITNESS)
        return person(IndependentWitness, found[0]) if found else None

    @strawberry.field
    def authorised_signatory(self) -> AuthorisedSignatory | None:
        found = self._people(ActorRole.AUTHORISED_SIGNATORY)
        return person(AuthorisedSignatory, found[0]) if found else None

    @strawberry.field
    async def history(self, info: Info, first: int = MAX_PAGE) -> list[HistoryEntry]:
        """The first changes, oldest first, at most 100 at a time."""
        limit = page_size(first)
        rows = await info.context.loaders["history"].load(self.row["id"])
        return [
            HistoryEntry(
                version=r["lpa_version"],
                change_type=r["change_type"],
                author=r["author"],
                applied_at=r["applied_at"],
                fields=[
                    FieldChange(
                        field=f["field"], old=json.dumps(f["old"]), new=json.dumps(f["new"])
                    )
                    for f in r["fields"]
                ],
            )
            for r in rows[:limit]
        ]

    @strawberry.field
    async def anomalies(self, info: Info) -> list[Anomaly]:
        rows = await info.context.loaders["anomalies"].load(self.row["id"])
        names = Anomaly.__annotations__
        return [Anomaly(**{n: r[n] for n in names}) for r in rows]

    @strawberry.field
    async def fee_reduction_requests(self, info: Info) -> list[FeeReductionRequest]:
        rows = await info.context.loaders["fee_reduction_requests"].load(self.row["id"])
        names = FeeReductionRequest.__annotations__
        return [FeeReductionRequest(**{n: r[n] for n in names}) for r in rows]

    @strawberry.field
    async def payments(self, info: Info) -> list[Payment]:
        rows = await info.context.loaders["payments"].load(self.row["id"])
        return [
            Payment(amount_pence=r["amount_pence"], reference=r["reference"], paid_at=r["paid_at"])
            for r in rows
        ]

    @strawberry.field
    async def fee_due(self, info: Info) -> int:
        """Pence still due: the fee in effect when the LPA was made (reduced if a reduction
        was approved), less payments."""
        loaders = info.context.loaders
        requests = await loaders["fee_reduction_requests"].load(self.row["id"])
        decisions = [
            d
            for batch in await loaders["fee_reduction_decisions"].load_many(
                [r["id"] for r in requests]
            )
            for d in batch
        ]
        payments = await loaders["payments"].load(self.row["id"])
        schedule = await info.context.repository.fee_schedule()
        return fee_due(
            schedule,
            self.row["created_at"].date(),
            [fee_request_of(r) for r in requests],
            [fee_decision_of(d) for d in decisions],
            [payment_of(p) for p in payments],
        )

    @strawberry.field
    def progress(self, info: Info) -> Progress:
        people = self._all_people()
        problems = registration_problems(lpa_of(self.row, people), info.context.now().date())
        provider = next((p for p in people if p["role"] is ActorRole.CERTIFICATE_PROVIDER), None)
        return Progress(
            donor_signed=self.row["signed_at"] is not None,
            certificate_provider_signed=provider is not None and provider["signed_at"] is not None,
            signatures_outstanding=sum(p.code is ProblemCode.NOT_SIGNED for p in problems),
            ready_for_statutory_waiting_period=not problems and self.row["status"] == "in-progress",
            problems=[Problem.of(p) for p in problems],
        )


# the LPA's own fields, each read from its row
_COLUMNS = tuple(n for n in Lpa.__annotations__ if n not in ("row", "people"))
