"""Rows a test adds to the database itself, where no operation of the gateway writes them."""

from __future__ import annotations

import uuid
from typing import Any


def two_signatories(trust_corporation_id: uuid.UUID) -> list[dict[str, Any]]:
    """A trust corporation's two signatories, stored out of their order."""
    return [
        {
            "id": uuid.uuid4(),
            "trust_corporation_id": trust_corporation_id,
            "position": position,
            "first_names": "Sam",
            "last_name": f"Signer{position}",
            "professional_title": None,
            "signed_at": None,
        }
        for position in (1, 0)
    ]
