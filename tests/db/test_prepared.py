"""Prepared statements give exactly what SQLAlchemy gives for the same statement, row rule
and caller; on PostgreSQL they run on the driver, outside any transaction."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import bindparam, event, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.audit import REQUEST, audit_events, write_rows
from app.db.demo import demo_uids, seed_demo
from app.db.engine import engine_for_url
from app.db.mapping import lpa_of
from app.db.prepared import Prepared, Statements
from app.db.repository.reads import (
    _DONOR_BY_RULE,
    _STATUS_BY_RULE,
    actors,
    donor_identity,
    identity_checks,
    lpa_extras,
    lpa_record,
    lpa_with_people,
    people_of_one,
    signatories,
    status_row,
    visible_lpa,
)
from app.db.visibility import RowRule
from app.domain.records import Lpa
from tests.rows import two_signatories

pytestmark = pytest.mark.anyio
CALLERS = ("opg.poas.makeregister", "opg.poas.sirius", "opg.poas.use")
UNKNOWN = "M-9999-9999-9999"
_LEFT_IN_A_TRANSACTION = text(
    "SELECT count(*) FROM pg_stat_activity"
    " WHERE datname = current_database() AND state LIKE 'idle in transaction%'"
)
_SLEEP = Prepared(select(func.pg_sleep(bindparam("seconds")).label("slept")))


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = engine_for_url(database_url)
    await seed_demo(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
async def statements(engine: AsyncEngine) -> AsyncIterator[Statements]:
    opened = Statements(engine)
    yield opened
    await opened.close()


def typed(row: dict[str, object] | None) -> dict[str, tuple[type, object]] | None:
    """Values with their types: a StrEnum equals its plain string, and must not pass for it."""
    return None if row is None else {k: (type(v), v) for k, v in row.items()}


async def through_sqlalchemy(
    engine: AsyncEngine, prepared: Prepared, values: dict[str, str]
) -> dict[str, object] | None:
    async with engine.connect() as conn:
        row = (await conn.execute(prepared.statement, values)).first()
    return None if row is None else dict(row._mapping)


async def lpa_and_people(statements: Statements, uid: str, rule: RowRule, client: str) -> object:
    found = await lpa_with_people(statements, uid, rule, client)
    return None if found is None else (typed(found[0]), [typed(p) for p in found[1]])


async def as_sqlalchemy(engine: AsyncEngine, uid: str, rule: RowRule, client: str) -> object:
    async with engine.connect() as conn:
        lpa = await visible_lpa(conn, uid, rule, client)
        if lpa is None:
            return None
        people = await people_of_one(conn, lpa.id)
    return typed(dict(lpa._mapping)), [typed(dict(p._mapping)) for p in people]


@pytest.mark.parametrize("rule", list(RowRule))
async def test_lookups_answer_as_sqlalchemy_does(
    engine: AsyncEngine, statements: Statements, rule: RowRule
) -> None:
    found = 0
    for uid in [*demo_uids(), UNKNOWN]:
        for client in CALLERS:
            values = {"uid": uid, "client": client}
            status = await status_row(statements, uid, rule, client)
            expected = await through_sqlalchemy(engine, _STATUS_BY_RULE[rule], values)
            assert typed(status) == typed(expected)
            donor = await donor_identity(statements, uid, rule, client)
            expected = await through_sqlalchemy(engine, _DONOR_BY_RULE[rule], values)
            assert typed(donor) == typed(expected)
            found += status is not None
            assert await lpa_and_people(statements, uid, rule, client) == await as_sqlalchemy(
                engine, uid, rule, client
            )
    assert found > 0  # the rule let something through, so values were compared, not Nones


async def record_as_sqlalchemy(engine: AsyncEngine, uid: str, rule: RowRule, client: str) -> object:
    """The record as read before `lpa_record` held one connection: every part on the
    engine's own path, identity checks and signatories read whoever holds them."""
    async with engine.connect() as conn:
        lpa = await visible_lpa(conn, uid, rule, client)
        if lpa is None:
            return None
        people = await people_of_one(conn, lpa.id)
        checks, signed = await lpa_extras(conn, lpa.id)
    return lpa_of(lpa._mapping, [p._mapping for p in people], checks, signed)


async def test_a_record_reads_as_sqlalchemy_reads_it(
    engine: AsyncEngine, statements: Statements
) -> None:
    """`lpa_record` on one held connection, leaving out a read no person could hold, gives
    the record the engine's path gives, identity checks and signatories included."""
    async with engine.begin() as conn:  # a check and two signatories on the demo's rows
        trust = (
            await conn.execute(select(actors.c.id).where(actors.c.role == "trust-corporation"))
        ).first()
        donor = (await conn.execute(select(actors.c.id).where(actors.c.role == "donor"))).first()
        assert trust is not None
        assert donor is not None
        await conn.execute(
            identity_checks.insert(),
            [{"actor_id": donor.id, "type": "one-login", "checked_at": datetime.now(UTC)}],
        )
        await conn.execute(signatories.insert(), two_signatories(trust.id))
    held: list[Lpa] = []
    for rule in RowRule:
        for uid in [*demo_uids(), UNKNOWN]:
            for client in CALLERS:
                record = await lpa_record(statements, uid, rule, client)
                assert record == await record_as_sqlalchemy(engine, uid, rule, client)
                held += [record] if record is not None else []
    assert any(a.signatories for r in held for a in r.trust_corporations)
    assert any(r.donor.identity_checks for r in held if r.donor is not None)
    # where a read was left out: no trust corporation, or nobody with an identity check
    assert any(not r.trust_corporations for r in held)
    assert any(not r.donor.identity_checks for r in held if r.donor is not None)


