"""The people of an LPA as caseworkers read them: full personal details, from the actor rows
loaded in one batch per request."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import strawberry

from ..context import RequestContext
from ..enums import (
    AppointmentType,
    AttorneyStatus,
    Channel,
    IdentityCheckType,
    Language,
)

Info = strawberry.Info[RequestContext, None]
Row = dict[str, Any]


@strawberry.type
class Address:
    line1: str
    line2: str | None
    line3: str | None
    town: str | None
    postcode: str | None
    country: str | None

    @classmethod
    def of(cls, row: Row) -> Address | None:
        if row.get("address_line1") is None:
            return None
        return cls(**{name: row[f"address_{name}"] for name in _ADDRESS})


_ADDRESS = ("line1", "line2", "line3", "town", "postcode", "country")


@strawberry.type
class IdentityCheck:
    type: IdentityCheckType
    checked_at: datetime


async def _identity_checks(info: Info, actor_id: uuid.UUID) -> list[IdentityCheck]:
    rows = await info.context.loaders["identity_checks"].load(actor_id)
    return [IdentityCheck(type=r["type"], checked_at=r["checked_at"]) for r in rows]


@strawberry.type
class Donor:
    uid: uuid.UUID
    first_names: str | None
    last_name: str | None
    date_of_birth: date | None
    email: str | None
    other_names_known_by: str | None
    contact_language_preference: Language | None
    address: Address | None

    @strawberry.field
    async def identity_checks(self, info: Info) -> list[IdentityCheck]:
        return await _identity_checks(info, self.uid)


@strawberry.type
class Attorney:
    uid: uuid.UUID
    first_names: str | None
    last_name: str | None
    date_of_birth: date | None
    email: str | None
    mobile: str | None
    channel: Channel | None
    status: AttorneyStatus | None
    appointment_type: AppointmentType | None
    signed_at: datetime | None
    address: Address | None
    # parity with the LPA store's updates
    contact_language_preference: Language | None = None
    cannot_make_joint_decisions: bool = False
    stepped_in_at: datetime | None = strawberry.field(
        default=None, description="When a replacement attorney made active stepped in."
    )


@strawberry.type
class Signatory:
    first_names: str
    last_name: str
    professional_title: str | None
    signed_at: datetime | None


@strawberry.type
class TrustCorporation:
    uid: uuid.UUID
    name: str | None
    company_number: str | None
    email: str | None
    channel: Channel | None
    status: AttorneyStatus | None
    appointment_type: AppointmentType | None
    signed_at: datetime | None
    address: Address | None
    mobile: str | None = None
    contact_language_preference: Language | None = None
    stepped_in_at: datetime | None = None

    @strawberry.field
    async def signatories(self, info: Info) -> list[Signatory]:
        rows = await info.context.loaders["signatories"].load(self.uid)
        return [
            Signatory(
                first_names=r["first_names"],
                last_name=r["last_name"],
                professional_title=r["professional_title"],
                signed_at=r["signed_at"],
            )
            for r in rows
        ]


@strawberry.type
class CertificateProvider:
    uid: uuid.UUID
    first_names: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    channel: Channel | None
    signed_at: datetime | None
    opted_out_at: datetime | None
    address: Address | None
    contact_language_preference: Language | None = None

    @strawberry.field
    async def identity_checks(self, info: Info) -> list[IdentityCheck]:
        return await _identity_checks(info, self.uid)


@strawberry.type
class PersonToNotify:
    uid: uuid.UUID
    first_names: str | None
    last_name: str | None
    address: Address | None


@strawberry.type
class IndependentWitness:
    uid: uuid.UUID
    first_names: str | None
    last_name: str | None
    phone: str | None
    address: Address | None


@strawberry.type
class AuthorisedSignatory:
    uid: uuid.UUID
    first_names: str | None
    last_name: str | None


def person(kind: type[Any], row: Row) -> Any:
    """Build a person type from an actor row: its own columns, its UUID and its address."""
    fields = kind.__annotations__
    values = {name: row[name] for name in fields if name in row and name not in ("uid",)}
    if "address" in fields:
        values["address"] = Address.of(row)
    return kind(**values, uid=row["id"])
