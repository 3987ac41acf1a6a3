"""Valid createLpa inputs, as a client would send them, for tests to break one rule at a time."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from app.db.audit import REQUEST
from app.db.demo import demo_uids

# The JWT `sub` each client's test tokens carry.
SUBS = {
    "opg.poas.makeregister": "urn:opg:poas:makeregister:users:11111111-1111-4111-8111-111111111111",
    "opg.poas.use": "urn:opg:poas:use:users:22222222-2222-4222-8222-222222222222",
    "opg.poas.sirius": "urn:opg:poas:sirius:users:33333333-3333-4333-8333-333333333333",
    "developer": "urn:opg:poas:graphiql:users:developer",
}

CREATE_LPA = """
mutation Create($input: CreateLpaInput!, $key: String!) {
  createLpa(input: $input, idempotencyKey: $key) { accepted uid version problems { source code } }
}
"""

LPA_STATUS = """
query Status($uid: LpaUid!) {
  lpaStatus(uid: $uid) {
    isRegistered isCancelled hasRestrictionsAndConditions lpaType registrationDate
  }
}
"""


def address(postcode: str = "SW1A 1AA") -> dict[str, Any]:
    return {"line1": "1 High Street", "town": "Townsville", "postcode": postcode, "country": "GB"}


def attorney(**overrides: Any) -> dict[str, Any]:
    return {
        "firstNames": "Ada",
        "lastName": "Attorney",
        "dateOfBirth": "1980-02-03",
        "email": "ada@example.com",
        "channel": "ONLINE",
        "appointmentType": "ORIGINAL",
        "address": address("AB1 2CD"),
        **overrides,
    }


def online_lpa(**overrides: Any) -> dict[str, Any]:
    lpa: dict[str, Any] = {
        "lpaType": "PROPERTY_AND_AFFAIRS",
        "channel": "ONLINE",
        "language": "EN",
        "donor": {
            "firstNames": "Dora",
            "lastName": "Donor",
            "dateOfBirth": "1950-01-01",
            "email": "dora@example.com",
            "contactLanguagePreference": "EN",
            "address": address(),
        },
        "attorneys": [attorney()],
        "certificateProvider": {
            "firstNames": "Cerys",
            "lastName": "Provider",
            "phone": "07700900001",
            "email": "cerys@example.com",
            "channel": "ONLINE",
            "address": address("XY9 8ZW"),
        },
        "whenTheLpaCanBeUsed": "WHEN_HAS_CAPACITY",
        "signedAt": "2026-01-05T10:00:00Z",
        "witnessedByCertificateProviderAt": "2026-01-05T10:00:00Z",
    }
    lpa.update(overrides)
    return copy.deepcopy(lpa)


def audit_row(n: int, **overrides: Any) -> dict[str, Any]:
    """The n-th audit row of a batch, as the gateway queues it: a read of a demo LPA."""
    return {
        "occurred_at": datetime(2026, 3, 1, 12, 30, tzinfo=UTC),
        "kind": REQUEST,
        "request_id": f"{n:032x}",
        "client": "opg.poas.use",
        "sub": None,
        "operation_name": "Status",
        "document_hash": "a" * 64,
        "decision": "allowed",
        "reason": None,
        "lpa_uids": [demo_uids()[n % 2]],
        "duration_ms": n / 4,
        **overrides,
    }
