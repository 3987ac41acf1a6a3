"""Statements built once and run in one round trip: the hot path's lookups and audit writes.

SQLAlchemy Core builds each statement once, with named bound parameters. On PostgreSQL it is
compiled once to SQL text and run by asyncpg on the driver connection of a pooled connection:
no ORM, no per-call compilation or cache key, no BEGIN before a lookup and no ROLLBACK after
it, and a server-side prepared statement that asyncpg keeps per connection. Values go in and
come out through SQLAlchemy's own type processing for that dialect, so both paths give the
same Python values. Elsewhere (SQLite) the statement runs through SQLAlchemy as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Insert, Select
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

Processor = Callable[[Any], Any] | None
DRIVER = "asyncpg"  # the dialect driver whose connection runs prepared statements directly


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]  # bound parameters in positional order
    defaults: tuple[Any, ...]  # values fixed when the statement was built
    binds: tuple[Processor, ...]
    columns: tuple[str, ...]
    results: tuple[Processor, ...]

    def arguments(self, values: Mapping[str, Any]) -> list[Any]:
        given = [values.get(n, d) for n, d in zip(self.names, self.defaults, strict=True)]
        return [v if p is None else p(v) for v, p in zip(given, self.binds, strict=True)]

    def row(self, record: Sequence[Any]) -> dict[str, Any]:
        return {
            name: value if p is None else p(value)
            for name, value, p in zip(self.columns, record, self.results, strict=True)
        }


def _compile(statement: Select[Any] | Insert, dialect: Dialect) -> _Compiled:
    column_keys = None
    if isinstance(statement, Insert):
        column_keys = [c.key for c in statement.table.columns if not c.primary_key]
    compiled = statement.compile(dialect=dialect, column_keys=column_keys)
    names = tuple(compiled.positiontup or ())
    params = [compiled.binds[name] for name in names]
    columns = statement.selected_columns if isinstance(statement, Select) else ()
    types = [c.type.dialect_impl(dialect) for c in columns]
    return _Compiled(
        sql=str(compiled),
        names=names,
        defaults=tuple(p.value for p in params),
        binds=tuple(p.type.dialect_impl(dialect).bind_processor(dialect) for p in params),
        columns=tuple(str(c.key) for c in columns),
        results=tuple(t.result_processor(dialect, None) for t in types),
    )


class Prepared:
    """One statement, compiled at most once per dialect."""

    def __init__(self, statement: Select[Any] | Insert) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def compiled(self, dialect: Dialect) -> _Compiled:
        key = f"{dialect.name}+{dialect.driver}"
        found = self._compiled.get(key)
        if found is None:
            found = self._compiled[key] = _compile(self.statement, dialect)
        return found


async def first(
    engine: AsyncEngine, prepared: Prepared, values: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The first row, by column key, or None. `engine` should not open transactions (reads)."""
    async with engine.connect() as conn:
        if engine.dialect.driver == DRIVER:
            compiled = prepared.compiled(engine.dialect)
            driver = await _driver(conn)
            try:
                record = await driver.fetchrow(compiled.sql, *compiled.arguments(values))
            except BaseException:
                await conn.invalidate()  # cut off mid-statement (a timeout): never reused
                raise
            return None if record is None else compiled.row(record)
        row = (await conn.execute(prepared.statement, dict(values))).first()
        return None if row is None else dict(row._mapping)


async def insert_all(
    engine: AsyncEngine, prepared: Prepared, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Insert every row, all or none. `prepared` holds an INSERT; `engine` opens transactions."""
    if not rows:
        return
    async with engine.connect() as conn:
        if engine.dialect.driver == DRIVER:
            compiled = prepared.compiled(engine.dialect)
            driver = await _driver(conn)
            try:
                # asyncpg's executemany is atomic: one pipelined round trip, all rows or none
                await driver.executemany(compiled.sql, [compiled.arguments(r) for r in rows])
            except BaseException:
                await conn.invalidate()
                raise
            return
        await conn.execute(prepared.statement, [dict(r) for r in rows])
        await conn.commit()


async def _driver(conn: AsyncConnection) -> Any:
    return (await conn.get_raw_connection()).driver_connection
