"""Statements built once and run in one round trip: the hot path's lookups and audit writes.

SQLAlchemy Core builds each statement once, with named bound parameters. On PostgreSQL it is
compiled once to SQL text and run by asyncpg itself (`Statements`), on a connection of the
engine's own pool: no ORM, no per-call
compilation or cache key, no BEGIN before a lookup and no ROLLBACK after it, and a
server-side prepared statement that asyncpg keeps per connection. Values go in and
come out through SQLAlchemy's own type processing for that dialect, so both paths give the
same Python values. Elsewhere (SQLite) the statement runs through SQLAlchemy as usual, but
for `write_one`: see `SqliteWrites`.

Behind a transaction-mode pooler (`transaction_pooler`) no server connection is ours beyond
one transaction: asyncpg keeps no statement (its unnamed one lives only until the next), and
each statement runs in a transaction of its own, `BEGIN; SET LOCAL statement_timeout` first
and COMMIT after, so its PREPARE and EXECUTE reach the same server and the timeout holds
without a session setting. That costs two round trips more per statement (`make bench`,
docs/performance.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Insert, Select, UpdateBase
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import PoolProxiedConnection

Processor = Callable[[Any], Any] | None
DRIVER = "asyncpg"  # the dialect driver whose connection runs prepared statements directly


def set_local_timeout(statement_timeout_ms: int) -> str:
    """The statement that bounds every statement of the transaction it runs in."""
    return f"SET LOCAL statement_timeout = {int(statement_timeout_ms)}"


def pooler_begin(statement_timeout_ms: int | None) -> str:
    """What starts a statement's own transaction behind a transaction pooler: BEGIN, and the
    statement timeout for that transaction only."""
    timeout = [set_local_timeout(statement_timeout_ms)] if statement_timeout_ms else []
    return "; ".join(["BEGIN", *timeout])


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]  # bound parameters in positional order
    fixed: tuple[tuple[Any, ...], ...]  # () where the caller gives the value, else (value,)
    binds: tuple[Processor, ...]
    columns: tuple[str, ...]
    results: tuple[Processor, ...]
    many: _ManyRows | None  # the INSERT of many rows as one statement, or None

    def arguments(self, values: Mapping[str, Any]) -> list[Any]:
        """Positional arguments; a parameter the caller must give and did not is a KeyError."""
        given = [f[0] if f else values[n] for n, f in zip(self.names, self.fixed, strict=True)]
        return [v if p is None else p(v) for v, p in zip(given, self.binds, strict=True)]

    def rows(self, rows: Sequence[Mapping[str, Any]]) -> tuple[str, str, list[Any]]:
        """How asyncpg inserts `rows` (at least one) all or none: its method, the SQL and
        the positional arguments. One row is the statement itself. More are one statement
        where there is a form for many rows (`_ManyRows`): up to `VALUES_AT_MOST` rows as
        many VALUES rows, more as one array per column; else (SQLite) the statement once per
        row (`executemany`)."""
        arguments = [self.arguments(r) for r in rows]
        if len(arguments) == 1:
            return "execute", self.sql, arguments[0]
        if self.many is None:
            return "executemany", self.sql, [arguments]
        if len(arguments) <= VALUES_AT_MOST:
            return "execute", self.many.values(len(arguments)), [v for a in arguments for v in a]
        return "execute", self.many.unnest, [list(c) for c in zip(*arguments, strict=True)]

    def row(self, record: Sequence[Any]) -> dict[str, Any]:
        return {
            name: value if p is None else p(value)
            for name, value, p in zip(self.columns, record, self.results, strict=True)
        }


def _compile(statement: Select[Any] | UpdateBase, dialect: Dialect) -> _Compiled:
    compiled = statement.compile(dialect=dialect)
    names = tuple(compiled.positiontup or ())
    params = [compiled.binds[name] for name in names]
    # a SELECT's columns, or an INSERT's or DELETE's RETURNING columns (none without RETURNING)
    columns = (
        statement.selected_columns if isinstance(statement, Select) else statement.exported_columns
    )
    types = [c.type.dialect_impl(dialect) for c in columns]
    return _Compiled(
        sql=str(compiled),
        names=names,
        fixed=tuple(() if p.required else (p.value,) for p in params),
        binds=tuple(p.type.dialect_impl(dialect).bind_processor(dialect) for p in params),
        columns=tuple(str(c.key) for c in columns),
        results=tuple(t.result_processor(dialect, None) for t in types),
        many=_many_rows(statement, compiled, params, dialect),
    )


# Rows in one statement as VALUES rows, up to this many; beyond, as arrays (`_ManyRows`).
VALUES_AT_MOST = 16


@dataclass(frozen=True, slots=True)
class _ManyRows:
    """An INSERT of one row, every value a parameter, as the INSERT of many rows in one
    statement on PostgreSQL, which then runs one statement where `executemany` has it run
    one per row. Measured on this kind of machine (docs/performance.md):

    - `values(n)`: `INSERT INTO t (a, b) VALUES ($1::A, $2::B), ($3::A, $4::B)`, a statement
      for each count of rows, kept once made. For a handful of rows the cheapest for the
      gateway and the server alike, but its text grows with the rows and the server plans
      every value: at hundreds of rows it costs the server more than `executemany`.
    - `unnest`: `INSERT INTO t (a, b) SELECT * FROM unnest($1::A[], $2::B[])`, each
      parameter's values across the rows as one array, in the rows' order: one statement
      whatever the count, half the server's cost per row of `executemany` at hundreds of
      rows, but asyncpg checks every value of an array in Python as it encodes it.

    Each value is cast as SQLAlchemy casts the parameter it stands for: a VARCHAR without
    its length, for a cast to VARCHAR(n) would cut a value too long instead of refusing it;
    a parameter SQLAlchemy leaves uncast (a non-native enum) as its type's, which an array
    needs. The values are processed as that parameter's are (`_Compiled.arguments`)."""

    into: str  # INSERT INTO t (a, b)
    types: tuple[str, ...]  # each parameter's cast, in order: VARCHAR, UUID, ...
    unnest: str
    _values: dict[int, str] = field(default_factory=dict)

    def values(self, count: int) -> str:
        found = self._values.get(count)
        if found is None:
            width = len(self.types)
            rows = (
                ", ".join(f"${at * width + i}::{t}" for i, t in enumerate(self.types, 1))
                for at in range(count)
            )
            found = self._values[count] = f"{self.into} VALUES ({'), ('.join(rows)})"
        return found


