"""createLpa over HTTP, as OPG's LPA store would judge it: the store's own shape of an LPA is
accepted (actor UIDs, statuses, identity checks, an independent witness, an authorised
signatory), its defaults are applied and shown to case management only, and what the store
refuses is refused online and kept as an anomaly on paper."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette

from app.db.demo import DEMO_LPAS
from app.db.models import Actor, Anomaly, Lpa
from tests.factories import CREATE_LPA, attorney, online_lpa
from tests.http.test_create_lpa import create

pytestmark = pytest.mark.anyio

UIDS = [str(uuid.uuid4()) for _ in range(7)]
SIGNED = "2026-01-05T10:00:00Z"
READ = """
query Read($uid: LpaUid!) {
  lpa(uid: $uid) {
    howAttorneysMakeDecisions howAttorneysMakeDecisionsIsDefault
    howReplacementAttorneysMakeDecisions howReplacementAttorneysMakeDecisionsIsDefault
    whenTheLpaCanBeUsed whenTheLpaCanBeUsedIsDefault lifeSustainingTreatmentOptionIsDefault
    witnessedByIndependentWitnessAt certificateProviderNotRelatedConfirmedAt
    donor { uid identityChecks { type checkedAt } }
    attorneys { uid status appointmentType }
    trustCorporations { uid status }
    certificateProvider { uid identityChecks { type } }
    independentWitness { uid firstNames lastName phone address { line1 country } }
    authorisedSignatory { uid firstNames lastName }
  }
}
"""


def store_shaped(**overrides: Any) -> dict[str, Any]:
    """An online LPA as the LPA store receives one: every actor named by its UID, statuses
    given, a trust corporation, an independent witness and an authorised signatory, and the
    decision modes and when-it-can-be-used left to the defaults."""
    lpa = online_lpa(
        attorneys=[
            attorney(uid=UIDS[1], status="ACTIVE"),
            attorney(uid=UIDS[2], appointmentType="REPLACEMENT", status="INACTIVE"),
            attorney(appointmentType="REPLACEMENT"),
        ],
        trustCorporations=[
            {
                "uid": UIDS[3],
                "name": "Acme Trustees Ltd",
                "companyNumber": "01234567",
                "email": "trust@example.com",
                "channel": "ONLINE",
                "status": "ACTIVE",
                "address": {"line1": "3 Trust Square", "country": "GB"},
            }
        ],
        whenTheLpaCanBeUsed=None,
        independentWitness={
            "uid": UIDS[5],
            "firstNames": "Wyn",
            "lastName": "Witness",
            "phone": "07700900002",
            "address": {"line1": "4 Witness Way", "country": "GB"},
        },
        witnessedByIndependentWitnessAt=SIGNED,
        authorisedSignatory={"uid": UIDS[6], "firstNames": "Sam", "lastName": "Signer"},
        certificateProviderNotRelatedConfirmedAt=SIGNED,
    )
    lpa["donor"].update(
        uid=UIDS[0], email=None, identityCheck={"checkedAt": SIGNED, "type": "ONE_LOGIN"}
    )
    lpa["certificateProvider"].update(
        uid=UIDS[4], identityCheck={"checkedAt": SIGNED, "type": "OPG_PAPER_ID"}
    )
    lpa.update(overrides)
    return lpa


async def read(gql: Any, uid: str) -> dict[str, Any]:
    response = await gql("opg.poas.sirius", READ, {"uid": uid})
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return dict(body["data"]["lpa"])


async def count(app: Starlette, table: Any) -> int:
    async with app.state.gateway.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


async def test_a_store_shaped_lpa_is_accepted_and_kept_as_given(gql: Any) -> None:
    result = await create(gql, store_shaped())
    assert result["accepted"] is True
    assert result["problems"] == []
    assert set(result) == {"accepted", "uid", "version", "problems"}  # a verdict, no data

    lpa = await read(gql, result["uid"])
    assert lpa["donor"] == {
        "uid": UIDS[0],
        "identityChecks": [{"type": "ONE_LOGIN", "checkedAt": "2026-01-05T10:00:00Z"}],
    }
    assert [a["uid"] for a in lpa["attorneys"][:2]] == UIDS[1:3]
    uuid.UUID(lpa["attorneys"][2]["uid"])  # issued
    assert lpa["attorneys"][2]["uid"] not in UIDS
    assert [a["status"] for a in lpa["attorneys"]] == ["ACTIVE", "INACTIVE", "INACTIVE"]
    assert lpa["trustCorporations"] == [{"uid": UIDS[3], "status": "ACTIVE"}]
    assert lpa["certificateProvider"] == {
        "uid": UIDS[4],
        "identityChecks": [{"type": "OPG_PAPER_ID"}],
    }
    assert lpa["independentWitness"] == {
        "uid": UIDS[5],
        "firstNames": "Wyn",
        "lastName": "Witness",
        "phone": "07700900002",
        "address": {"line1": "4 Witness Way", "country": "GB"},
    }
    assert lpa["authorisedSignatory"] == {"uid": UIDS[6], "firstNames": "Sam", "lastName": "Signer"}
    assert lpa["witnessedByIndependentWitnessAt"] == "2026-01-05T10:00:00Z"
    assert lpa["certificateProviderNotRelatedConfirmedAt"] == "2026-01-05T10:00:00Z"


async def test_defaults_are_applied_and_shown_to_case_management(gql: Any) -> None:
    # an attorney and a trust corporation acting: JOINTLY by default, and so the two
    # replacements' mode too; property and affairs: usable while the donor has capacity
    result = await create(gql, store_shaped())
    lpa = await read(gql, result["uid"])
    assert {k: v for k, v in lpa.items() if k.startswith(("how", "when", "life"))} == {
        "howAttorneysMakeDecisions": "JOINTLY",
        "howAttorneysMakeDecisionsIsDefault": True,
        "howReplacementAttorneysMakeDecisions": "JOINTLY",
        "howReplacementAttorneysMakeDecisionsIsDefault": True,
        "whenTheLpaCanBeUsed": "WHEN_HAS_CAPACITY",
        "whenTheLpaCanBeUsedIsDefault": True,
        "lifeSustainingTreatmentOptionIsDefault": False,
    }

    chosen = store_shaped(
        howAttorneysMakeDecisions="JOINTLY",
        howReplacementAttorneysMakeDecisions="JOINTLY",
        whenTheLpaCanBeUsed="WHEN_HAS_CAPACITY",
    )
    for actor in (chosen["donor"], chosen["certificateProvider"], *chosen["attorneys"]):
        actor.pop("uid", None)
    chosen["trustCorporations"][0].pop("uid")
    chosen["independentWitness"].pop("uid")
    chosen["authorisedSignatory"].pop("uid")
    again = await read(gql, (await create(gql, chosen, key="key-2"))["uid"])
    assert again["howAttorneysMakeDecisionsIsDefault"] is False
    assert again["howReplacementAttorneysMakeDecisionsIsDefault"] is False
    assert again["whenTheLpaCanBeUsedIsDefault"] is False


async def test_the_writer_cannot_read_what_it_wrote(gql: Any) -> None:
    uid = (await create(gql, store_shaped()))["uid"]
    response = await gql("opg.poas.makeregister", READ, {"uid": uid})
    assert response.status_code == 400
    assert "Wyn" not in response.text


async def test_only_makeregister_creates_lpas(gql: Any, app: Starlette) -> None:
    for client in ("opg.poas.sirius", "opg.poas.use"):
        response = await gql(client, CREATE_LPA, {"input": store_shaped(), "key": "k"})
        assert response.status_code == 400, client
        assert "data" not in response.json() or response.json()["data"] is None
    assert await count(app, Lpa.__table__) == 0


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda lpa: lpa["donor"].update(firstNames=" "), ("/donor/firstNames", "REQUIRED")),
        (
            lambda lpa: lpa["trustCorporations"][0].update(name=""),
            ("/trustCorporations/0/name", "REQUIRED"),
        ),
        (
            lambda lpa: lpa["independentWitness"]["address"].update(line1="\t"),
            ("/independentWitness/address/line1", "REQUIRED"),
        ),
        (
            lambda lpa: lpa["certificateProvider"].update(phone=" "),
            ("/certificateProvider/phone", "REQUIRED"),
        ),
        (
            lambda lpa: lpa.update(witnessedByCertificateProviderAt=None),
            ("/witnessedByCertificateProviderAt", "REQUIRED"),
        ),
        (
            lambda lpa: lpa.update(witnessedByIndependentWitnessAt=None),
            ("/witnessedByIndependentWitnessAt", "REQUIRED"),
        ),
        (
            lambda lpa: lpa.update(signedAt="2099-01-01T00:00:00Z"),
            ("/signedAt", "DATE_IN_FUTURE"),
        ),
        (
            lambda lpa: lpa["donor"].update(contactLanguagePreference=None),
            ("/donor/contactLanguagePreference", "REQUIRED"),
        ),
        (
            lambda lpa: (
                lpa.update(howReplacementAttorneysMakeDecisions="JOINTLY_AND_SEVERALLY")
                or lpa["attorneys"].pop()
            ),
            ("/howReplacementAttorneysMakeDecisions", "NOT_ALLOWED"),
        ),
    ],
)
async def test_what_the_store_refuses_is_refused_online_and_an_anomaly_on_paper(
    gql: Any, app: Starlette, change: Any, problem: tuple[str, str]
) -> None:
    online = store_shaped()
    change(online)
    result = await create(gql, online)
    assert result["accepted"] is False
    assert result["problems"] == [{"source": problem[0], "code": problem[1]}]
    assert await count(app, Lpa.__table__) == 0

    paper = store_shaped(channel="PAPER")
    change(paper)
    for actor in (paper["certificateProvider"], *paper["attorneys"], *paper["trustCorporations"]):
        actor.update(channel="PAPER", email=None)
    stored = await create(gql, paper, key="key-paper")
    assert stored["accepted"] is True
    assert stored["problems"] == []
    async with app.state.gateway.engine.connect() as conn:
        rule_anomalies = (await conn.execute(select(Anomaly.source, Anomaly.code))).all()
    assert problem in [tuple(r) for r in rule_anomalies]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda lpa: lpa["donor"].update(uid="not-a-uuid"), ("/donor/uid", "INVALID_UUID")),
        (
            lambda lpa: lpa["authorisedSignatory"].update(uid=UIDS[1]),
            ("/authorisedSignatory/uid", "DUPLICATE"),
        ),
    ],
)
@pytest.mark.parametrize("channel", ["ONLINE", "PAPER"])
async def test_bad_actor_uids_refuse_either_channel(
    gql: Any, app: Starlette, change: Any, problem: tuple[str, str], channel: str
) -> None:
    lpa = store_shaped()
    change(lpa)
    if channel == "PAPER":
        lpa["channel"] = "PAPER"
        for actor in (lpa["certificateProvider"], *lpa["attorneys"], *lpa["trustCorporations"]):
            actor.update(channel="PAPER", email=None)
    result = await create(gql, lpa)
    assert result == {
        "accepted": False,
        "uid": None,
        "version": None,
        "problems": [{"source": problem[0], "code": problem[1]}],
    }
    assert await count(app, Actor.__table__) == 0


async def test_an_actor_uid_another_lpa_holds_is_refused(gql: Any, app: Starlette) -> None:
    assert (await create(gql, store_shaped()))["accepted"] is True
    again = online_lpa()
    again["certificateProvider"]["uid"] = UIDS[4]
    result = await create(gql, again, key="key-2")
    assert result["problems"] == [{"source": "/certificateProvider/uid", "code": "DUPLICATE"}]
    assert await count(app, Lpa.__table__) == 1


@pytest.mark.parametrize(("length", "ok"), [(36, True), (37, False)])
async def test_an_actor_uid_is_at_most_36_characters(gql: Any, length: int, ok: bool) -> None:
    lpa = online_lpa()
    lpa["donor"]["uid"] = (UIDS[0] + "0")[:length]
    response = await gql("opg.poas.makeregister", CREATE_LPA, {"input": lpa, "key": "k"})
    body = response.json()
    if ok:
        assert body["data"]["createLpa"]["accepted"] is True
    else:
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert body["data"] is None


async def test_the_demo_data_has_a_store_shaped_lpa(gql: Any, demo: list[dict[str, Any]]) -> None:
    [shaped] = [d.uid for d in DEMO_LPAS if d.store_shaped]
    assert shaped in [d["uid"] for d in demo]
    lpa = await read(gql, shaped)
    assert lpa["howAttorneysMakeDecisions"] == "JOINTLY"
    assert lpa["howAttorneysMakeDecisionsIsDefault"] is True
    assert lpa["howReplacementAttorneysMakeDecisionsIsDefault"] is True
    assert lpa["whenTheLpaCanBeUsedIsDefault"] is True
    assert [t["status"] for t in lpa["trustCorporations"]] == ["ACTIVE"]
    assert lpa["independentWitness"]["lastName"] == "Witness"
    assert lpa["witnessedByIndependentWitnessAt"] is not None
