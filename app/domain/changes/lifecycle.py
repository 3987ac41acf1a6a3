"""Status changes: the statutory waiting period, registration, withdrawal, opt-outs, and the
direct status changes a caseworker may make."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..enums import ActorRole, AttorneyStatus, LpaStatus
from ..problems import Problem
from ..readiness import registration_problems
from ..state import LpaChange, LpaState, Outcome, actor_pointer, refuse
from ..status import OPEN, WITHDRAWABLE, caseworker_may_set, require

S = LpaStatus
INVALID_STATUS_CHANGE = "INVALID_STATUS_CHANGE"
ALREADY_SIGNED = "ALREADY_SIGNED"
ALREADY_OPTED_OUT = "ALREADY_OPTED_OUT"
NOT_FOUND = "NOT_FOUND"


def start_statutory_waiting_period(state: LpaState, now: datetime) -> Outcome:
    problems = require(state.status, frozenset({S.IN_PROGRESS}))
    problems += registration_problems(state.lpa, state.people, now.date())
    if problems:
        return sorted(set(problems))
    return LpaChange("STATUTORY_WAITING_PERIOD", lpa={"status": S.STATUTORY_WAITING_PERIOD})


def register(state: LpaState, now: datetime) -> Outcome:
    """Only from the statutory waiting period, and only if everything still holds: changes in
    the waiting period (an attorney made active, a correction) must not slip through."""
    problems = require(state.status, frozenset({S.STATUTORY_WAITING_PERIOD}))
    if not problems:
        problems = registration_problems(state.lpa, state.people, now.date())
    if problems:
        return problems
    return LpaChange("REGISTER", lpa={"status": S.REGISTERED, "registration_date": now.date()})


def withdraw(state: LpaState) -> Outcome:
    problems = require(state.status, WITHDRAWABLE)
    if problems:
        return problems
    return LpaChange("WITHDRAW", lpa={"status": S.WITHDRAWN})


def change_status(state: LpaState, target: LpaStatus) -> Outcome:
    if not caseworker_may_set(state.status, target):
        return refuse("/input/status", INVALID_STATUS_CHANGE)
    return LpaChange("STATUS_CHANGE", lpa={"status": target})


def certificate_provider_opt_out(state: LpaState, now: datetime) -> Outcome:
    """Only before signing; the LPA then cannot be registered."""
    provider = state.actor(ActorRole.CERTIFICATE_PROVIDER)
    if provider is None:
        return refuse("/certificateProvider", NOT_FOUND)
    problems = _may_opt_out(state, provider)
    if problems:
        return problems
    return LpaChange(
        "CERTIFICATE_PROVIDER_OPT_OUT",
        lpa={"status": S.CANNOT_REGISTER},
        actors={provider["id"]: {"opted_out_at": now}},
    )


def attorney_opt_out(state: LpaState, attorney: int, now: datetime) -> Outcome:
    """Only before signing; the attorney is removed from the LPA."""
    found = state.actor(ActorRole.ATTORNEY, attorney)
    if found is None:
        return refuse("/input/attorney", NOT_FOUND)
    problems = _may_opt_out(state, found)
    if problems:
        return problems
    values = {"opted_out_at": now, "status": AttorneyStatus.REMOVED}
    return LpaChange("ATTORNEY_OPT_OUT", actors={found["id"]: values})


def _may_opt_out(state: LpaState, actor: Mapping[str, Any]) -> list[Problem]:
    problems = require(state.status, OPEN)
    if actor["signed_at"] is not None:
        problems.append(Problem(actor_pointer(actor, "signed_at"), ALREADY_SIGNED))
    if actor["opted_out_at"] is not None:
        problems.append(Problem(actor_pointer(actor), ALREADY_OPTED_OUT))
    return sorted(problems)
