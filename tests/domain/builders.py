"""Records for domain tests, and a repository that keeps them in memory: no database."""

from __future__ import annotations

import importlib.util
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

from app.domain.enums import (
    AppointmentType,
    AttorneyStatus,
    Channel,
    FeeType,
    Language,
    LpaStatus,
    LpaType,
    WhenTheLpaCanBeUsed,
)
from app.domain.history import lpa_changes
from app.domain.records import (
    Address,
    Attorney,
    CaseFile,
    CertificateProvider,
    Donor,
    FeeRate,
    Lpa,
    TrustCorporation,
)


def _seeded_fees() -> list[tuple[str, int, str]]:
    spec = importlib.util.spec_from_file_location("initial_schema", _INITIAL_SCHEMA)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fees: list[tuple[str, int, str]] = module.FEES
    return fees


_INITIAL_SCHEMA = (
    Path(__file__).resolve().parents[2]
    / "migrations"
    / "versions"
    / "20261123_7d1dec3422f2_initial_schema.py"
)
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
TODAY = NOW.date()
DONOR_SIGNED = datetime(2026, 1, 5, 10, tzinfo=UTC)
UID = "M-0000-0000-0000"
# The fee table as the first migration seeds it: an LPA made on DONOR_SIGNED owes 9200.
SCHEDULE = tuple(
    FeeRate(fee_type=FeeType(kind), amount_pence=pence, effective_from=date.fromisoformat(day))
    for kind, pence, day in _seeded_fees()
)


def address(line1: str = "1 Road", postcode: str = "AB1 2CD") -> Address:
    return Address(line1=line1, postcode=postcode, country="GB")


def donor(**values: object) -> Donor:
    base = Donor(
        id=uuid.uuid4(),
        first_names="Dora",
        last_name="Donor",
        date_of_birth=date(1960, 1, 1),
        email="dora@example.com",
        contact_language_preference=Language.EN,
        address=address("1 Donor Road"),
    )
    return replace(base, **values)  # type: ignore[arg-type]


def attorney(position: int = 0, **values: object) -> Attorney:
    base = Attorney(
        id=uuid.uuid4(),
        position=position,
        first_names="Amy",
        last_name="Attorney",
        date_of_birth=date(1980, 1, 1),
        email="amy@example.com",
        channel=Channel.ONLINE,
        appointment_type=AppointmentType.ORIGINAL,
        status=AttorneyStatus.ACTIVE,
        signed_at=DONOR_SIGNED,
        address=address(f"{position} Attorney Road"),
    )
    return replace(base, **values)  # type: ignore[arg-type]


def trust_corporation(position: int = 0, **values: object) -> TrustCorporation:
    base = TrustCorporation(
        id=uuid.uuid4(),
        position=position,
        name="Trusty Ltd",
        company_number="123",
        email="trust@example.com",
        channel=Channel.ONLINE,
        appointment_type=AppointmentType.ORIGINAL,
        status=AttorneyStatus.ACTIVE,
        address=address(f"{position} Trust Road"),
    )
    return replace(base, **values)  # type: ignore[arg-type]


def certificate_provider(**values: object) -> CertificateProvider:
    base = CertificateProvider(
        id=uuid.uuid4(),
        first_names="Cal",
        last_name="Provider",
        phone="0770",
        channel=Channel.ONLINE,
        email="cal@example.com",
        signed_at=DONOR_SIGNED,
        address=address("9 Provider Road", "ZZ9 9ZZ"),
    )
    return replace(base, **values)  # type: ignore[arg-type]


def an_lpa(**values: object) -> Lpa:
    """A property-and-affairs LPA that keeps every rule, with one original attorney, everyone
    signed, in progress, at version 1."""
    base = Lpa(
        id=1,
        uid=UID,
        status=LpaStatus.IN_PROGRESS,
        version=1,
        lpa_type=LpaType.PROPERTY_AND_AFFAIRS,
        channel=Channel.ONLINE,
        language=Language.EN,
        donor=donor(),
        attorneys=(attorney(),),
        certificate_provider=certificate_provider(),
        when_the_lpa_can_be_used=WhenTheLpaCanBeUsed.WHEN_HAS_CAPACITY,
        signed_at=DONOR_SIGNED,
        witnessed_by_certificate_provider_at=DONOR_SIGNED,
        created_at=DONOR_SIGNED,
        updated_at=DONOR_SIGNED,
        case=CaseFile(fee_schedule=SCHEDULE),
    )
    return replace(base, **values)  # type: ignore[arg-type]


@dataclass
class FakeRepository:
    """Keeps LPAs by uid, with the history a save would record."""

    lpas: dict[str, Lpa] = field(default_factory=dict)
    history: list[tuple[str, int, str]] = field(default_factory=list)  # uid, version, event
    hidden: set[str] = field(default_factory=set)  # uids the caller may not see

    async def get(self, uid: str, *, with_case: bool) -> Lpa | None:
        return None if uid in self.hidden else self.lpas.get(uid)

    async def save(
        self, before: Lpa, after: Lpa, *, event: str, author: str, at: datetime
    ) -> int | None:
        if self.lpas[before.uid].version != before.version:
            return None
        assert lpa_changes(before, after), "a saved change changes something"
        version = before.version + 1
        self.lpas[before.uid] = replace(after, version=version, updated_at=at)
        self.history.append((before.uid, version, event))
        return version
