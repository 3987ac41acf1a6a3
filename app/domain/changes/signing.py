"""Signatures: the certificate provider, attorneys and trust corporations, each once."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from ..enums import ActorRole, AttorneyStatus
from ..problems import Problem, pointer
from ..state import LpaChange, LpaState, Outcome, actor_pointer, in_future, refuse
from ..status import OPEN, require

ALREADY_SIGNED = "ALREADY_SIGNED"
OPTED_OUT = "OPTED_OUT"
REMOVED = "REMOVED"
NOT_FOUND = "NOT_FOUND"
DATE_IN_FUTURE = "DATE_IN_FUTURE"
SIGNED_BEFORE_DONOR = "SIGNED_BEFORE_DONOR"
TOO_MANY = "TOO_MANY"
REQUIRED = "REQUIRED"
MAX_SIGNATORIES = 2


def sign_certificate_provider(state: LpaState, signed_at: datetime, now: datetime) -> Outcome:
    provider = state.actor(ActorRole.CERTIFICATE_PROVIDER)
    if provider is None:
        return refuse(pointer("certificate_provider"), NOT_FOUND)
    return _sign(state, provider, [signed_at], now, "CERTIFICATE_PROVIDER_SIGN")


def sign_attorney(state: LpaState, attorney: int, signed_at: datetime, now: datetime) -> Outcome:
    found = state.actor(ActorRole.ATTORNEY, attorney)
    if found is None:
        return refuse("/input/attorney", NOT_FOUND)
    return _sign(state, found, [signed_at], now, "ATTORNEY_SIGN")


def sign_trust_corporation(
    state: LpaState,
    trust_corporation: int,
    signatories: Sequence[Mapping[str, Any]],
    now: datetime,
) -> Outcome:
    found = state.actor(ActorRole.TRUST_CORPORATION, trust_corporation)
    if found is None:
        return refuse("/input/trustCorporation", NOT_FOUND)
    if not signatories:
        return refuse("/input/signatories", REQUIRED)
    if len(signatories) > MAX_SIGNATORIES:
        return refuse("/input/signatories", TOO_MANY)
    times = [s["signed_at"] for s in signatories]
    outcome = _sign(state, found, times, now, "TRUST_CORPORATION_SIGN", "/input/signatories")
    if isinstance(outcome, LpaChange):
        outcome.added.extend(
            (
                "trust_corporation_signatories",
                {
                    "id": uuid.uuid4(),
                    "trust_corporation_id": found["id"],
                    "position": i,
                    "first_names": s["first_names"],
                    "last_name": s["last_name"],
                    "professional_title": s.get("professional_title"),
                    "signed_at": s["signed_at"],
                },
            )
            for i, s in enumerate(signatories)
        )
    return outcome


def _sign(
    state: LpaState,
    actor: Mapping[str, Any],
    times: Sequence[datetime],
    now: datetime,
    change_type: str,
    input_at: str = "/input/signedAt",
) -> Outcome:
    problems: list[Problem] = require(state.status, OPEN)
    if actor["signed_at"] is not None:
        problems.append(Problem(actor_pointer(actor, "signed_at"), ALREADY_SIGNED))
    if actor["opted_out_at"] is not None:
        problems.append(Problem(actor_pointer(actor), OPTED_OUT))
    if actor["status"] is AttorneyStatus.REMOVED:
        problems.append(Problem(actor_pointer(actor), REMOVED))
    # Several signatories sign for a trust corporation: every one of them must sign after the
    # donor and not in the future, and the corporation has signed when the last one has.
    if in_future(max(times), now):
        problems.append(Problem(input_at, DATE_IN_FUTURE))
    donor_signed = state.lpa["signed_at"]
    if donor_signed is not None and min(times) < donor_signed:
        problems.append(Problem(input_at, SIGNED_BEFORE_DONOR))
    if problems:
        return sorted(set(problems))
    return LpaChange(change_type, actors={actor["id"]: {"signed_at": max(times)}})
