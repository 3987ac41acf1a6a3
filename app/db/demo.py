"""Demo LPAs for development: fixed UIDs, so seeding twice changes nothing.

Their sequence numbers sit at the top of the UID space, which the gateway's own numbering
never reaches, and production refuses to start while any of them is in the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.assemble import new_lpa
from app.domain.create import decide_create
from app.domain.draft import (
    AddressDraft,
    AttorneyDraft,
    IndependentWitnessDraft,
    LpaDraft,
    TrustCorporationDraft,
)
from app.domain.enums import (
    AppointmentType,
    Channel,
    HowAttorneysMakeDecisions,
    Language,
    LifeSustainingTreatmentOption,
    LpaStatus,
    LpaType,
    WhenTheLpaCanBeUsed,
)
from app.domain.uid import uid_for_sequence

from .in_transaction import InTransaction
from .models import Lpa
from .repository import create_lpa
from .repository.store import sign_all_actors

DEMO_CLIENT = "opg.poas.makeregister"
# Fixed dates, so the demo data and the examples in docs/clients/ answer the same every time.
DONOR_SIGNED = datetime(2025, 6, 2, 10, 0, tzinfo=UTC)
REGISTERED_ON = date(2025, 9, 1)
DEMO_AUTHOR = "urn:opg:poas:gateway:users:demo-seed"
_FIRST_DEMO_NUMBER = 10**11 - 100


@dataclass(frozen=True, slots=True)
class DemoLpa:
    number: int
    lpa_type: LpaType
    status: LpaStatus
    donor_name: tuple[str, str]
    donor_born: date
    postcode: str
    restrictions: str | None = None
    # shaped as OPG's LPA store sends one: a trust corporation, replacements, an independent
    # witness, and the decision modes and when-it-can-be-used left to the store's defaults
    store_shaped: bool = False

    @property
    def uid(self) -> str:
        return uid_for_sequence(_FIRST_DEMO_NUMBER + self.number)

    def summary(self) -> dict[str, Any]:
        return {
            "uid": self.uid,
            "status": self.status.name,
            "lpaType": self.lpa_type.name,
            "donorDateOfBirth": self.donor_born.isoformat(),
            "donorPostcode": self.postcode,
        }


PA, PW = LpaType.PROPERTY_AND_AFFAIRS, LpaType.PERSONAL_WELFARE
DEMO_LPAS = (
    DemoLpa(
        1,
        PA,
        LpaStatus.REGISTERED,
        ("Amelia", "Okafor"),
        date(1958, 3, 14),
        "SW1A 1AA",
        "My attorneys must not sell my house.",
    ),
    DemoLpa(2, PA, LpaStatus.CANCELLED, ("Bernard", "Llewellyn"), date(1949, 11, 2), "CF10 1EP"),
    DemoLpa(3, PA, LpaStatus.IN_PROGRESS, ("Chidi", "Nwosu"), date(1970, 6, 30), "M1 1AE"),
    DemoLpa(4, PW, LpaStatus.REGISTERED, ("Dorothy", "Abbott"), date(1945, 1, 21), "EH1 1YZ"),
    DemoLpa(5, PW, LpaStatus.CANCELLED, ("Emrys", "Pritchard"), date(1952, 8, 9), "LL57 2PW"),
    DemoLpa(6, PW, LpaStatus.IN_PROGRESS, ("Fatima", "Rahman"), date(1981, 12, 5), "B1 1BB"),
    DemoLpa(
        7,
        PA,
        LpaStatus.STATUTORY_WAITING_PERIOD,
        ("Gareth", "Hughes"),
        date(1966, 4, 17),
        "LS1 4AP",
    ),
    DemoLpa(
        8,
        PA,
        LpaStatus.IN_PROGRESS,
        ("Hywel", "Jenkins"),
        date(1962, 10, 8),
        "SA1 1DP",
        store_shaped=True,
    ),
)


def demo_uids() -> list[str]:
    return [demo.uid for demo in DEMO_LPAS]


async def seed_demo(engine: AsyncEngine) -> list[dict[str, Any]]:
    """Store every demo LPA that is not there yet; answer the summaries of all of them."""
    lpas = Lpa.__table__
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        tx = await InTransaction.of(conn)
        existing = set(
            (await conn.execute(select(lpas.c.uid).where(lpas.c.uid.in_(demo_uids())))).scalars()
        )
        for demo in DEMO_LPAS:
            if demo.uid in existing:
                continue
            decision = decide_create(_draft(demo), now)
            registered = demo.status in (LpaStatus.REGISTERED, LpaStatus.CANCELLED)
            lpa = new_lpa(
                decision.draft,
                uid=demo.uid,
                client=DEMO_CLIENT,
                at=now,
                status=demo.status,
                registration_date=REGISTERED_ON if registered else None,
                defaulted=decision.defaulted,
            )
            anomalies = list(decision.problems)
            lpa_id = await create_lpa(tx, lpa, author=DEMO_AUTHOR, anomalies=anomalies)
            if demo.status is not LpaStatus.IN_PROGRESS:  # everyone signed a week later
                await sign_all_actors(tx, lpa_id, DONOR_SIGNED + timedelta(days=7))
    return [demo.summary() for demo in DEMO_LPAS]


def _address(line1: str, town: str, postcode: str) -> AddressDraft:
    return {
        "line1": line1,
        "line2": None,
        "line3": None,
        "town": town,
        "postcode": postcode,
        "country": "GB",
    }


def _draft(demo: DemoLpa) -> LpaDraft:
    draft = _plain_draft(demo)
    return _store_shaped(draft) if demo.store_shaped else draft


def _store_shaped(draft: LpaDraft) -> LpaDraft:
    replacements: list[AttorneyDraft] = [
        {**attorney, "first_names": name, "appointment_type": AppointmentType.REPLACEMENT}
        for attorney, name in zip(draft["attorneys"], ("Kofi", "Lowri"), strict=True)
    ]
    trust: TrustCorporationDraft = {
        "name": "Demo Trust Corporation Ltd",
        "company_number": "01234567",
        "email": "trust@example.com",
        "channel": Channel.ONLINE,
        "appointment_type": AppointmentType.ORIGINAL,
        "address": _address("4 Trust Square", "Swansea", "SA1 3SN"),
    }
    witness: IndependentWitnessDraft = {
        "first_names": "Megan",
        "last_name": "Witness",
        "phone": "07700900002",
        "address": _address("5 Witness Way", "Swansea", "SA2 8PP"),
    }
    return {
        **draft,
        "attorneys": [draft["attorneys"][0], *replacements],
        "trust_corporations": [trust],
        "how_attorneys_make_decisions": None,  # defaulted: JOINTLY
        "when_the_lpa_can_be_used": None,  # defaulted: WHEN_HAS_CAPACITY
        "independent_witness": witness,
        "witnessed_by_independent_witness_at": DONOR_SIGNED,
    }


def _plain_draft(demo: DemoLpa) -> LpaDraft:
    first, last = demo.donor_name
    signed = DONOR_SIGNED
    welfare = demo.lpa_type is PW
    return {
        "lpa_type": demo.lpa_type,
        "channel": Channel.ONLINE,
        "language": Language.EN,
        "donor": {
            "first_names": first,
            "last_name": last,
            "date_of_birth": demo.donor_born,
            "email": f"{first.lower()}@example.com",
            "other_names_known_by": None,
            "contact_language_preference": Language.EN,
            "address": _address("1 Demo Street", "Demotown", demo.postcode),
        },
        "attorneys": [
            {
                "first_names": name,
                "last_name": "Attorney",
                "date_of_birth": date(1985, 5, 5),
                "email": f"{name.lower()}@example.com",
                "mobile": None,
                "channel": Channel.ONLINE,
                "appointment_type": AppointmentType.ORIGINAL,
                "address": _address("2 Demo Street", "Demotown", "AB1 2CD"),
            }
            for name in ("Harriet", "Idris")
        ],
        "trust_corporations": [],
        "certificate_provider": {
            "first_names": "Jonah",
            "last_name": "Certifier",
            "email": "jonah@example.com",
            "phone": "07700900000",
            "channel": Channel.ONLINE,
            "address": _address("3 Other Road", "Elsewhere", "XY9 8ZW"),
        },
        "people_to_notify": [],
        "how_attorneys_make_decisions": HowAttorneysMakeDecisions.JOINTLY,
        "how_attorneys_make_decisions_details": None,
        "how_replacement_attorneys_make_decisions": None,
        "how_replacement_attorneys_make_decisions_details": None,
        "how_replacement_attorneys_step_in": None,
        "how_replacement_attorneys_step_in_details": None,
        "when_the_lpa_can_be_used": None if welfare else WhenTheLpaCanBeUsed.WHEN_HAS_CAPACITY,
        "life_sustaining_treatment_option": LifeSustainingTreatmentOption.OPTION_A
        if welfare
        else None,
        "restrictions_and_conditions": demo.restrictions,
        "signed_at": signed,
        "witnessed_by_certificate_provider_at": signed,
    }
