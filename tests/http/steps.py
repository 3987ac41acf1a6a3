"""Driving one LPA through its life over HTTP, as the services would, for the update tests."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import func, select
from starlette.applications import Starlette

from app.db.models import Anomaly, Change, IdempotencyRecord, Lpa, OutboxEvent
from tests.factories import CREATE_LPA, online_lpa

MAKEREGISTER = "opg.poas.makeregister"
USE = "opg.poas.use"
SIRIUS = "opg.poas.sirius"
SIRIUS_SUB = "urn:opg:poas:sirius:users:33333333-3333-4333-8333-333333333333"

# The input type of each update that takes one.
INPUT_TYPES = {
    "signCertificateProvider": "SignCertificateProviderInput",
    "signAttorney": "SignAttorneyInput",
    "attorneyOptOut": "AttorneyOptOutInput",
    "changeStatus": "ChangeStatusInput",
    "correctLpa": "CorrectionInput",
    "correctRegisteredLpa": "CorrectionInput",
    "changeAttorneys": "ChangeAttorneysInput",
    "severRestrictions": "SeverRestrictionsInput",
    "resolveAnomaly": "ResolveAnomalyInput",
    "signTrustCorporation": "SignTrustCorporationInput",
    "confirmIdentity": "ConfirmIdentityInput",
    "recordPayment": "RecordPaymentInput",
    "trustCorporationOptOut": "TrustCorporationOptOutInput",
    "recordAttorneyDecisions": "RecordAttorneyDecisionsInput",
    "certificateProviderAccessOnline": "CertificateProviderAccessOnlineInput",
    "attorneyAccessOnline": "AttorneyAccessOnlineInput",
}
PEOPLE = """query People($uid: LpaUid!) { lpa(uid: $uid) {
  attorneys { uid status channel email cannotMakeJointDecisions steppedInAt }
  trustCorporations { uid status }
  certificateProvider { channel email }
} }"""
SIGNED = "2026-01-06T10:00:00Z"  # a day after the donor signed in online_lpa()
TABLES = (Lpa, Change, OutboxEvent, Anomaly, IdempotencyRecord)

_keys = itertools.count()


def update_document(operation: str) -> str:
    input_type = INPUT_TYPES.get(operation)
    header = "$uid: LpaUid!, $v: Int!, $key: String!"
    args = "uid: $uid, expectedVersion: $v, idempotencyKey: $key"
    if input_type is not None:
        header += f", $input: {input_type}!"
        args += ", input: $input"
    name = operation[0].upper() + operation[1:]
    return (
        f"mutation {name}({header}) {{ {operation}({args}) "
        "{ accepted uid version problems { source code } } }"
    )


@dataclass
class Case:
    """One LPA and the version its writers last saw."""

    gql: Any
    uid: str
    version: int = 1

    @classmethod
    async def create(cls, gql: Any, lpa: dict[str, Any] | None = None) -> Case:
        variables = {"input": lpa or online_lpa(), "key": f"create-{next(_keys)}"}
        response = await gql(MAKEREGISTER, CREATE_LPA, variables)
        result = response.json()["data"]["createLpa"]
        assert result["accepted"], result
        return cls(gql, result["uid"], result["version"])

    async def post(
        self,
        client: str,
        operation: str,
        input: dict[str, Any] | None = None,
        *,
        key: str | None = None,
        version: int | None = None,
    ) -> httpx.Response:
        variables: dict[str, Any] = {
            "uid": self.uid,
            "v": self.version if version is None else version,
            "key": key or f"{operation}-{next(_keys)}",
        }
        if input is not None:
            variables["input"] = input
        response: httpx.Response = await self.gql(client, update_document(operation), variables)
        return response

    async def send(
        self,
        client: str,
        operation: str,
        input: dict[str, Any] | None = None,
        *,
        key: str | None = None,
        version: int | None = None,
    ) -> dict[str, Any]:
        """The verdict; an accepted one moves this case to the version it answers."""
        response = await self.post(client, operation, input, key=key, version=version)
        body = response.json()
        assert response.status_code == 200, body
        assert "errors" not in body, body
        result: dict[str, Any] = body["data"][operation]
        if result["accepted"]:
            self.version = result["version"]
        return result

    async def refused_as_bad_input(self, operation: str, input: dict[str, Any]) -> str:
        """Send as a caseworker an input over a transport bound; the error message."""
        response = await self.post(SIRIUS, operation, input)
        body = response.json()
        assert body["data"] is None, body
        [error] = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", body
        return str(error["message"])

    async def sirius(self, operation: str, input: dict[str, Any] | None = None) -> dict[str, Any]:
        return await self.send(SIRIUS, operation, input)

    async def people(self) -> dict[str, Any]:
        """The LPA's people as case management reads them."""
        response = await self.gql(SIRIUS, PEOPLE, {"uid": self.uid})
        lpa: dict[str, Any] = response.json()["data"]["lpa"]
        return lpa

    async def attorney_uids(self) -> list[str]:
        return [a["uid"] for a in (await self.people())["attorneys"]]

    async def attorney_statuses(self) -> list[str]:
        return [a["status"].lower() for a in (await self.people())["attorneys"]]

    async def sign_all(self, attorneys: int = 1) -> None:
        results = [
            await self.send(MAKEREGISTER, "signCertificateProvider", {"signedAt": SIGNED}),
            *[
                await self.send(MAKEREGISTER, "signAttorney", {"attorney": i, "signedAt": SIGNED})
                for i in range(attorneys)
            ],
        ]
        assert all(r["accepted"] for r in results), results

    async def register(self, attorneys: int = 1) -> None:
        await self.sign_all(attorneys)
        for operation in ("startStatutoryWaitingPeriod", "registerLpa"):
            result = await self.sirius(operation)
            assert result["accepted"], result

    async def reach(self, status: str) -> None:
        """Drive this new LPA to `status` (an LpaStatusCode name) the way the services would."""
        if status in ("STATUTORY_WAITING_PERIOD", "DO_NOT_REGISTER"):
            await self.sign_all()
            assert (await self.sirius("startStatutoryWaitingPeriod"))["accepted"]
        elif status in ("REGISTERED", "CANCELLED"):
            await self.register()
        elif status == "WITHDRAWN":
            assert (await self.send(MAKEREGISTER, "withdrawLpa"))["accepted"]
        if status in ("DO_NOT_REGISTER", "CANCELLED", "EXPIRED", "CANNOT_REGISTER"):
            assert (await self.sirius("changeStatus", {"status": status}))["accepted"]


