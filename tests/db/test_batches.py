"""The DataLoaders' batch reads: on PostgreSQL each runs as one prepared statement with its
keys as one array (`key = ANY($1)`); the same rows, in the same order, as the expanding `IN`
list SQLAlchemy runs elsewhere, for every batch."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from starlette.applications import Starlette

from app.db.demo import seed_demo
from app.db.repository.batches import _BATCHES, BATCH_NAMES, rows_by_key
from app.db.repository.database import Database

pytestmark = [pytest.mark.anyio, pytest.mark.postgres_only]

# each batch's key, and where its values come from
KEYS = {
    "identity_checks": "SELECT id FROM actors",
    "signatories": "SELECT id FROM actors",
    "fee_reduction_requests": "SELECT id FROM lpas",
    "fee_reduction_decisions": "SELECT id FROM fee_reduction_requests",
    "payments": "SELECT id FROM lpas",
    "history": "SELECT id FROM lpas",
    "anomalies": "SELECT id FROM lpas",
}


async def test_every_batch_reads_the_same_rows_by_array_as_by_list(app: Starlette) -> None:
    database: Database = app.state.gateway.database
    engine = database.engine
    await seed_demo(engine)
    assert database.statements.on_driver
    assert set(KEYS) == set(BATCH_NAMES)
    found: dict[str, int] = {}
    for name in BATCH_NAMES:
        async with engine.connect() as conn:
            keys = list((await conn.execute(text(KEYS[name]))).scalars())
        batch = _BATCHES[name]
        kind = batch.listed.selected_columns[batch.key].type.python_type
        missing = uuid.uuid4() if kind is uuid.UUID else -1
        keys = [*keys, *keys[:1], missing]  # a key twice, and one with no rows
        by_array = await rows_by_key(database, name, keys)
        async with engine.connect() as conn:
            listed = (await conn.execute(batch.listed, {"keys": keys})).all()
        by_list = {
            key: [dict(r._mapping) for r in listed if r._mapping[batch.key] == key] for key in keys
        }
        assert by_array == [by_list[key] for key in keys], name
        found[name] = sum(len(rows) for rows in by_array)
    # the demo's LPAs have history; the other batches read none of its rows here, and the
    # casework tests over HTTP read identity checks and signatories this way
    assert {name for name, rows in found.items() if rows} >= {"history"}
