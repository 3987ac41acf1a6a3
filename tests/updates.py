"""Helpers for tests of the update mutations: make an LPA as the online service, call a
mutation as any client, and read back what a change wrote."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select
from starlette.applications import Starlette

from app.db.models import (
    Change,
    FeeReductionDecision,
    FeeReductionRequest,
    IdempotencyRecord,
    IdentityCheck,
    Lpa,
    OutboxEvent,
    Payment,
    TrustCorporationSignatory,
    table,
)
from tests.factories import CREATE_LPA, SUBS, address, online_lpa

MAKEREGISTER = "opg.poas.makeregister"
SIRIUS = "opg.poas.sirius"
USE = "opg.poas.use"
DONOR_SIGNED = "2026-01-05T10:00:00Z"  # online_lpa()'s signedAt
AFTER_DONOR = "2026-02-01T10:00:00Z"

# Every table a change writes to, for "nothing new was written" checks.
WRITTEN = (
    Change,
    OutboxEvent,
    IdempotencyRecord,
    IdentityCheck,
    FeeReductionRequest,
    FeeReductionDecision,
    Payment,
    TrustCorporationSignatory,
)


@dataclass(frozen=True, slots=True)
class Update:
    """One update mutation: `name(uid, expectedVersion, [input,] idempotencyKey)`."""

    name: str
    input_type: str | None = None

    @property
    def document(self) -> str:
        declared = f", $input: {self.input_type}!" if self.input_type else ""
        passed = ", input: $input" if self.input_type else ""
        return (
            f"mutation Update($uid: LpaUid!, $version: Int!{declared}, $key: String!) {{ "
            f"{self.name}(uid: $uid, expectedVersion: $version{passed}, idempotencyKey: $key) "
            "{ accepted uid version problems { source code } } }"
        )

    async def send(
        self,
        gql: Any,
        client: str,
        uid: str,
        version: int,
        input: dict[str, Any] | None = None,
        key: str = "update",
    ) -> httpx.Response:
        variables: dict[str, Any] = {"uid": uid, "version": version, "key": key}
        if self.input_type:
            variables["input"] = input
        response: httpx.Response = await gql(client, self.document, variables)
        return response

    async def verdict(
        self,
        gql: Any,
        client: str,
        uid: str,
        version: int,
        input: dict[str, Any] | None = None,
        key: str = "update",
    ) -> dict[str, Any]:
        response = await self.send(gql, client, uid, version, input, key)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        return dict(body["data"][self.name])


SIGN_CERTIFICATE_PROVIDER = Update("signCertificateProvider", "SignCertificateProviderInput")
SIGN_ATTORNEY = Update("signAttorney", "SignAttorneyInput")
SIGN_TRUST_CORPORATION = Update("signTrustCorporation", "SignTrustCorporationInput")
CERTIFICATE_PROVIDER_OPT_OUT = Update("certificateProviderOptOut")
ATTORNEY_OPT_OUT = Update("attorneyOptOut", "AttorneyOptOutInput")
WITHDRAW_LPA = Update("withdrawLpa")
START_STATUTORY_WAITING_PERIOD = Update("startStatutoryWaitingPeriod")
REGISTER_LPA = Update("registerLpa")
CONFIRM_IDENTITY = Update("confirmIdentity", "ConfirmIdentityInput")
REQUEST_FEE_REDUCTION = Update("requestFeeReduction", "RequestFeeReductionInput")
DECIDE_FEE_REDUCTION = Update("decideFeeReduction", "DecideFeeReductionInput")
RECORD_PAYMENT = Update("recordPayment", "RecordPaymentInput")


def accepted(uid: str, version: int) -> dict[str, Any]:
    return {"accepted": True, "uid": uid, "version": version, "problems": []}


def refused(uid: str | None, *problems: tuple[str, str]) -> dict[str, Any]:
    return {
        "accepted": False,
        "uid": uid,
        "version": None,
        "problems": [{"source": s, "code": c} for s, c in problems],
    }


def in_minutes(minutes: int) -> str:
    """A time `minutes` from now, as a client would send it."""
    at = datetime.now(UTC) + timedelta(minutes=minutes)
    return at.isoformat().replace("+00:00", "Z")


def trust_corporation() -> dict[str, Any]:
    return {
        "name": "Trusty Trustees Ltd",
        "companyNumber": "01234567",
        "email": "trust@example.com",
        "channel": "ONLINE",
        "address": address("TC1 1TC"),
    }


async def create_lpa(gql: Any, key: str = "create", **overrides: Any) -> str:
    """An online LPA created by the online service, at version 1."""
    response = await gql(MAKEREGISTER, CREATE_LPA, {"input": online_lpa(**overrides), "key": key})
    result = response.json()["data"]["createLpa"]
    assert result["accepted"] is True, result
    return str(result["uid"])


async def registered_lpa(gql: Any) -> tuple[str, int]:
    """An LPA of the online service taken all the way to registered; its uid and version."""
    uid = await create_lpa(gql, key="registered")
    steps = [
        (MAKEREGISTER, SIGN_CERTIFICATE_PROVIDER, {"signedAt": AFTER_DONOR}),
        (MAKEREGISTER, SIGN_ATTORNEY, {"attorney": 0, "signedAt": AFTER_DONOR}),
        (SIRIUS, START_STATUTORY_WAITING_PERIOD, None),
        (SIRIUS, REGISTER_LPA, None),
    ]
    for version, (client, update, input) in enumerate(steps, start=1):
        result = await update.verdict(gql, client, uid, version, input, key=f"reg-{version}")
        assert result["accepted"] is True, result
    return uid, len(steps) + 1


async def counts(app: Starlette) -> dict[str, int]:
    async with app.state.gateway.engine.connect() as conn:
        return {
            t.__tablename__: (await conn.execute(select(func.count()).select_from(t))).scalar_one()
            for t in WRITTEN
        }


async def rows_of(app: Starlette, model: Any) -> list[dict[str, Any]]:
    async with app.state.gateway.engine.connect() as conn:
        return [dict(r._mapping) for r in await conn.execute(select(table(model)))]


async def lpa_row(app: Starlette, uid: str) -> dict[str, Any]:
    lpas = table(Lpa)
    async with app.state.gateway.engine.connect() as conn:
        return dict((await conn.execute(select(lpas).where(lpas.c.uid == uid))).one()._mapping)


async def last_change(app: Starlette, uid: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The newest history row of the LPA and the newest outbox event for it."""
    changes, outbox = table(Change), table(OutboxEvent)
    lpa = await lpa_row(app, uid)
    async with app.state.gateway.engine.connect() as conn:
        change = (
            await conn.execute(
                select(changes)
                .where(changes.c.lpa_id == lpa["id"])
                .order_by(changes.c.lpa_version.desc())
                .limit(1)
            )
        ).one()
        event = (
            await conn.execute(
                select(outbox).where(outbox.c.uid == uid).order_by(outbox.c.id.desc()).limit(1)
            )
        ).one()
    return dict(change._mapping), dict(event._mapping)


async def assert_recorded(
    app: Starlette, uid: str, version: int, change_type: str, client: str = MAKEREGISTER
) -> dict[str, Any]:
    """The change at `version` is in the history, by the client's `sub`, with its outbox event;
    answers the history row."""
    change, event = await last_change(app, uid)
    assert (change["lpa_version"], change["change_type"], change["author"]) == (
        version,
        change_type,
        SUBS[client],
    )
    assert (event["event_type"], event["uid"], event["change_type"]) == (
        "lpa-updated",
        uid,
        change_type,
    )
    return change
