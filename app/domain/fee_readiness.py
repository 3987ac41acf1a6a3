"""Whether a fee reduction request can be decided: the latest request is complete and no
final decision (approved or declined) has been made on it."""

from __future__ import annotations

from collections.abc import Sequence

from .enums import FeeType
from .fees import final_decision, oldest_first
from .records import FeeReductionDecision, FeeReductionRequest


def fee_reduction_ready(
    requests: Sequence[FeeReductionRequest], decisions: Sequence[FeeReductionDecision]
) -> bool:
    if not requests:
        return False
    latest = oldest_first(requests)[-1]
    if latest.requested_type is FeeType.QUARTER and not latest.previous_application_number:
        return False
    return final_decision(latest, decisions) is None