def accepted(case: Case) -> dict[str, Any]:
    return {"accepted": True, "uid": case.uid, "version": case.version, "problems": []}


def refused(case: Case, *problems: tuple[str, str]) -> dict[str, Any]:
    return {
        "accepted": False,
        "uid": case.uid,
        "version": None,
        "problems": [{"source": s, "code": c} for s, c in problems],
    }


async def counts(app: Starlette) -> dict[str, int]:
    async with app.state.gateway.engine.connect() as conn:
        return {
            t.__tablename__: (await conn.execute(select(func.count()).select_from(t))).scalar_one()
            for t in TABLES
        }


async def last_change(app: Starlette, uid: str) -> tuple[Any, Any]:
    """The newest history row of the LPA and its outbox event."""
    changes, outbox, lpas = Change.__table__, OutboxEvent.__table__, Lpa.__table__
    async with app.state.gateway.engine.connect() as conn:
        lpa_id = (await conn.execute(select(lpas.c.id).where(lpas.c.uid == uid))).scalar_one()
        change = (
            await conn.execute(
                select(changes)
                .where(changes.c.lpa_id == lpa_id)
                .order_by(changes.c.lpa_version.desc())
            )
        ).first()
        event = (
            await conn.execute(
                select(outbox).where(outbox.c.uid == uid).order_by(outbox.c.id.desc())
            )
        ).first()
    return change, event


async def lpa_row(app: Starlette, uid: str) -> Any:
    lpas = Lpa.__table__
    async with app.state.gateway.engine.connect() as conn:
        return (await conn.execute(select(lpas).where(lpas.c.uid == uid))).one()
