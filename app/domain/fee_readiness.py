"""Whether a fee reduction request can be decided: the latest request is complete and no
final decision (approved or declined) has been made on it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .enums import FeeDecisionOutcome, FeeType

FINAL = {FeeDecisionOutcome.APPROVED, FeeDecisionOutcome.DECLINED}


def fee_reduction_ready(
    requests: Sequence[Mapping[str, Any]], decisions: Sequence[Mapping[str, Any]]
) -> bool:
    if not requests:
        return False
    latest = max(requests, key=lambda r: r["requested_at"])
    if latest["requested_type"] is FeeType.QUARTER and not latest["previous_application_number"]:
        return False
    outcomes = [d["outcome"] for d in decisions if d["request_id"] == latest["id"]]
    return not outcomes or outcomes[-1] not in FINAL
