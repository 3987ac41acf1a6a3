"""Whether a fee reduction request can be decided: the latest request is complete and no
final decision (approved or declined) has been made on it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .enums import FeeType
from .fees import final_decision, oldest_first


def fee_reduction_ready(
    requests: Sequence[Mapping[str, Any]], decisions: Sequence[Mapping[str, Any]]
) -> bool:
    if not requests:
        return False
    latest = oldest_first(requests)[-1]
    if latest["requested_type"] == FeeType.QUARTER and not latest["previous_application_number"]:
        return False
    return final_decision(latest, decisions) is None
