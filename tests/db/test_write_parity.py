"""The repository writes the same rows whichever way its statements run: by asyncpg inside the
transaction (`InTransaction.of` on PostgreSQL) or through SQLAlchemy (SQLite's path, taken here
on PostgreSQL too). And a `RowInsert` stores what SQLAlchemy's plain `insert(table)` stores for
the same row, the columns a row leaves out included."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.db.engine import engine_for_url
from app.db.in_transaction import InTransaction
from app.db.inserts import RowInsert
from app.db.models import Base
from app.db.repository import LpaRepository
from app.db.visibility import RowRule
from app.domain.codes import ProblemCode
from app.domain.enums import (
    AnomalyStatus,
    EvidenceDelivery,
    FeeDecisionOutcome,
    FeeType,
    IdentityCheckType,
)
from app.domain.problems import Problem
from app.domain.records import (
    Address,
    FeeReductionDecision,
    FeeReductionRequest,
    IdentityCheck,
    Lpa,
    Payment,
    PersonToNotify,
    Signatory,
)
from app.domain.uid import uid_for_sequence
from app.domain.verdict import Verdict
from tests.domain.builders import an_lpa, attorney, certificate_provider, donor, trust_corporation

pytestmark = pytest.mark.anyio
CLIENT = "opg.poas.makeregister"
AUTHOR = "urn:opg:poas:makeregister:users:parity"
AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
LATER = datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC)
_SERIAL = [t for t in Base.metadata.sorted_tables if t.autoincrement_column is not None]


def _ids(n: int) -> list[uuid.UUID]:
    return [uuid.UUID(int=i, version=4) for i in range(1, n + 1)]


ID = _ids(12)
# Every kind of row a create writes: people with and without addresses, identity checks,
# a trust corporation's signatories, attorneys after a donor whose columns differ, anomalies.
NEW = an_lpa(
    id=None,
    created_by=CLIENT,
    donor=donor(
        id=ID[0], identity_checks=(IdentityCheck(type=IdentityCheckType.ONE_LOGIN, checked_at=AT),)
    ),
    attorneys=(attorney(0, id=ID[1]), attorney(1, id=ID[2], mobile="07700 900000")),
    trust_corporations=(
        trust_corporation(
            0,
            id=ID[3],
            signatories=(
                Signatory(id=ID[4], first_names="Sig", last_name="One", signed_at=AT),
                Signatory(id=ID[5], first_names="Sig", last_name="Two", professional_title="Dr"),
            ),
        ),
    ),
    certificate_provider=certificate_provider(id=ID[6], address=None),
    people_to_notify=(PersonToNotify(id=ID[7], first_names="Nia", last_name="Notified"),),
    created_at=AT,
    updated_at=AT,
)
PROBLEMS = [
    Problem("/donor/dateOfBirth", ProblemCode.REQUIRED),
    Problem("/attorneys", ProblemCode.NOT_ALLOWED),
    Problem("/donor/dateOfBirth", ProblemCode.REQUIRED),  # kept once
]


def _changed(before: Lpa) -> Lpa:
    """Every kind of row a save adds or changes."""
    trust = before.trust_corporations[0]
    request = FeeReductionRequest(
        id=ID[8],
        requested_type=FeeType.HALF,
        evidence_delivery=EvidenceDelivery.UPLOAD,
        previous_application_number=None,
        requested_at=LATER,
    )
    decision = FeeReductionDecision(
        request_id=ID[8],
        outcome=FeeDecisionOutcome.APPROVED,
        approved_type=FeeType.HALF,
        decided_at=LATER,
        decided_by=AUTHOR,
    )
    payment = Payment(id=ID[9], amount_pence=4100, reference="PAY-1", paid_at=LATER)
    anomalies = tuple(
        replace(a, status=AnomalyStatus.RESOLVED) if i == 0 else a
        for i, a in enumerate(before.case.anomalies)
    )
    checked = IdentityCheck(type=IdentityCheckType.OPG_PAPER_ID, checked_at=LATER)
    return replace(
        before,
        donor=replace(
            before.donor,
            address=Address(line1="2 New Road", town="Newtown", postcode="NE1 1AA", country="GB"),
            identity_checks=(*before.donor.identity_checks, checked),
        ),
        attorneys=(*before.attorneys, attorney(2, id=ID[10], cannot_make_joint_decisions=True)),
        trust_corporations=(
            replace(
                trust,
                signatories=(
                    *trust.signatories,
                    Signatory(id=ID[11], first_names="Sig", last_name="Three"),
                ),
            ),
        ),
        certificate_provider=replace(
            before.certificate_provider, address=Address(line1="3 First Address", country="GB")
        ),
        case=replace(
            before.case,
            fee_reduction_requests=(request,),
            fee_reduction_decisions=(decision,),
            payments=(payment,),
            anomalies=anomalies,
        ),
    )


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = engine_for_url(database_url)
    yield engine
    await engine.dispose()


@asynccontextmanager
async def _rolled_back(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A transaction rolled back at the end: what it wrote is read, then gone."""
    async with engine.connect() as conn:
        transaction = await conn.begin()
        try:
            yield conn
        finally:
            await transaction.rollback()


async def _rows(conn: Any) -> dict[str, list[list[tuple[str, type, object]]]]:
    """Every row of every table, ordered, each value with its type."""
    found: dict[str, list[list[tuple[str, type, object]]]] = {}
    for table in Base.metadata.sorted_tables:
        rows = await conn.execute(select(table).order_by(*table.primary_key.columns))
        found[table.name] = [[(k, type(v), v) for k, v in r._mapping.items()] for r in rows]
    return found