@pytest.fixture
async def one_connection(engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    """An engine on the same database whose pool holds one connection."""
    single = engine_for_url(engine.url.render_as_string(hide_password=False), pool_size=1)
    yield single
    await single.dispose()


@pytest.mark.postgres_only
async def test_a_lookup_on_postgresql_is_one_statement_and_no_transaction(
    one_connection: AsyncEngine,
) -> None:
    statements = Statements(one_connection)
    assert statements.on_driver
    through_engine: list[str] = []

    @event.listens_for(one_connection.sync_engine, "before_cursor_execute")
    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        through_engine.append(statement)

    sent: list[str] = []
    pooled = await one_connection.raw_connection()  # the pool's only connection
    pooled.driver_connection.add_query_logger(lambda record: sent.append(record.query))
    pooled.close()
    row = await status_row(statements, demo_uids()[0], RowRule.ALL, "opg.poas.sirius")
    await asyncio.sleep(0)  # asyncpg calls its query loggers soon after, not at once
    assert row is not None
    assert through_engine == []  # nothing went through SQLAlchemy
    assert len(sent) == 1  # no BEGIN, no ROLLBACK, no reset on release
    assert sent[0].startswith("SELECT lpas.status")
    async with one_connection.connect() as conn:  # the engine's own path, on the same one
        await conn.execute(select(1))
    await asyncio.sleep(0)
    assert len(sent) > 1


@pytest.mark.postgres_only
async def test_a_record_is_read_on_one_connection(one_connection: AsyncEngine) -> None:
    """Its reads one after another on the pool's one connection: no wait for a second."""
    statements = Statements(one_connection)
    async with asyncio.timeout(5):
        record = await lpa_record(statements, demo_uids()[0], RowRule.ALL, "opg.poas.sirius")
    assert record is not None
    assert record.donor is not None
    async with statements.held() as reads, asyncio.timeout(5):
        first = await reads.first(_STATUS_BY_RULE[RowRule.ALL], {"uid": record.uid, "client": ""})
        again = await reads.first(_STATUS_BY_RULE[RowRule.ALL], {"uid": record.uid, "client": ""})
    assert first == again is not None


@pytest.mark.postgres_only
async def test_a_statement_cut_off_inside_its_transaction_never_hands_that_transaction_on(
    one_connection: AsyncEngine,
) -> None:
    """Behind a transaction pooler each statement runs between BEGIN and COMMIT. Cut off
    between the two (the request timed out), its connection is closed, not given back: the
    next statement on the pool's one connection starts clean."""
    statements = Statements(one_connection, transaction_pooler=True, statement_timeout_ms=5000)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.2):
            await statements.first(_SLEEP, {"seconds": 2})
    assert await statements.first(_SLEEP, {"seconds": 0}) is not None
    async with one_connection.connect() as conn:
        left_open = await conn.execute(_LEFT_IN_A_TRANSACTION)
    assert left_open.scalar() == 0


async def test_audit_rows_read_back_as_written(engine: AsyncEngine, statements: Statements) -> None:
    at = datetime(2026, 3, 1, 12, 30, tzinfo=timezone(timedelta(hours=1)))
    row = {
        "occurred_at": at,
        "kind": REQUEST,
        "request_id": "f" * 32,
        "client": "opg.poas.use",
        "sub": "urn:opg:poas:use:users:1",
        "operation_name": "Status",
        "document_hash": "a" * 64,
        "document_id": "sha256:" + "a" * 64,
        "decision": "denied",
        "reason": "forbidden",
        "lpa_uids": ["M-1234-5678-9018", "M-8437-7464-3309"],
        "duration_ms": 2.25,
    }
    await write_rows(statements, [row, {**row, "request_id": "e" * 32}])
    async with engine.connect() as conn:
        stored = [dict(r._mapping) for r in await conn.execute(select(audit_events))]
    stored.sort(key=lambda r: r.pop("id"))
    assert len(stored) == 2
    assert stored[0] == {**row, "occurred_at": at.astimezone(UTC)}
    assert stored[1]["request_id"] == "e" * 32


def test_a_parameter_the_caller_must_give_is_never_filled_in() -> None:
    own = _STATUS_BY_RULE[RowRule.OWN].compiled(engine_for_url("postgresql+asyncpg://x/y").dialect)
    assert own.arguments({"uid": "M-1", "client": "opg.poas.use"}) == ["M-1", "opg.poas.use"]
    with pytest.raises(KeyError, match="client"):
        own.arguments({"uid": "M-1"})  # never `created_by = NULL`, silently
