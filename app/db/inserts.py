"""Whole rows into one table, by a statement built once that every path runs alike."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Column, ColumnElement, Table, bindparam, insert
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from .prepared import Prepared


class RowInsert:
    """An INSERT into `table` of every column but its generated id, each column a parameter.

    It is the same statement and the same rows on asyncpg (`InTransaction`) and through
    SQLAlchemy: a row may leave out a column that is nullable or has a default of its own
    (`row` and `rows` fill in NULL or that default, as SQLAlchemy would have), and leaving out
    any other column is an error, never a silent NULL."""

    def __init__(self, table: Table, *returning: ColumnElement[Any]) -> None:
        generated = table.autoincrement_column
        columns = [c for c in table.c if c is not generated]
        statement = insert(table).values({c.key: bindparam(c.key) for c in columns})
        # without RETURNING, `inline`: no generated id is fetched, for nobody reads it
        self.prepared = Prepared(
            statement.returning(*returning) if returning else statement.inline()
        )
        self._left_out = _left_out(columns)

    def row(self, given: Mapping[str, Any]) -> dict[str, Any]:
        return {**self._left_out, **given}

    def rows(self, given: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        return [{**self._left_out, **row} for row in given]


def _left_out(columns: Iterable[Column[Any]]) -> dict[str, Any]:
    """What a row may leave out: a column's own constant default (`default=False`), or NULL."""
    found: dict[str, Any] = {}
    for column in columns:
        if isinstance(column.default, ScalarElementColumnDefault):
            found[column.key] = column.default.arg
        elif column.default is not None:  # worked out per row by SQLAlchemy: not here
            raise ValueError(f"{column}: only a constant default is filled in")
        elif column.nullable:
            found[column.key] = None
    return found
