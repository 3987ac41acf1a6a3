"""LPAs as OPG's LPA store writes them (schema 2024-10 `lpa.json`), for the import's tests."""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

from app.domain.uid import uid_for_sequence

FIRST_NUMBER = 10**9  # far from the numbers a fresh database issues


def actor_uid(n: int, role: int) -> str:
    return str(uuid.UUID(int=(n << 8) | role, version=4))


def address(postcode: str) -> dict[str, Any]:
    return {"line1": "1 High Street", "town": "Townsville", "postcode": postcode, "country": "GB"}


def store_lpa(n: int = 0, **overrides: Any) -> dict[str, Any]:
    """A valid online property-and-affairs LPA, registered, with one attorney who signed."""
    lpa: dict[str, Any] = {
        "uid": uid_for_sequence(FIRST_NUMBER + n),
        "status": "registered",
        "registrationDate": "2025-03-01",
        "updatedAt": "2025-03-01T09:00:00Z",
        "lpaType": "property-and-affairs",
        "channel": "online",
        "language": "en",
        "donor": {
            "uid": actor_uid(n, 1),
            "firstNames": "Dora",
            "lastName": "Donor",
            "dateOfBirth": "1950-01-01",
            "email": "dora@example.com",
            "contactLanguagePreference": "en",
            "address": address("SW1A 1AA"),
            "identityCheck": {"checkedAt": "2024-12-01T10:00:00Z", "type": "one-login"},
        },
        "attorneys": [
            {
                "uid": actor_uid(n, 2),
                "firstNames": "Ada",
                "lastName": "Attorney",
                "dateOfBirth": "1980-02-03",
                "email": "ada@example.com",
                "channel": "online",
                "appointmentType": "original",
                "status": "active",
                "signedAt": "2024-12-03T10:00:00Z",
                "address": address("AB1 2CD"),
            }
        ],
        "certificateProvider": {
            "uid": actor_uid(n, 3),
            "firstNames": "Cerys",
            "lastName": "Provider",
            "email": "cerys@example.com",
            "phone": "07700900001",
            "channel": "online",
            "signedAt": "2024-12-02T10:00:00Z",
            "address": address("XY9 8ZW"),
        },
        "whenTheLpaCanBeUsed": "when-has-capacity",
        "signedAt": "2024-12-01T10:00:00Z",
        "witnessedByCertificateProviderAt": "2024-12-01T10:00:00Z",
    }
    lpa.update(overrides)
    return copy.deepcopy(lpa)


def paper(lpa: dict[str, Any]) -> dict[str, Any]:
    """The same LPA on paper: nobody on it has an email."""
    lpa = copy.deepcopy(lpa)
    lpa["channel"] = "paper"
    people = [lpa["donor"], lpa["certificateProvider"]]
    for actor in [*people, *lpa.get("attorneys", []), *lpa.get("trustCorporations", [])]:
        actor.pop("email", None)
        if "channel" in actor:
            actor["channel"] = "paper"
    return lpa


def varied(n: int) -> dict[str, Any]:
    """The n-th of a varied set of valid LPAs: both types, both channels, several statuses,
    replacements, trust corporations and people to notify."""
    lpa = store_lpa(n)
    if n % 2:
        lpa.update(
            lpaType="personal-welfare",
            lifeSustainingTreatmentOption="option-a",
            status="in-progress",
        )
        del lpa["whenTheLpaCanBeUsed"], lpa["registrationDate"]
    if n % 3 == 0:
        second = {**lpa["attorneys"][0], "uid": actor_uid(n, 4), "firstNames": "Bo"}
        del second["signedAt"]
        lpa["attorneys"].append({**second, "appointmentType": "replacement", "status": "inactive"})
    if n % 5 == 0 and lpa["lpaType"] == "property-and-affairs":
        lpa["trustCorporations"] = [
            {
                "uid": actor_uid(n, 5),
                "name": "Trusty Ltd",
                "companyNumber": "01234567",
                "email": "trust@example.com",
                "channel": "online",
                "appointmentType": "original",
                "status": "active",
                "address": address("TR1 1ST"),
                "signatories": [
                    {
                        "firstNames": "Sig",
                        "lastName": "Natory",
                        "professionalTitle": "Director",
                        "signedAt": "2024-12-04T10:00:00Z",
                    }
                ],
            }
        ]
        lpa["howAttorneysMakeDecisions"] = "jointly-and-severally"
        if n % 3 == 0:
            lpa["howReplacementAttorneysStepIn"] = "all-can-no-longer-act"
    if n % 7 == 0:
        lpa["peopleToNotify"] = [
            {
                "uid": actor_uid(n, 6),
                "firstNames": "Pat",
                "lastName": "Notify",
                "address": address("N1 1NN"),
            }
        ]
    return paper(lpa) if n % 4 == 1 else lpa


def lines(*records: Any) -> bytes:
    return b"".join(
        (r if isinstance(r, bytes) else json.dumps(r).encode()) + b"\n" for r in records
    )