async def _written(engine: AsyncEngine, *, driver: bool) -> dict[str, Any]:
    """What a create, its remembered answer and a save write, in a transaction rolled back
    afterwards; serial ids and LPA numbers counted from 1 on either path."""
    async with engine.begin() as conn:
        for table in _SERIAL:
            column = table.autoincrement_column
            assert column is not None
            sequence = f"pg_get_serial_sequence('{table.name}', '{column.name}')"
            await conn.execute(text(f"SELECT setval({sequence}, 1, false)"))
    async with _rolled_back(engine) as conn:
        tx = await InTransaction.of(conn) if driver else InTransaction(conn)
        lpas = LpaRepository(tx, RowRule.ALL, CLIENT)
        assert await lpas.recall("key") is None
        assert await lpas.taken_actor_ids([p.id for p in NEW.people]) == set()
        uid = uid_for_sequence(await lpas.allocate_number())
        await lpas.create(replace(NEW, uid=uid), author=AUTHOR, anomalies=PROBLEMS)
        await lpas.remember("key", "hash", Verdict(accepted=True, uid=uid, version=1), AT)
        assert await lpas.recall("key") is not None
        before = await lpas.get(uid, with_case=True)
        assert before is not None
        assert len(before.case.anomalies) >= 2
        after = _changed(before)
        assert await lpas.save(before, after, event="EDIT", author=AUTHOR, at=LATER) == 2
        return await _rows(conn)


@pytest.mark.postgres_only
async def test_the_driver_writes_what_sqlalchemy_writes(engine: AsyncEngine) -> None:
    on_driver = await _written(engine, driver=True)
    through_sqlalchemy = await _written(engine, driver=False)
    assert on_driver == through_sqlalchemy
    for name in (
        "lpas",
        "actors",
        "addresses",
        "identity_checks",
        "trust_corporation_signatories",
        "anomalies",
        "changes",
        "outbox",
        "idempotency_records",
        "fee_reduction_requests",
        "fee_reduction_decisions",
        "payments",
    ):
        assert on_driver[name], name  # each kind of row was written, and compared
    flags = {
        r[0][2]: {k: v for k, _, v in r}["cannot_make_joint_decisions"] for r in on_driver["actors"]
    }
    assert flags[ID[10]] is True
    assert flags[ID[1]] is False


def _sparse_and_whole(name: str, lpa_id: int) -> list[dict[str, Any]]:
    """Two rows for `name`: one with only the columns that have no NULL and no default of
    their own, one with every column."""
    more = _ids(20)[12:]
    actor = {"id": more[0], "lpa_id": lpa_id, "role": "donor", "position": 5}
    anomaly = {"lpa_id": lpa_id, "source": "/a", "code": "REQUIRED", "status": "detected"}
    signatory = {"id": more[2], "trust_corporation_id": ID[3], "position": 0}
    return {
        "actors": [
            actor,
            {**actor, "id": more[1], "role": "attorney", "position": 6, "first_names": "A",
             "mobile": "1", "cannot_make_joint_decisions": True, "date_of_birth": date(1980, 1, 1),
             "signed_at": AT},
        ],
        "addresses": [
            {"actor_id": ID[0], "line1": "1 Road"},
            {"actor_id": ID[1], "line1": "2 Road", "line2": "Flat 2", "line3": "Block B",
             "town": "Town", "postcode": "AB1 2CD", "country": "GB"},
        ],
        "anomalies": [
            {**anomaly, "detected_at": AT},
            {**anomaly, "source": "/b", "status": "resolved", "detected_at": AT,
             "resolved_at": LATER, "resolved_by": AUTHOR},
        ],
        "trust_corporation_signatories": [
            {**signatory, "first_names": "S", "last_name": "One"},
            {**signatory, "id": more[3], "position": 1, "first_names": "S", "last_name": "Two",
             "professional_title": "Dr", "signed_at": AT},
        ],
    }[name]  # fmt: skip


@pytest.mark.parametrize("together", [False, True], ids=["one-by-one", "together"])
@pytest.mark.parametrize(
    "name", ["actors", "addresses", "anomalies", "trust_corporation_signatories"]
)
async def test_a_row_insert_stores_what_sqlalchemy_s_insert_stores(
    engine: AsyncEngine, name: str, together: bool
) -> None:
    """SQLAlchemy's `insert(table)` run with one row fills what the row leaves out itself
    (NULL, or the column's default); `RowInsert` must store the same, given the rows one at a
    time or all in one call (on PostgreSQL one statement for all: `unnest` of each column)."""
    table = _TABLES[name]
    serial = table.autoincrement_column
    stored = []
    for plain in (True, False):
        async with _rolled_back(engine) as conn:
            tx = await InTransaction.of(conn)
            lpas = LpaRepository(tx, RowRule.ALL, CLIENT)
            uid = uid_for_sequence(await lpas.allocate_number())
            lpa_id = await lpas.create(replace(NEW, uid=uid), author=AUTHOR, anomalies=[])
            await conn.execute(table.delete())
            rows = _sparse_and_whole(name, lpa_id)
            if plain:
                for row in rows:
                    await conn.execute(insert(table), row)
            elif together:
                await tx.insert(RowInsert(table), rows)
            else:
                for row in rows:
                    await tx.insert(RowInsert(table), [row])
            found = await conn.execute(select(table).order_by(*table.primary_key.columns))
            generated = getattr(serial, "key", None)
            left_out = (generated, "lpa_id")  # counted by sequences the rollback keeps
            stored.append(
                [{k: v for k, v in r._mapping.items() if k not in left_out} for r in found]
            )
    assert stored[0] == stored[1]
    assert len(stored[0]) == 2


_TABLES = {t.name: t for t in Base.metadata.sorted_tables}
