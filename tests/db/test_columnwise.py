"""Many rows into one table as one statement on PostgreSQL (`app/db/prepared.py`'s
`_ManyRows`): a handful as VALUES rows, more as one array per column that `unnest` makes rows
of. The server runs one statement where `executemany` had it run one per row; what is stored,
and what is refused, stays what the one-row INSERT stores and refuses."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.audit import audit_events, write_rows
from app.db.audit_connection import AuditConnection
from app.db.demo import seed_demo
from app.db.engine import engine_for_url
from app.db.in_transaction import InTransaction
from app.db.inserts import RowInsert
from app.db.models import Actor, Address, Lpa, LpaNumber, table
from app.db.prepared import VALUES_AT_MOST, Prepared
from tests.factories import audit_row

pytestmark = pytest.mark.anyio
POSTGRES = engine_for_url("postgresql+asyncpg://x/y").dialect
SQLITE = engine_for_url("sqlite+aiosqlite:///:memory:").dialect
actors, addresses, lpas = table(Actor), table(Address), table(Lpa)
AT = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)


def _address(actor_id: uuid.UUID, line1: str, **more: Any) -> dict[str, Any]:
    return {"actor_id": actor_id, "line1": line1, **more}


# --- the statement, without a database ------------------------------------------------------


def test_many_rows_are_values_rows_or_an_unnest_of_each_column_cast_as_sqlalchemy_casts() -> None:
    compiled = RowInsert(addresses).prepared.compiled(POSTGRES)
    into = "INSERT INTO addresses (actor_id, line1, line2, line3, town, postcode, country)"
    assert compiled.sql == (
        f"{into} VALUES ($1::UUID, $2::VARCHAR, $3::VARCHAR, $4::VARCHAR, $5::VARCHAR, "
        "$6::VARCHAR, $7::VARCHAR)"
    )
    assert compiled.many is not None
    assert compiled.many.values(2) == (
        f"{into} VALUES ($1::UUID, $2::VARCHAR, $3::VARCHAR, $4::VARCHAR, $5::VARCHAR, "
        "$6::VARCHAR, $7::VARCHAR), ($8::UUID, $9::VARCHAR, $10::VARCHAR, $11::VARCHAR, "
        "$12::VARCHAR, $13::VARCHAR, $14::VARCHAR)"
    )
    assert compiled.many.values(2) is compiled.many.values(2)  # made once per count
    assert compiled.many.unnest == (
        f"{into} SELECT * FROM unnest($1::UUID[], $2::VARCHAR[], $3::VARCHAR[], "
        "$4::VARCHAR[], $5::VARCHAR[], $6::VARCHAR[], $7::VARCHAR[])"
    )


def test_a_parameter_sqlalchemy_leaves_uncast_is_cast_as_its_type() -> None:
    """`role` is a non-native enum: `$3` in the one-row INSERT, but an array needs a type."""
    compiled = RowInsert(actors).prepared.compiled(POSTGRES)
    assert "$3," in compiled.sql
    assert compiled.many is not None
    assert "$3::VARCHAR[]" in compiled.many.unnest
    assert "$3::VARCHAR," in compiled.many.values(2)
    assert "$24::VARCHAR," in compiled.many.values(2)  # the second row's role
    for sql in (compiled.many.unnest, compiled.many.values(3)):
        assert "VARCHAR(" not in sql  # a length would cut a value, not refuse it


def test_rows_are_the_statement_for_one_values_rows_for_a_few_and_arrays_for_more() -> None:
    compiled = RowInsert(addresses).prepared.compiled(POSTGRES)
    assert compiled.many is not None
    one, two = uuid.uuid4(), uuid.uuid4()
    first = RowInsert(addresses).row(_address(one, "1 Road"))
    second = RowInsert(addresses).row(_address(two, "2 Road", town="Town"))
    assert compiled.rows([first]) == ("execute", compiled.sql, compiled.arguments(first))
    assert compiled.rows([first, second]) == (
        "execute",
        compiled.many.values(2),
        [*compiled.arguments(first), *compiled.arguments(second)],
    )
    most = [first, second] * (VALUES_AT_MOST // 2)
    assert compiled.rows(most)[1] == compiled.many.values(VALUES_AT_MOST)
    method, sql, arguments = compiled.rows([*most, first])
    assert (method, sql) == ("execute", compiled.many.unnest)
    assert arguments[0] == [one, two] * (VALUES_AT_MOST // 2) + [one]
    assert arguments[1] == ["1 Road", "2 Road"] * (VALUES_AT_MOST // 2) + ["1 Road"]
    assert arguments[4] == [None, "Town"] * (VALUES_AT_MOST // 2) + [None]
    assert len(arguments) == 7


def test_values_go_through_the_parameter_s_processing_in_their_array() -> None:
    """`applied_at` is a UTC timestamp whose processor refuses a naive datetime."""
    from app.db.history import _INSERT_CHANGE

    compiled = _INSERT_CHANGE.prepared.compiled(POSTGRES)
    row = {
        "lpa_id": 1,
        "lpa_version": 1,
        "change_type": "CREATE",
        "author": "a",
        "applied_at": AT,
        "fields": [{"field": "/x", "old": None, "new": 1}],
    }
    rows = [{**row, "lpa_version": n} for n in range(VALUES_AT_MOST + 1)]
    _, _, arguments = compiled.rows(rows)
    assert arguments[1] == list(range(VALUES_AT_MOST + 1))
    assert arguments[5] == [compiled.arguments(row)[5]] * len(rows)  # as the one-row INSERT's
    _, _, values = compiled.rows(rows[:2])
    assert values == compiled.arguments(rows[0]) + compiled.arguments(rows[1])
    for count in (2, VALUES_AT_MOST + 1):
        with pytest.raises(ValueError, match="naive"):
            compiled.rows([*rows[1:count], {**row, "applied_at": AT.replace(tzinfo=None)}])


def test_more_rows_without_a_form_for_many_are_the_statement_once_per_row() -> None:
    compiled = RowInsert(addresses).prepared.compiled(SQLITE)
    assert compiled.many is None
    rows = [RowInsert(addresses).row(_address(uuid.uuid4(), f"{n} Road")) for n in (1, 2)]
    assert compiled.rows(rows) == (
        "executemany",
        compiled.sql,
        [[compiled.arguments(r) for r in rows]],
    )


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param(RowInsert(lpas, lpas.c.id).prepared.statement, id="returning"),
        pytest.param(
            insert(addresses).values(actor_id=bindparam("actor_id"), line1="fixed").inline(),
            id="a-fixed-value",
        ),
        pytest.param(
            insert(addresses)
            .values(actor_id=bindparam("actor_id"), line1=func.upper(bindparam("line1")))
            .inline(),
            id="an-expression",
        ),
        pytest.param(
            insert(addresses)
            .values(actor_id=bindparam("owner"), line1=bindparam("line1"))
            .inline(),
            id="a-parameter-not-named-for-its-column",
        ),
        pytest.param(
            insert(addresses)
            .values(actor_id=bindparam("actor_id"), line1=bindparam("line1", value="fixed"))
            .inline(),
            id="a-parameter-with-its-value",
        ),
        pytest.param(insert(table(LpaNumber)).values({}).inline(), id="no-parameter"),
        pytest.param(
            select(addresses.c.id).where(addresses.c.line1 == bindparam("l")), id="select"
        ),
    ],
)
def test_no_form_for_many_where_the_rows_would_not_be_the_same_insert(statement: Any) -> None:
    assert Prepared(statement).compiled(POSTGRES).many is None


def test_sqlite_has_no_form_for_many() -> None:
    assert RowInsert(actors).prepared.compiled(SQLITE).many is None
    assert RowInsert(actors).prepared.compiled(POSTGRES).many is not None


# --- on PostgreSQL -----------------------------------------------------------------------------


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = engine_for_url(database_url)
    await seed_demo(engine)
    yield engine
    await engine.dispose()


async def _actor_ids(engine: AsyncEngine, count: int) -> list[uuid.UUID]:
    """Actors of the demo LPAs, their addresses taken away."""
    async with engine.begin() as conn:
        found = list((await conn.execute(select(actors.c.id).limit(count))).scalars())
        await conn.execute(addresses.delete().where(addresses.c.actor_id.in_(found)))
    assert len(found) == count
    return found


# A few rows (VALUES rows), and more (one array per column).
COUNTS = [pytest.param(3, id="values"), pytest.param(VALUES_AT_MOST + 1, id="unnest")]


@pytest.mark.postgres_only
@pytest.mark.parametrize("count", COUNTS)
async def test_many_rows_in_a_transaction_are_one_statement(
    engine: AsyncEngine, count: int
) -> None:
    owners = await _actor_ids(engine, count)
    rows = [_address(o, f"{n} Road", postcode=f"AB{n} 1CD") for n, o in enumerate(owners)]
    sent: list[str] = []
    async with engine.begin() as conn:
        tx = await InTransaction.of(conn)
        driver = (await conn.get_raw_connection()).driver_connection
        driver.add_query_logger(lambda record: sent.append(record.query))
        await tx.insert(RowInsert(addresses), rows)
        await asyncio.sleep(0)  # asyncpg calls its query loggers soon after, not at once
    compiled = RowInsert(addresses).prepared.compiled(engine.dialect)
    assert compiled.many is not None
    many = compiled.many.unnest if count > VALUES_AT_MOST else compiled.many.values(count)
    # one statement, the form for this many (besides BEGIN, COMMIT and, on a connection
    # new to an array's type, asyncpg's look-up of it)
    assert [q for q in sent if q.startswith("INSERT")] == [many]
    async with engine.connect() as conn:
        stored = await conn.execute(
            select(addresses.c.actor_id, addresses.c.line1, addresses.c.postcode)
            .where(addresses.c.actor_id.in_(owners))
            .order_by(addresses.c.id)
        )
        assert [tuple(r) for r in stored] == [
            (o, f"{n} Road", f"AB{n} 1CD") for n, o in enumerate(owners)
        ]  # every row, in the order given


@pytest.mark.postgres_only
@pytest.mark.parametrize("count", COUNTS)
async def test_a_value_too_long_is_refused_and_no_row_of_the_statement_is_stored(
    engine: AsyncEngine, count: int
) -> None:
    """A cast to VARCHAR(n) would have cut the postcode to fit; the column refuses it."""
    owners = await _actor_ids(engine, count)
    rows = [_address(o, f"{n} Road") for n, o in enumerate(owners)]
    rows[-1]["postcode"] = "X" * (addresses.c.postcode.type.length + 1)
    with pytest.raises(DBAPIError, match="too long"):
        async with engine.begin() as conn:
            await (await InTransaction.of(conn)).insert(RowInsert(addresses), rows)
    async with engine.connect() as conn:
        left = await conn.execute(select(addresses).where(addresses.c.actor_id.in_(owners)))
        assert left.all() == []


@pytest.mark.postgres_only
@pytest.mark.parametrize("count", COUNTS)
async def test_the_audit_batch_writes_its_rows_in_one_statement_in_their_order(
    engine: AsyncEngine, count: int
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    audit = AuditConnection(url, engine.dialect, connect_timeout=5)
    rows = [audit_row(n) for n in range(2 * count)]
    try:
        # the first write opens the connection (and asyncpg looks up the arrays' types)
        await write_rows(audit, rows[:count])
        conn = await audit._connection()
        sent: list[str] = []
        conn.add_query_logger(lambda record: sent.append(record.query))
        await write_rows(audit, rows[count:])
        await asyncio.sleep(0)
    finally:
        await audit.close()
    assert len(sent) == 1
    assert ("unnest" in sent[0]) == (count > VALUES_AT_MOST)
    async with engine.connect() as stored:
        found = await stored.execute(select(audit_events).order_by(audit_events.c.id))
        written = [dict(r._mapping) for r in found]
    assert [r["request_id"] for r in written] == [r["request_id"] for r in rows]
    for row, read in zip(rows, written, strict=True):
        assert {k: read[k] for k in row} == row
        assert read["document_id"] is None
