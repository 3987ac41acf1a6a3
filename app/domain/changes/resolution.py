"""A caseworker marks a safeguarding signal resolved. It stays on record, resolved, and is
never raised again for the same source and code."""

from __future__ import annotations

from ..enums import AnomalyStatus
from ..state import LpaChange, LpaState, Outcome, refuse

RESOLVE_ANOMALY = "RESOLVE_ANOMALY"
NOT_FOUND = "NOT_FOUND"
NEEDS = ("anomalies",)


def resolve_anomaly(state: LpaState, source: str, code: str) -> Outcome:
    """Needs `NEEDS` in `state.related`. Any status: it changes the case, not the LPA."""
    detected = any(
        a["source"] == source and a["code"] == code and a["status"] == AnomalyStatus.DETECTED
        for a in state.related["anomalies"]
    )
    if not detected:
        return refuse("/input", NOT_FOUND)
    return LpaChange(RESOLVE_ANOMALY, resolved_anomalies=[(source, code)])