def _many_rows(
    statement: Select[Any] | UpdateBase, compiled: Any, params: Sequence[Any], dialect: Dialect
) -> _ManyRows | None:
    """The statement's form for many rows, built only where its own SQL is, to the
    character, the one-row INSERT of these columns from these parameters as PostgreSQL's
    dialect writes it (numbered and cast): else None (another database, no parameter,
    RETURNING, a value that is not a parameter, one the statement fixes)."""
    if not isinstance(statement, Insert):
        return None
    table = statement.table
    if not all(p.required and p.key in table.c for p in params):
        return None  # a value the statement fixes, or a parameter that is not a column's
    preparer = dialect.identifier_preparer
    names = ", ".join(preparer.format_column(table.c[p.key]) for p in params)
    into = f"INSERT INTO {preparer.format_table(table)} ({names})"
    impls = [(p.type, _dbapi_type(p, dialect)) for p in params]
    one_row = ", ".join(
        str(compiled.render_bind_cast(t, impl, f"${i}")) if impl.render_bind_cast else f"${i}"
        for i, (t, impl) in enumerate(impls, 1)
    )
    if str(compiled) != f"{into} VALUES ({one_row})":
        return None
    types = tuple(
        str(compiled.render_bind_cast(t, impl, "")).removeprefix("::") for t, impl in impls
    )
    arrays = ", ".join(f"${i}::{t}[]" for i, t in enumerate(types, 1))
    unnest = f"{into} SELECT * FROM unnest({arrays})"  # noqa: S608  # names from the schema
    return _ManyRows(into, types, unnest)


def _dbapi_type(param: Any, dialect: Dialect) -> Any:
    """The type SQLAlchemy's compiler casts a parameter to: its type's dialect implementation,
    past any TypeDecorator (as `SQLCompiler.visit_bindparam` finds it)."""
    return param.type._unwrapped_dialect_impl(dialect)


