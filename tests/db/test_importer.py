"""Importing OPG's LPA store JSON into a real database, on SQLite and PostgreSQL: idempotent on
the LPA's uid, one refused line never stops the run, each LPA written whole with its history
and outbox rows, and an imported UID is never issued again."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.engine import engine_for_url
from app.db.importer import IMPORT, ImportSummary, import_lines
from app.db.models import Base
from app.domain.imported import IMPORTER
from app.domain.uid import uid_for_sequence
from tests.factories import CREATE_LPA, online_lpa
from tests.store_json import actor_uid, lines, paper, store_lpa, varied

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = engine_for_url(database_url)
    yield engine
    await engine.dispose()


async def run(engine: AsyncEngine, data: bytes) -> ImportSummary:
    return await import_lines(engine, data.splitlines(keepends=True), now=lambda: NOW)


def refused(summary: ImportSummary) -> list[tuple[int, str, str]]:
    return [(r.line, r.problem.source, r.problem.code.value) for r in summary.refused]


async def snapshot(engine: AsyncEngine) -> dict[str, list[str]]:
    """Every row of every table, as text, in a stable order."""
    tables: dict[str, list[str]] = {}
    async with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = (await conn.execute(select(table))).all()
            tables[table.name] = sorted(repr(tuple(row)) for row in rows)
    return tables


def counting(engine: AsyncEngine) -> Callable[[], int]:
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", seen)
    return lambda: len(statements)


async def test_a_thousand_lpas_import_once_and_a_second_run_changes_nothing(
    engine: AsyncEngine,
) -> None:
    data = lines(*(varied(n) for n in range(1000)))

    first = await run(engine, data)
    assert (first.imported, first.present, refused(first)) == (1000, 0, [])
    before = await snapshot(engine)
    assert len(before["lpas"]) == 1000
    assert len(before["changes"]) == len(before["outbox"]) == 1000
    trusts = sum(1 for n in range(1000) if "trustCorporations" in varied(n))
    assert len(before["trust_corporation_signatories"]) == trusts > 0
    assert len(before["identity_checks"]) == 1000  # every donor's

    statements = counting(engine)
    second = await run(engine, data)
    assert (second.imported, second.present, refused(second)) == (0, 1000, [])
    assert statements() == 5  # one uid lookup per batch of 200 lines, and no write
    assert await snapshot(engine) == before


async def test_each_lpa_gets_an_import_history_row_and_outbox_event(engine: AsyncEngine) -> None:
    await run(engine, lines(store_lpa(1), paper(store_lpa(2))))
    async with engine.connect() as conn:
        history = (
            await conn.execute(text("SELECT change_type, author, lpa_version FROM changes"))
        ).all()
        events = (
            await conn.execute(text("SELECT uid, change_type FROM outbox ORDER BY uid"))
        ).all()
    assert [tuple(h) for h in history] == [(IMPORT, IMPORTER, 1)] * 2
    assert sorted(tuple(e) for e in events) == sorted(
        [(store_lpa(1)["uid"], IMPORT), (store_lpa(2)["uid"], IMPORT)]
    )


async def test_broken_lines_are_refused_one_at_a_time_and_the_run_goes_on(
    engine: AsyncEngine,
) -> None:
    online_broken = store_lpa(5)
    online_broken["attorneys"][0]["dateOfBirth"] = "2015-01-01"  # under 18
    paper_broken = paper(store_lpa(6))
    paper_broken["attorneys"][0]["dateOfBirth"] = "2015-01-01"
    stolen = store_lpa(7)
    stolen["donor"]["uid"] = actor_uid(1, 1)  # line 1's donor
    data = lines(
        store_lpa(1),  # 1
        b"{not json",  # 2
        b"[1, 2]",  # 3
        store_lpa(4, uid="M-1111-2222-3333"),  # 4
        online_broken,  # 5
        paper_broken,  # 6
        stolen,  # 7
        store_lpa(1),  # 8: line 1 again
        b"   ",  # 9: blank, skipped
        store_lpa(10),  # 10
    )

    summary = await run(engine, data)

    assert (summary.imported, summary.present, summary.refused_lines) == (3, 1, 5)
    assert refused(summary) == [
        (2, "", "NOT_JSON"),
        (3, "", "NOT_AN_OBJECT"),
        (4, "/uid", "INVALID_UID"),
        (5, "/attorneys/0/dateOfBirth", "UNDER_18"),
        (7, "/donor/uid", "DUPLICATE"),
    ]
    async with engine.connect() as conn:
        stored = set((await conn.execute(text("SELECT uid FROM lpas"))).scalars())
        anomalies = (
            await conn.execute(
                text(
                    "SELECT l.uid, a.source, a.code FROM anomalies a JOIN lpas l ON l.id = a.lpa_id"
                )
            )
        ).all()
    assert stored == {store_lpa(n)["uid"] for n in (1, 6, 10)}
    assert [tuple(a) for a in anomalies] == [
        (paper_broken["uid"], "/attorneys/0/dateOfBirth", "UNDER_18")
    ]


async def test_a_refused_line_in_a_batch_costs_only_itself(engine: AsyncEngine) -> None:
    """The batch's one transaction fails on the repeated actor; every other LPA of it is
    written again on its own, whole, and nothing of the refused one is left."""
    twin = store_lpa(3)
    twin["attorneys"][0]["uid"] = actor_uid(2, 2)  # line 2's attorney
    summary = await run(engine, lines(store_lpa(1), store_lpa(2), twin, store_lpa(4)))
    assert (summary.imported, refused(summary)) == (3, [(3, "/attorneys/0/uid", "DUPLICATE")])
    async with engine.connect() as conn:
        counts = [
            (await conn.execute(text(f"SELECT count(*) FROM {t}"))).scalar_one()
            for t in ("lpas", "actors", "changes", "outbox")
        ]
    assert counts == [3, 9, 3, 3]


async def test_an_imported_lpa_reads_back_through_the_api(engine: AsyncEngine, gql: Any) -> None:
    online, on_paper = store_lpa(1), paper(store_lpa(2))
    await run(engine, lines(online, on_paper))

    query = """query R($uid: LpaUid!) { lpa(uid: $uid) {
        uid status registrationDate history { changeType author }
        donor { uid identityChecks { type } } attorneys { uid status }
        certificateProvider { uid } } }"""
    record = (await gql("opg.poas.sirius", query, {"uid": online["uid"]})).json()["data"]["lpa"]
    assert record == {
        "uid": online["uid"],
        "status": "REGISTERED",
        "registrationDate": "2025-03-01",
        "history": [{"changeType": IMPORT, "author": IMPORTER}],
        "donor": {"uid": actor_uid(1, 1), "identityChecks": [{"type": "ONE_LOGIN"}]},
        "attorneys": [{"uid": actor_uid(1, 2), "status": "ACTIVE"}],
        "certificateProvider": {"uid": actor_uid(1, 3)},
    }
    # An online LPA belongs to the service that makes them; a paper one does not.
    validate = "query V($uid: LpaUid!) { validateLpa(uid: $uid) { valid } }"
    mine = await gql("opg.poas.makeregister", validate, {"uid": online["uid"]})
    assert mine.json()["data"]["validateLpa"] is not None
    not_mine = await gql("opg.poas.makeregister", validate, {"uid": on_paper["uid"]})
    assert not_mine.json()["data"]["validateLpa"] is None


async def test_create_lpa_never_issues_an_imported_uid(engine: AsyncEngine, gql: Any) -> None:
    imported = [store_lpa(n, uid=uid_for_sequence(n)) for n in (1, 2, 3)]
    assert refused(await run(engine, lines(*imported))) == []

    answer = await gql("opg.poas.makeregister", CREATE_LPA, {"input": online_lpa(), "key": "k"})

    created = answer.json()["data"]["createLpa"]
    assert created["accepted"] is True
    assert created["uid"] == uid_for_sequence(4)  # 1 to 3 were taken by the import


async def test_without_an_import_create_lpa_issues_the_first_number(gql: Any) -> None:
    """The premise of the test above: a fresh database issues sequence number 1 first."""
    answer = await gql("opg.poas.makeregister", CREATE_LPA, {"input": online_lpa(), "key": "k"})
    assert answer.json()["data"]["createLpa"]["uid"] == uid_for_sequence(1)


async def test_no_value_of_a_refused_line_reaches_the_summary(engine: AsyncEngine) -> None:
    lpa = store_lpa(1)
    lpa["donor"]["dateOfBirth"] = "Dora's birthday"
    lpa["donor"]["Dora Donor"] = "secret"
    summary = await run(engine, lines(lpa))
    shown = json.dumps(refused(summary))
    assert "Dora" not in shown
    assert "secret" not in shown
    assert refused(summary) == [
        (1, "/donor", "UNSUPPORTED_FIELD"),
        (1, "/donor/dateOfBirth", "INVALID_VALUE"),
    ]
