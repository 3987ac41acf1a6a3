"""Valid createLpa inputs, as a client would send them, for tests to break one rule at a time."""

from __future__ import annotations

import copy
from typing import Any

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
    }
    lpa.update(overrides)
    return copy.deepcopy(lpa)