class Prepared:
    """One statement, compiled at most once per dialect."""

    def __init__(self, statement: Select[Any] | UpdateBase) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def compiled(self, dialect: Dialect) -> _Compiled:
        key = f"{dialect.name}+{dialect.driver}"
        found = self._compiled.get(key)
        if found is None:
            found = self._compiled[key] = _compile(self.statement, dialect)
        return found


class Statements:
    """Runs prepared statements against one database, on its engine's pool.

    On PostgreSQL each statement checks a connection out of the SQLAlchemy engine's pool, the
    worker's one pool for that database, and runs on its asyncpg connection directly
    (`AsyncEngine.raw_connection`): no SQLAlchemy `Connection`, no BEGIN before a lookup and
    no ROLLBACK after it. Checkout is where the engine replaces a connection the server closed
    (`app.db.engine`), and the engine's connection settings (the statement timeout, the
    pooler's statement cache) are the ones a statement runs under. Giving the connection back
    costs no round trip: SQLAlchemy's reset on return rolls back only a transaction it began
    itself, and a prepared statement begins none and changes no session state. A connection
    still inside a transaction of ours (a pooler's ROLLBACK that never ran) is closed instead.
    Elsewhere (SQLite) they run through the SQLAlchemy engine.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        statement_timeout_ms: int | None = None,
        transaction_pooler: bool = False,
    ) -> None:
        self.engine = engine
        self._pooled = transaction_pooler
        self._begin = pooler_begin(statement_timeout_ms)
        database = engine.url.database
        self._sqlite = (
            SqliteWrites(database)
            if engine.dialect.name == "sqlite" and database and database != ":memory:"
            else None
        )

    @property
    def on_driver(self) -> bool:
        return self.engine.dialect.driver == DRIVER

    async def close(self) -> None:
        """Close what is the statements' own (SQLite's write connection); the pool is the
        engine's, and goes with it."""
        if self._sqlite is not None:
            self._sqlite.close()

    async def first(self, prepared: Prepared, values: Mapping[str, Any]) -> dict[str, Any] | None:
        """The first row, by column key, or None."""
        if self.on_driver:
            compiled, record = await self._on_driver("fetchrow", prepared, values)
            return None if record is None else compiled.row(record)
        async with self.engine.connect() as conn:
            row = (await conn.execute(prepared.statement, dict(values))).first()
        return None if row is None else dict(row._mapping)

    async def all(self, prepared: Prepared, values: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Every row, by column key."""
        if self.on_driver:
            compiled, records = await self._on_driver("fetch", prepared, values)
            return [compiled.row(r) for r in records]
        async with self.engine.connect() as conn:
            rows = (await conn.execute(prepared.statement, dict(values))).all()
        return [dict(r._mapping) for r in rows]

    async def write_one(self, prepared: Prepared, values: Mapping[str, Any]) -> dict[str, Any]:
        """Run one write statement with RETURNING, committed on its own; its row."""
        if self.on_driver:
            compiled, record = await self._on_driver("fetchrow", prepared, values)
            return compiled.row(record)
        if self._sqlite is not None:
            compiled = prepared.compiled(self.engine.dialect)
            record = await asyncio.to_thread(
                self._sqlite.write_one, compiled.sql, compiled.arguments(values)
            )
            return compiled.row(record)
        async with self.engine.begin() as conn:
            row = (await conn.execute(prepared.statement, dict(values))).one()
        return dict(row._mapping)

    async def insert_all(self, prepared: Prepared, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert every row, all or none. `prepared` holds an INSERT."""
        if not rows:
            return
        if self.on_driver:
            method, sql, arguments = prepared.compiled(self.engine.dialect).rows(rows)
            pooled = await self.engine.raw_connection()
            conn: Any = pooled.driver_connection
            try:
                begin = self._begin if self._pooled else None
                await run_statement(conn, begin, getattr(conn, method), sql, *arguments)
            finally:
                give_back(pooled)
            return
        async with self.engine.begin() as conn:
            await conn.execute(prepared.statement, [dict(r) for r in rows])

    @contextlib.asynccontextmanager
    async def held(self) -> AsyncIterator[Held]:
        """Statements one after another on one pooled connection: on PostgreSQL one checkout
        and one give-back for all of them, where `first`, `all` and `write_one` take one
        each. Each statement runs as it would on its own (a write committed on its own;
        behind a transaction pooler, each in a transaction of its own). The connection is
        the block's alone: nothing else may check one out of the same pool until it ends.
        Elsewhere (SQLite) each is `first`, `all` or `write_one`."""
        if not self.on_driver:
            yield self
            return
        pooled = await self.engine.raw_connection()
        try:
            yield _Held(self, pooled.driver_connection)
        finally:
            give_back(pooled)

    async def _on_driver(
        self, method: str, prepared: Prepared, values: Mapping[str, Any]
    ) -> tuple[_Compiled, Any]:
        """`method` (fetchrow, fetch) of a pooled connection's driver, with the statement's
        SQL."""
        compiled = prepared.compiled(self.engine.dialect)
        arguments = compiled.arguments(values)
        pooled = await self.engine.raw_connection()
        try:
            return compiled, await self._run(pooled.driver_connection, method, compiled, arguments)
        finally:
            give_back(pooled)

    async def _run(self, conn: Any, method: str, compiled: _Compiled, arguments: list[Any]) -> Any:
        begin = self._begin if self._pooled else None
        return await run_statement(conn, begin, getattr(conn, method), compiled.sql, *arguments)


class Reads(Protocol):
    """What runs reads: `Statements`, or one connection of theirs (`Statements.held`)."""

    async def first(
        self, prepared: Prepared, values: Mapping[str, Any]
    ) -> dict[str, Any] | None: ...

    async def all(self, prepared: Prepared, values: Mapping[str, Any]) -> list[dict[str, Any]]: ...


class Held(Reads, Protocol):
    """What runs statements on one connection: `Statements`, or one of their connections
    (`Statements.held`)."""

    async def write_one(self, prepared: Prepared, values: Mapping[str, Any]) -> dict[str, Any]: ...


class _Held:
    """Statements on one asyncpg connection checked out by `Statements.held`."""

    def __init__(self, statements: Statements, conn: Any) -> None:
        self._statements = statements
        self._conn = conn

    async def first(self, prepared: Prepared, values: Mapping[str, Any]) -> dict[str, Any] | None:
        compiled, record = await self._fetch("fetchrow", prepared, values)
        return None if record is None else compiled.row(record)

    async def all(self, prepared: Prepared, values: Mapping[str, Any]) -> list[dict[str, Any]]:
        compiled, records = await self._fetch("fetch", prepared, values)
        return [compiled.row(r) for r in records]

    async def write_one(self, prepared: Prepared, values: Mapping[str, Any]) -> dict[str, Any]:
        """As `Statements.write_one`: outside a transaction, so committed on its own."""
        compiled, record = await self._fetch("fetchrow", prepared, values)
        return compiled.row(record)

    async def _fetch(
        self, method: str, prepared: Prepared, values: Mapping[str, Any]
    ) -> tuple[_Compiled, Any]:
        compiled = prepared.compiled(self._statements.engine.dialect)
        arguments = compiled.arguments(values)
        return compiled, await self._statements._run(self._conn, method, compiled, arguments)


async def run_statement(
    conn: Any, begin: str | None, method: Callable[..., Any], *arguments: Any
) -> Any:
    """`method(*arguments)` on the asyncpg connection `conn`; behind a transaction pooler
    (`begin` given: BEGIN and the SET LOCAL of the timeout) in a transaction of its own."""
    if begin is None:
        return await method(*arguments)
    await conn.execute(begin)  # one round trip: the simple protocol, no statement
    try:
        result = await method(*arguments)
    except Exception:
        if not conn.is_closed():
            with contextlib.suppress(Exception):  # if it fails, the connection is closed
                await conn.execute("ROLLBACK")
        raise
    await conn.execute("COMMIT")
    return result


def give_back(pooled: PoolProxiedConnection) -> None:
    """Return a connection checked out with `raw_connection` to the engine's pool, with no
    round trip; one left inside a transaction (cut off between BEGIN and COMMIT) is closed
    instead, and the pool opens a new one in its place."""
    driver = pooled.driver_connection
    if driver is not None and not driver.is_closed() and driver.is_in_transaction():
        pooled.invalidate()  # closes it and gives its slot back
    else:
        pooled.close()


# Bound values in one SQLite statement: SQLITE_MAX_VARIABLE_NUMBER as it was before SQLite
# 3.32 raised it, so that the statements hold on any SQLite.
SQLITE_VALUES_AT_MOST = 999


class SqliteWrites:
    """SQLite has one write lock per database. Through aiosqlite a write holds it from its
    INSERT to its COMMIT, two trips through the worker's event loop, and a busy loop can
    take seconds to come round: every other writer waits (the audit batch among them). Here
    a write runs from BEGIN IMMEDIATE to COMMIT in one call on a thread, on a connection of
    its own, one write at a time: the lock is never held while the loop does anything else.

    Many rows go as few statements (`_SqliteRows`), not one per row: Python's sqlite3 lets
    go of the GIL for each statement it steps, and a thread that wants it back while the
    worker's loop is busy waits up to the switch interval (5 ms) each time. The audit batch
    writes from such a thread: one statement per row put a batch of a few hundred rows at
    hundreds of milliseconds, past the second the gateway may answer with."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._many: dict[str, _SqliteRows | None] = {}

    def write_one(self, sql: str, arguments: Sequence[Any]) -> Any:
        """Run `sql` once and commit; its first row."""
        return self._write(lambda connection: connection.execute(sql, arguments).fetchone())

    def write_all(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Insert every row with `sql`, the INSERT of one, and commit all of them or none:
        as few statements of many VALUES rows as SQLite takes where `sql` is the INSERT of
        one row of parameters, else `sql` once per row."""

        def work(connection: sqlite3.Connection) -> None:  # under the lock
            if sql not in self._many:
                self._many[sql] = _SqliteRows.of(sql)
            many = self._many[sql]
            if many is None:
                connection.executemany(sql, rows)
                return
            for statement, arguments in many.statements(rows):
                connection.execute(statement, arguments)

        self._write(work)

    def _write(self, work: Callable[[sqlite3.Connection], Any]) -> Any:
        with self._lock:
            if self._connection is None:
                self._connection = sqlite3.connect(
                    self._path, timeout=30, isolation_level=None, check_same_thread=False
                )
                self._connection.execute("PRAGMA foreign_keys=ON")
            connection = self._connection
            connection.execute("BEGIN IMMEDIATE")
            try:
                result = work(connection)
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            return result

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


@dataclass(frozen=True, slots=True)
class _SqliteRows:
    """`INSERT INTO t (a, b) VALUES (?, ?)` as `INSERT INTO t (a, b) VALUES (?, ?), (?, ?)`
    for many rows, as many as `SQLITE_VALUES_AT_MOST` values allow in each statement; a
    statement for each count of rows, kept once made."""

    head: str  # INSERT INTO t (a, b) VALUES
    row: str  # (?, ?)
    at_most: int  # rows in one statement
    _texts: dict[int, str] = field(default_factory=dict)

    @classmethod
    def of(cls, sql: str) -> _SqliteRows | None:
        """The form for many rows of `sql`, or None where it is not an INSERT that ends in
        one row of parameters and nothing after (RETURNING, ON CONFLICT, a fixed value)."""
        head, _, row = sql.rpartition(" VALUES ")
        width = row.count("?")
        if not (head.startswith("INSERT INTO ") and width):
            return None
        if row != f"({', '.join('?' * width)})":
            return None
        return cls(f"{head} VALUES ", row, max(1, SQLITE_VALUES_AT_MOST // width))

    def statements(self, rows: Sequence[Sequence[Any]]) -> Iterator[tuple[str, list[Any]]]:
        """Each statement with its values, the rows in the order given."""
        for start in range(0, len(rows), self.at_most):
            chunk = rows[start : start + self.at_most]
            yield self._text(len(chunk)), [value for row in chunk for value in row]

    def _text(self, count: int) -> str:
        found = self._texts.get(count)
        if found is None:
            found = self._texts[count] = self.head + ", ".join([self.row] * count)
        return found
