"""Batch reads for DataLoaders: rows of one table for many keys in one statement, each batch
on a connection of its own (a connection is never shared by concurrent resolvers).

On PostgreSQL a batch is a prepared statement run by asyncpg itself (`app.db.prepared`), its
keys one array parameter (`key = ANY($1)`), so one statement serves every number of keys;
elsewhere (SQLite) the keys expand into an `IN` list and SQLAlchemy runs it. Both read the
same rows in the same order."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, Table, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY

from ..models import (
    Anomaly,
    Change,
    FeeReductionDecision,
    FeeReductionRequest,
    IdentityCheck,
    Payment,
    TrustCorporationSignatory,
    table,
)
from ..prepared import Prepared
from .database import Database


@dataclass(frozen=True, slots=True)
class _Batch:
    """The rows of many `keys` of one table, in order within a key."""

    listed: Select[Any]  # the keys an expanding IN list
    arrayed: Prepared  # the keys one array: `key = ANY(:keys)`
    key: str  # the column keyed on


_BATCHES: dict[str, _Batch] = {}


def _register(name: str, source: Table | Select[Any], key: str, *order: str) -> None:
    query = source if isinstance(source, Select) else select(source)
    columns = query.selected_columns
    keyed, ordered = columns[key], [columns[o] for o in order]
    # Built once, the keys a bound parameter: SQLAlchemy computes its cache key only once.
    listed = query.where(keyed.in_(bindparam("keys", expanding=True))).order_by(*ordered)
    keys = bindparam("keys", type_=ARRAY(keyed.type))
    arrayed = query.where(keyed == any_(keys)).order_by(*ordered)
    _BATCHES[name] = _Batch(listed, Prepared(arrayed), str(keyed.key))


_register("identity_checks", table(IdentityCheck), "actor_id", "checked_at")
_register("signatories", table(TrustCorporationSignatory), "trust_corporation_id", "position")
_register("fee_reduction_requests", table(FeeReductionRequest), "lpa_id", "requested_at")
_register("fee_reduction_decisions", table(FeeReductionDecision), "request_id", "id")
_register("payments", table(Payment), "lpa_id", "paid_at")
_register("history", table(Change), "lpa_id", "lpa_version")
_register("anomalies", table(Anomaly), "lpa_id", "id")

BATCH_NAMES = tuple(_BATCHES)


async def rows_by_key(database: Database, name: str, keys: list[Any]) -> list[list[dict[str, Any]]]:
    """For each key, in order, its rows of batch `name`."""
    batch = _BATCHES[name]
    if database.statements.on_driver:
        rows = await database.statements.all(batch.arrayed, {"keys": keys})
    else:
        async with database.reads.connect() as conn:
            result = await conn.execute(batch.listed, {"keys": keys})
            rows = [dict(row._mapping) for row in result]
    grouped: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row[batch.key]].append(row)
    return [grouped.get(key, []) for key in keys]
