"""Writing LPAs and their people. Every function runs inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from .models import Actor, Address, Anomaly, Lpa, LpaNumber, table

lpas = table(Lpa)
actors = table(Actor)
addresses = table(Address)
anomalies = table(Anomaly)
numbers = table(LpaNumber)

# One executemany needs the same keys in every row: absent optional columns are NULL.
_EMPTY_ACTOR = {c.name: None for c in actors.c if c.nullable}
_EMPTY_ADDRESS = {c.name: None for c in addresses.c if c.nullable}


@dataclass(frozen=True, slots=True)
class NewActor:
    row: Mapping[str, Any]  # columns of `actors`, including its issued `id`
    address: Mapping[str, Any] | None


async def allocate_number(conn: AsyncConnection) -> int:
    """A sequence number no other LPA has had or will have, even if this transaction fails."""
    number = (await conn.execute(insert(numbers).returning(numbers.c.id))).scalar_one()
    await conn.execute(delete(numbers).where(numbers.c.id == number))
    return int(number)


async def insert_lpa(
    conn: AsyncConnection, lpa: Mapping[str, Any], people: Sequence[NewActor]
) -> int:
    lpa_id = (await conn.execute(insert(lpas).values(lpa).returning(lpas.c.id))).scalar_one()
    await conn.execute(
        insert(actors), [{**_EMPTY_ACTOR, **p.row, "lpa_id": lpa_id} for p in people]
    )
    located = [
        {**_EMPTY_ADDRESS, **p.address, "actor_id": p.row["id"]}
        for p in people
        if p.address is not None
    ]
    if located:
        await conn.execute(insert(addresses), located)
    return int(lpa_id)


async def insert_anomalies(
    conn: AsyncConnection, lpa_id: int, found: Iterable[tuple[str, str]], at: datetime
) -> None:
    rows = [
        {"lpa_id": lpa_id, "source": source, "code": code, "status": "detected", "detected_at": at}
        for source, code in found
    ]
    if rows:
        await conn.execute(insert(anomalies), rows)
