"""Many rows into one table on SQLite (`app/db/prepared.py`'s `SqliteWrites` and
`_SqliteRows`): as few statements of many VALUES rows as SQLite takes, not one per row, all
or none. The audit batch writes this way from its own thread, and each statement that
thread steps costs it a wait for the GIL while the worker's loop is busy
(docs/performance.md, "The audit batch on SQLite")."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from app.db.audit import write_rows
from app.db.audit_connection import AuditConnection
from app.db.engine import engine_for_url
from app.db.prepared import SQLITE_VALUES_AT_MOST, SqliteWrites, _SqliteRows
from tests.conftest import migrated_database
from tests.factories import audit_row

pytestmark = pytest.mark.anyio
SQLITE = engine_for_url("sqlite+aiosqlite:///:memory:").dialect
ONE_ROW = "INSERT INTO t (a, b, c) VALUES (?, ?, ?)"


# --- the statements, without a database -------------------------------------------------------


def test_the_insert_of_one_row_of_parameters_has_a_form_for_many() -> None:
    many = _SqliteRows.of(ONE_ROW)
    assert many is not None
    assert many.at_most == 333
    assert list(many.statements([(1, 2, 3), (4, 5, 6)])) == [
        ("INSERT INTO t (a, b, c) VALUES (?, ?, ?), (?, ?, ?)", [1, 2, 3, 4, 5, 6])
    ]
    named = _SqliteRows.of('INSERT INTO t ("x VALUES y") VALUES (?)')  # the last VALUES
    assert named is not None
    assert next(named.statements([(1,), (2,)]))[0] == 'INSERT INTO t ("x VALUES y") VALUES (?), (?)'


@pytest.mark.parametrize(("width", "at_most"), [(4, 249), (999, 1), (1000, 1)])
def test_a_statement_holds_at_most_999_values_and_at_least_one_row(
    width: int, at_most: int
) -> None:
    """999: the most any SQLite takes (SQLITE_MAX_VARIABLE_NUMBER before 3.32)."""
    many = _SqliteRows.of(f"INSERT INTO t VALUES ({', '.join('?' * width)})")
    assert many is not None
    assert SQLITE_VALUES_AT_MOST == 999
    assert many.at_most == at_most


@pytest.mark.parametrize(
    "sql",
    [
        pytest.param("INSERT INTO t (a, b, c) VALUES (?, ?, ?) RETURNING a", id="returning"),
        pytest.param("INSERT INTO t (a, b, c) VALUES (?, ?, 1)", id="fixed-value"),
        pytest.param("INSERT INTO t (a, b) VALUES (?, ?) ON CONFLICT DO NOTHING", id="conflict"),
        pytest.param("INSERT INTO t (a, b) SELECT ?, ?", id="select"),
        pytest.param("UPDATE t SET (a, b) = (SELECT * FROM (VALUES (?, ?)))", id="update"),
        pytest.param("SELECT a, b FROM t UNION VALUES (?, ?)", id="not-an-insert"),
        pytest.param("INSERT INTO t (a, b) SELECT a, b FROM u", id="no-values"),
        pytest.param("INSERT INTO t DEFAULT VALUES ()", id="no-parameter"),
        pytest.param("INSERT INTO t (a, b) VALUES (?,?)", id="not-as-sqlalchemy-writes-it"),
    ],
)
def test_no_form_for_many_where_the_rows_would_not_be_the_same_insert(sql: str) -> None:
    assert _SqliteRows.of(sql) is None


@pytest.mark.parametrize(
    ("count", "sizes"),
    [(1, [1]), (333, [333]), (334, [333, 1]), (1000, [333, 333, 333, 1])],
)
def test_rows_go_in_statements_of_as_many_as_sqlite_takes_in_their_order(
    count: int, sizes: list[int]
) -> None:
    many = _SqliteRows.of(ONE_ROW)
    assert many is not None
    rows = [(n, f"b{n}", None) for n in range(count)]
    statements = list(many.statements(rows))
    assert [text.count("(?, ?, ?)") for text, _ in statements] == sizes
    assert all(len(values) <= SQLITE_VALUES_AT_MOST for _, values in statements)
    assert [v for _, values in statements for v in values] == [v for row in rows for v in row]


def test_each_count_s_statement_is_made_once() -> None:
    many = _SqliteRows.of(ONE_ROW)
    assert many is not None
    first = next(many.statements([(1, 2, 3)] * 5))[0]
    assert next(many.statements([(4, 5, 6)] * 5))[0] is first


# --- on a SQLite file --------------------------------------------------------------------------


@pytest.fixture
def sqlite_url(templates: dict[str, str], tmp_path: Path) -> Iterator[str]:
    with migrated_database("sqlite", templates, tmp_path / "rows.sqlite3") as url:
        yield url


def _traced(audit: AuditConnection) -> list[str]:
    """Every statement the audit connection's SQLite connection runs from now on, as run
    (the values in place of the parameters)."""
    writes = audit._sqlite
    assert writes is not None
    assert writes._connection is not None
    sent: list[str] = []
    writes._connection.set_trace_callback(sent.append)
    return sent


def _stored(url: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(str(make_url(url).database)) as conn:
        return conn.execute(
            "SELECT request_id, duration_ms, lpa_uids FROM audit_events ORDER BY id"
        ).fetchall()


async def test_the_audit_batch_on_sqlite_writes_its_rows_in_few_statements_in_their_order(
    sqlite_url: str,
) -> None:
    audit = AuditConnection(sqlite_url, SQLITE, connect_timeout=5)
    try:
        await write_rows(audit, [audit_row(0)])  # opens the connection
        sent = _traced(audit)
        per_statement = SQLITE_VALUES_AT_MOST // 12  # the audit INSERT binds 12 values a row
        rows = [audit_row(n) for n in range(1, per_statement + 2)]
        await write_rows(audit, rows)
    finally:
        await audit.close()
    inserts = [s for s in sent if s.startswith("INSERT")]
    assert [s.count("), (") + 1 for s in inserts] == [per_statement, 1]
    assert sent[0] == "BEGIN IMMEDIATE"
    assert sent[-1] == "COMMIT"
    assert len(sent) == 4
    stored = _stored(sqlite_url)
    assert [r[0] for r in stored] == [f"{n:032x}" for n in range(per_statement + 2)]
    assert stored[-1][1:] == (rows[-1]["duration_ms"], f'["{rows[-1]["lpa_uids"][0]}"]')


async def test_a_row_refused_in_the_last_statement_leaves_none_of_the_batch_stored(
    sqlite_url: str,
) -> None:
    audit = AuditConnection(sqlite_url, SQLITE, connect_timeout=5)
    rows = [audit_row(n) for n in range(SQLITE_VALUES_AT_MOST // 12 + 1)]
    rows[-1]["kind"] = None  # NOT NULL
    try:
        with pytest.raises(sqlite3.IntegrityError, match="NOT NULL"):
            await write_rows(audit, rows)
    finally:
        await audit.close()
    assert _stored(sqlite_url) == []


def test_a_statement_with_no_form_for_many_runs_once_per_row(sqlite_url: str) -> None:
    writes = SqliteWrites(str(make_url(sqlite_url).database))
    sql = "INSERT INTO lpa_numbers DEFAULT VALUES RETURNING id"
    try:
        writes.write_one(sql, [])  # opens the connection
        assert writes._connection is not None
        sent: list[str] = []
        writes._connection.set_trace_callback(sent.append)
        writes.write_all("INSERT INTO lpa_numbers (id) VALUES (?)", [(100,), (101,)])
        writes.write_all("INSERT INTO lpa_numbers (id) VALUES (?) RETURNING id", [(102,), (103,)])
    finally:
        writes.close()
    assert [s for s in sent if s.startswith("INSERT")] == [
        "INSERT INTO lpa_numbers (id) VALUES (100), (101)",  # as run: the values in place
        "INSERT INTO lpa_numbers (id) VALUES (102) RETURNING id",
        "INSERT INTO lpa_numbers (id) VALUES (103) RETURNING id",
    ]
