"""Batch reads for DataLoaders: rows of one table for many keys in one statement, each batch
on a connection of its own (a connection is never shared by concurrent resolvers)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine

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
from .reads import people_select

# name -> (the query for a batch of `keys`, in order within a key; the column keyed on)
_BATCHES: dict[str, tuple[Select[Any], ColumnElement[Any]]] = {}


def _register(name: str, source: Table | Select[Any], key: str, *order: str) -> None:
    query = source if isinstance(source, Select) else select(source)
    columns = query.selected_columns
    # Built once, the keys a bound parameter: SQLAlchemy computes its cache key only once.
    batch = query.where(columns[key].in_(bindparam("keys", expanding=True)))
    _BATCHES[name] = (batch.order_by(*[columns[o] for o in order]), columns[key])


_register("people", people_select(), "lpa_id", "role", "position")
_register("identity_checks", table(IdentityCheck), "actor_id", "checked_at")
_register("signatories", table(TrustCorporationSignatory), "trust_corporation_id", "position")
_register("fee_reduction_requests", table(FeeReductionRequest), "lpa_id", "requested_at")
_register("fee_reduction_decisions", table(FeeReductionDecision), "request_id", "id")
_register("payments", table(Payment), "lpa_id", "paid_at")
_register("history", table(Change), "lpa_id", "lpa_version")
_register("anomalies", table(Anomaly), "lpa_id", "id")

BATCH_NAMES = tuple(_BATCHES)


async def rows_by_key(
    engine: AsyncEngine, name: str, keys: list[Any]
) -> list[list[dict[str, Any]]]:
    """For each key, in order, its rows of batch `name`."""
    query, key_column = _BATCHES[name]
    grouped: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    async with engine.connect() as conn:
        result = await conn.execute(query, {"keys": keys})
        for row in result:
            mapping = dict(row._mapping)
            grouped[mapping[key_column.key]].append(mapping)
    return [grouped.get(key, []) for key in keys]
