"""The gateway's tables.

Queries go through SQLAlchemy Core on these tables (`Model.__table__`); the declarative classes
exist so that the schema has one definition that Alembic can compare against the migrations.
`changes` and `outbox` are append-only: rows are inserted in the same transaction as the change
they record and never updated or deleted.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Enum,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.domain import caps
from app.domain.enums import (
    ActorRole,
    AnomalyStatus,
    AppointmentType,
    AttorneyStatus,
    Channel,
    EvidenceDelivery,
    FeeDecisionOutcome,
    FeeType,
    HowAttorneysMakeDecisions,
    HowReplacementAttorneysStepIn,
    IdentityCheckType,
    Language,
    LifeSustainingTreatmentOption,
    LpaStatus,
    LpaType,
    WhenTheLpaCanBeUsed,
)

from .types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

BigId = BigInteger().with_variant(Integer(), "sqlite")
Json = JSON().with_variant(JSONB(), "postgresql")


def vocabulary(enum: type[StrEnum]) -> Enum:
    """A closed vocabulary stored as its wire value, with a CHECK constraint."""
    return Enum(
        enum,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=max(len(m.value) for m in enum),
        values_callable=lambda e: [m.value for m in e],
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Lpa(Base):
    __tablename__ = "lpas"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    uid: Mapped[str] = mapped_column(String(16), unique=True)
    status: Mapped[LpaStatus] = mapped_column(vocabulary(LpaStatus), index=True)
    lpa_type: Mapped[LpaType] = mapped_column(vocabulary(LpaType))
    channel: Mapped[Channel] = mapped_column(vocabulary(Channel))
    language: Mapped[Language] = mapped_column(vocabulary(Language))
    how_attorneys_make_decisions: Mapped[HowAttorneysMakeDecisions | None] = mapped_column(
        vocabulary(HowAttorneysMakeDecisions)
    )
    how_attorneys_make_decisions_details: Mapped[str | None] = mapped_column(Text)
    how_replacement_attorneys_make_decisions: Mapped[HowAttorneysMakeDecisions | None] = (
        mapped_column(vocabulary(HowAttorneysMakeDecisions))
    )
    how_replacement_attorneys_make_decisions_details: Mapped[str | None] = mapped_column(Text)
    how_replacement_attorneys_step_in: Mapped[HowReplacementAttorneysStepIn | None] = mapped_column(
        vocabulary(HowReplacementAttorneysStepIn)
    )
    how_replacement_attorneys_step_in_details: Mapped[str | None] = mapped_column(Text)
    when_the_lpa_can_be_used: Mapped[WhenTheLpaCanBeUsed | None] = mapped_column(
        vocabulary(WhenTheLpaCanBeUsed)
    )
    life_sustaining_treatment_option: Mapped[LifeSustainingTreatmentOption | None] = mapped_column(
        vocabulary(LifeSustainingTreatmentOption)
    )
    restrictions_and_conditions: Mapped[str | None] = mapped_column(Text)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    witnessed_by_certificate_provider_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    witnessed_by_independent_witness_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    certificate_provider_not_related_confirmed_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime
    )
    registration_date: Mapped[date | None] = mapped_column(Date)
    # The LPA store's `…IsDefault` flags (app.domain.defaults).
    how_attorneys_make_decisions_is_default: Mapped[bool] = mapped_column(
        Boolean, server_default=false()
    )
    how_replacement_attorneys_make_decisions_is_default: Mapped[bool] = mapped_column(
        Boolean, server_default=false()
    )
    when_the_lpa_can_be_used_is_default: Mapped[bool] = mapped_column(
        Boolean, server_default=false()
    )
    life_sustaining_treatment_option_is_default: Mapped[bool] = mapped_column(
        Boolean, server_default=false()
    )
    created_by: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer)


class LpaNumber(Base):
    """Hands out LPA sequence numbers, never the same twice, even after a rollback.

    A number is taken by inserting a row and deleting it again in the same transaction;
    the autoincrement counter (PostgreSQL's sequence, SQLite's AUTOINCREMENT) remembers it.
    """

    __tablename__ = "lpa_numbers"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)


class Actor(Base):
    """Every person or body named on an LPA. The UUID is issued once and never changes."""

    __tablename__ = "actors"
    __table_args__ = (UniqueConstraint("lpa_id", "role", "position"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    lpa_id: Mapped[int] = mapped_column(ForeignKey("lpas.id", ondelete="CASCADE"), index=True)
    role: Mapped[ActorRole] = mapped_column(vocabulary(ActorRole))
    position: Mapped[int] = mapped_column(Integer)
    first_names: Mapped[str | None] = mapped_column(String(caps.NAME))
    last_name: Mapped[str | None] = mapped_column(String(caps.NAME))
    name: Mapped[str | None] = mapped_column(String(caps.NAME))
    company_number: Mapped[str | None] = mapped_column(String(caps.COMPANY_NUMBER))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    email: Mapped[str | None] = mapped_column(String(caps.EMAIL))
    mobile: Mapped[str | None] = mapped_column(String(caps.PHONE))
    phone: Mapped[str | None] = mapped_column(String(caps.PHONE))
    other_names_known_by: Mapped[str | None] = mapped_column(String(caps.NAME))
    contact_language_preference: Mapped[Language | None] = mapped_column(vocabulary(Language))
    channel: Mapped[Channel | None] = mapped_column(vocabulary(Channel))
    status: Mapped[AttorneyStatus | None] = mapped_column(vocabulary(AttorneyStatus))
    appointment_type: Mapped[AppointmentType | None] = mapped_column(vocabulary(AppointmentType))
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # parity with the LPA store's updates: attorney decisions, a replacement stepping in
    cannot_make_joint_decisions: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    stepped_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Address(Base):
    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    actor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("actors.id", ondelete="CASCADE"), unique=True
    )
    line1: Mapped[str] = mapped_column(String(caps.ADDRESS_LINE))
    line2: Mapped[str | None] = mapped_column(String(caps.ADDRESS_LINE))
    line3: Mapped[str | None] = mapped_column(String(caps.ADDRESS_LINE))
    town: Mapped[str | None] = mapped_column(String(caps.ADDRESS_LINE))
    postcode: Mapped[str | None] = mapped_column(String(caps.POSTCODE))
    country: Mapped[str | None] = mapped_column(String(caps.COUNTRY))


class TrustCorporationSignatory(Base):
    __tablename__ = "trust_corporation_signatories"
    __table_args__ = (UniqueConstraint("trust_corporation_id", "position"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    trust_corporation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("actors.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)
    first_names: Mapped[str] = mapped_column(String(caps.NAME))
    last_name: Mapped[str] = mapped_column(String(caps.NAME))
    professional_title: Mapped[str | None] = mapped_column(String(caps.NAME))
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IdentityCheck(Base):
    __tablename__ = "identity_checks"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    actor_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("actors.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[IdentityCheckType] = mapped_column(vocabulary(IdentityCheckType))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Fee(Base):
    """Effective-dated fee table: a fee change is a new row, never a code change."""

    __tablename__ = "fees"
    __table_args__ = (UniqueConstraint("fee_type", "effective_from"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    fee_type: Mapped[FeeType] = mapped_column(vocabulary(FeeType))
    amount_pence: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[date] = mapped_column(Date)


class FeeReductionRequest(Base):
    __tablename__ = "fee_reduction_requests"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    lpa_id: Mapped[int] = mapped_column(ForeignKey("lpas.id", ondelete="CASCADE"), index=True)
    requested_type: Mapped[FeeType] = mapped_column(vocabulary(FeeType))
    evidence_delivery: Mapped[EvidenceDelivery] = mapped_column(vocabulary(EvidenceDelivery))
    previous_application_number: Mapped[str | None] = mapped_column(String(caps.APPLICATION_NUMBER))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FeeReductionDecision(Base):
    __tablename__ = "fee_reduction_decisions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("fee_reduction_requests.id", ondelete="CASCADE"), index=True
    )
    outcome: Mapped[FeeDecisionOutcome] = mapped_column(vocabulary(FeeDecisionOutcome))
    approved_type: Mapped[FeeType | None] = mapped_column(vocabulary(FeeType))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[str] = mapped_column(String(caps.AUTHOR))


class Payment(Base):
    __tablename__ = "payments"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    lpa_id: Mapped[int] = mapped_column(ForeignKey("lpas.id", ondelete="CASCADE"), index=True)
    amount_pence: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str] = mapped_column(String(caps.PAYMENT_REFERENCE))
    paid_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Anomaly(Base):
    """A safeguarding signal, for caseworkers only; never shown to the writer."""

    __tablename__ = "anomalies"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    lpa_id: Mapped[int] = mapped_column(ForeignKey("lpas.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(caps.PROBLEM_CODE))
    source: Mapped[str] = mapped_column(String(caps.ANOMALY_SOURCE))
    status: Mapped[AnomalyStatus] = mapped_column(vocabulary(AnomalyStatus))
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(caps.AUTHOR))


class Change(Base):
    """One row per applied change: who (JWT `sub`), when, and each field's old and new value."""

    __tablename__ = "changes"
    __table_args__ = (UniqueConstraint("lpa_id", "lpa_version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    lpa_id: Mapped[int] = mapped_column(ForeignKey("lpas.id"))
    lpa_version: Mapped[int] = mapped_column(Integer)
    change_type: Mapped[str] = mapped_column(String(64))
    author: Mapped[str] = mapped_column(String(255))
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime)
    fields: Mapped[list[dict[str, Any]]] = mapped_column(Json)


class OutboxEvent(Base):
    """`lpa-updated {uid, changeType}` events for case management; `id` is the cursor."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_type: Mapped[str] = mapped_column(String(32))
    uid: Mapped[str] = mapped_column(String(16))
    change_type: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IdempotencyRecord(Base):
    """The first answer to a mutation, kept per (client, key) so a retry gets the same one."""

    __tablename__ = "idempotency_records"

    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(caps.IDEMPOTENCY_KEY), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    response: Mapped[dict[str, Any]] = mapped_column(Json)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditEvent(Base):
    """One row per request (and per oracle lockout): who, what, the decision, which LPAs.

    Append-only. Never holds the value of a personal field: the document is kept as a hash,
    and the operation name only when it is a plain GraphQL name.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    request_id: Mapped[str] = mapped_column(String(32))
    client: Mapped[str | None] = mapped_column(String(64))
    sub: Mapped[str | None] = mapped_column(String(255))
    operation_name: Mapped[str | None] = mapped_column(String(100))
    document_hash: Mapped[str | None] = mapped_column(String(64))
    document_id: Mapped[str | None] = mapped_column(String(71))  # sha256:<hex>, trusted only
    decision: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(64))
    lpa_uids: Mapped[list[str]] = mapped_column(Json)
    duration_ms: Mapped[float] = mapped_column(Float)


class OracleBudget(Base):
    """Failed answers of the identity oracle per (client, LPA), in a fixed window.

    Shared by every worker and host, so the budget holds across processes and restarts.
    """

    __tablename__ = "oracle_budgets"

    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    lpa_uid: Mapped[str] = mapped_column(String(16), primary_key=True)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(Integer)


class RateBucket(Base):
    """Each client's shared request token bucket (app/db/rate_buckets.py).

    `tokens` were left at `refilled_at` (seconds since the epoch); `granted` is what the last
    lease took, so that one atomic statement can both take tokens and say how many.
    """

    __tablename__ = "rate_buckets"

    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    refilled_at: Mapped[float] = mapped_column(Float)
    granted: Mapped[int] = mapped_column(Integer)


def table(model: type[Base]) -> Table:
    """The Core table of a model, for queries that need no ORM session."""
    return cast(Table, model.__table__)
