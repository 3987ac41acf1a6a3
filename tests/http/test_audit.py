"""Every request leaves one append-only audit row, and no personal value reaches the audit
trail or the logs."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import anyio
import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from starlette.applications import Starlette

from app.db import audit_batch
from app.db.audit_batch import FLUSH_INTERVAL_SECONDS, MAX_LAG_SECONDS, PATIENCE_SECONDS
from app.db.engine import create_engine
from app.db.models import AuditEvent, table
from app.graphql.errors import UNAVAILABLE_MESSAGE
from app.http.app import create_app
from app.settings import Settings
from tests.factories import CREATE_LPA, LPA_STATUS, online_lpa

pytestmark = pytest.mark.anyio

audit = table(AuditEvent)


async def written(app: Starlette) -> list[dict[str, Any]]:
    """The rows in the table now, without waiting for the batch of reads."""
    async with app.state.gateway.engine.connect() as conn:
        result = await conn.execute(select(audit).order_by(audit.c.id))
        return [dict(r._mapping) for r in result]


async def rows(app: Starlette) -> list[dict[str, Any]]:
    """Every row, once the batch of reads queued so far is written."""
    await app.state.gateway.audit.flush()
    async with app.state.gateway.engine.connect() as conn:
        result = await conn.execute(select(audit).order_by(audit.c.id))
        return [dict(r._mapping) for r in result]


async def test_an_allowed_read_is_recorded_with_the_uids_it_touched(
    app: Starlette, http: httpx.AsyncClient, token: Any, demo: list[dict[str, Any]]
) -> None:
    uid = next(d["uid"] for d in demo if d["status"] == "REGISTERED")
    query = "query Flags($uid: LpaUid!) { lpaStatus(uid: $uid) { isRegistered } }"
    response = await http.post(
        "/graphql",
        json={"query": query, "variables": {"uid": uid}, "operationName": "Flags"},
        headers={"Authorization": f"Bearer {token('opg.poas.use')}"},
    )
    [row] = await rows(app)
    assert row["request_id"] == response.headers["x-request-id"]
    assert (row["kind"], row["client"], row["decision"], row["reason"]) == (
        "request",
        "opg.poas.use",
        "allowed",
        None,
    )
    assert row["sub"].startswith("urn:opg:poas:use:users:")
    assert row["operation_name"] == "Flags"
    assert row["document_hash"] == hashlib.sha256(query.encode()).hexdigest()
    assert row["lpa_uids"] == [uid]
    assert row["duration_ms"] > 0


async def test_denials_are_recorded_with_their_reason(
    app: Starlette, http: httpx.AsyncClient, gql: Any
) -> None:
    await gql("opg.poas.use", '{ validateLpa(uid: "M-1234-5678-9018") { valid } }')
    await http.post("/graphql", json={"query": "{ __typename }"})
    await http.post("/graphql", content=b"query=1", headers={"content-type": "text/plain"})

    recorded = [(r["client"], r["decision"], r["reason"]) for r in await rows(app)]
    assert recorded == [
        ("opg.poas.use", "denied", "invalid-document"),
        (None, "denied", "unauthenticated"),
        (None, "denied", "unsupported_media_type"),
    ]


PERSONAL = ("Zebedee", "Quintavalle", "1951-07-19", "QX9 9ZZ", "zeb@example.net", "07700900999")


def distinctive_lpa() -> dict[str, Any]:
    lpa = online_lpa()
    lpa["donor"].update(
        firstNames="Zebedee",
        lastName="Quintavalle",
        dateOfBirth="1951-07-19",
        email="zeb@example.net",
    )
    lpa["donor"]["address"]["postcode"] = "QX9 9ZZ"
    lpa["certificateProvider"]["phone"] = "07700900999"
    return lpa


async def test_no_personal_value_reaches_the_audit_trail_or_the_logs(
    app: Starlette, gql: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await gql("opg.poas.makeregister", CREATE_LPA, {"input": distinctive_lpa(), "key": "k1"})
    bad = distinctive_lpa()
    bad["donor"]["dateOfBirth"] = "19/07/1951 Zebedee"
    await gql("opg.poas.makeregister", CREATE_LPA, {"input": bad, "key": "k2"})
    inline = '{ lpaStatus(uid: "Zebedee Quintavalle 1951-07-19 QX9 9ZZ") { isRegistered } }'
    await gql("opg.poas.use", inline)

    trail = repr(await rows(app))
    assert len(await rows(app)) == 3
    for value in PERSONAL:
        assert value not in trail
        assert value not in caplog.text


async def test_the_audit_trail_refuses_update_and_delete(app: Starlette, gql: Any) -> None:
    await gql("opg.poas.use", LPA_STATUS, {"uid": "M-1234-5678-9018"})
    await app.state.gateway.audit.flush()
    for statement in ("UPDATE audit_events SET decision = 'allowed'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with app.state.gateway.engine.begin() as conn:
                await conn.execute(text(statement))
    assert len(await rows(app)) == 1


async def test_a_mutation_is_answered_only_once_its_row_is_written(
    app: Starlette, gql: Any
) -> None:
    response = await gql("opg.poas.makeregister", CREATE_LPA, {"input": online_lpa(), "key": "k"})
    assert response.json()["data"]["createLpa"]["accepted"] is True
    [row] = await written(app)  # no flush: it was written before the answer
    assert (row["operation_name"], row["decision"]) == ("Create", "allowed")


async def test_a_mutation_answer_is_withheld_when_its_audit_row_cannot_be_written(
    app: Starlette, gql: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("app.http.graphql_endpoint.record", broken)
    response = await gql("opg.poas.makeregister", CREATE_LPA, {"input": online_lpa(), "key": "k"})
    assert response.status_code == 500
    assert response.json() == {
        "errors": [{"message": "Internal server error.", "extensions": {"code": "INTERNAL"}}]
    }


async def test_a_read_row_is_written_within_the_flush_interval(
    app: Starlette, gql: Any, demo: list[dict[str, Any]]
) -> None:
    uid = next(d["uid"] for d in demo if d["status"] == "REGISTERED")
    await gql("opg.poas.use", LPA_STATUS, {"uid": uid})
    waited = 0.0
    while not await written(app) and waited < MAX_LAG_SECONDS:
        await anyio.sleep(0.05)
        waited += 0.05
    [row] = await written(app)  # no flush asked for: the batch wrote it by itself
    assert row["lpa_uids"] == [uid]
    assert waited <= FLUSH_INTERVAL_SECONDS + 0.3


async def test_read_answers_are_withheld_while_their_rows_cannot_be_written(
    app: Starlette, gql: Any, monkeypatch: pytest.MonkeyPatch, demo: list[dict[str, Any]]
) -> None:
    uid = next(d["uid"] for d in demo if d["status"] == "REGISTERED")

    async def unreachable(*_: Any) -> None:
        raise OSError("database out of reach")

    monkeypatch.setattr("app.db.audit_batch.write_rows", unreachable)
    first = await gql("opg.poas.use", LPA_STATUS, {"uid": uid})
    assert first.json()["data"]["lpaStatus"]["isRegistered"] is True  # inside the 1 s window
    await anyio.sleep(MAX_LAG_SECONDS + 0.1)
    held = await gql("opg.poas.use", LPA_STATUS, {"uid": uid})
    assert held.status_code == 503
    assert held.json() == {
        "errors": [{"message": UNAVAILABLE_MESSAGE, "extensions": {"code": "UNAVAILABLE"}}]
    }
    monkeypatch.undo()  # the database is back: the queue drains, answers resume
    await app.state.gateway.audit.flush()
    again = await gql("opg.poas.use", LPA_STATUS, {"uid": uid})
    assert again.status_code == 200
    recorded = [(r["decision"], r["lpa_uids"]) for r in await rows(app)]
    assert recorded == [("allowed", [uid])] * 3  # the withheld one too: nothing was lost


@pytest.mark.parametrize(("write_takes", "status"), [(1.2, 200), (4.0, 503)])
async def test_a_slow_write_is_waited_for_up_to_patience(
    app: Starlette,
    gql: Any,
    monkeypatch: pytest.MonkeyPatch,
    demo: list[dict[str, Any]],
    write_takes: float,
    status: int,
) -> None:
    """A write that is slow, not failing: the second request comes 1.05 s after the first, past
    the lag. It waits for the write (done about 1.2 s in) and is answered, or, when the write
    takes longer than the lag and the patience together (4 s), it is withheld."""
    assert MAX_LAG_SECONDS + PATIENCE_SECONDS < 3.0  # what the 503 case needs, and a margin
    uid = next(d["uid"] for d in demo if d["status"] == "REGISTERED")
    real = audit_batch.write_rows

    async def slow(target: Any, batch: Any) -> None:
        await anyio.sleep(write_takes)
        await real(target, batch)

    monkeypatch.setattr(audit_batch, "write_rows", slow)
    first = await gql("opg.poas.use", LPA_STATUS, {"uid": uid})
    assert first.status_code == 200
    await anyio.sleep(MAX_LAG_SECONDS + 0.05)
    second = await gql("opg.poas.use", LPA_STATUS, {"uid": uid})
    assert second.status_code == status
    monkeypatch.undo()
    recorded = [r["decision"] for r in await rows(app)]
    assert recorded == ["allowed", "allowed"]  # the withheld one too


async def test_queued_rows_are_written_on_a_clean_shutdown(
    settings: Settings, token: Any, demo: list[dict[str, Any]]
) -> None:
    uid = next(d["uid"] for d in demo if d["status"] == "REGISTERED")
    application = create_app(settings)
    headers = {"Authorization": f"Bearer {token('opg.poas.use')}"}
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            for _ in range(5):
                await client.post(
                    "/graphql", json={"query": LPA_STATUS, "variables": {"uid": uid}},
                    headers=headers,
                )  # fmt: skip
        assert len(application.state.gateway.audit) == 5  # queued, not yet written
    engine = create_engine(settings)  # as the gateway's: through its pooler, if any
    try:
        async with engine.connect() as conn:
            count = (await conn.execute(select(func.count()).select_from(audit))).scalar_one()
    finally:
        await engine.dispose()
    assert count == 5


async def test_a_refused_body_is_audited_as_the_client_that_sent_it(
    app: Starlette, http: httpx.AsyncClient, token: Any
) -> None:
    headers = {"Authorization": f"Bearer {token('opg.poas.use')}"}
    await http.post("/graphql", json=[{"query": "{ __typename }"}], headers=headers)
    [row] = await rows(app)
    assert (row["client"], row["decision"]) == ("opg.poas.use", "denied")
