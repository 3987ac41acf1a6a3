"""Writing LPAs and their people. Every function runs inside the caller's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update

from app.domain.uid import uid_for_sequence

from ..in_transaction import InTransaction
from ..inserts import RowInsert
from ..models import (
    Actor,
    Address,
    Anomaly,
    FeeReductionDecision,
    FeeReductionRequest,
    IdentityCheck,
    Lpa,
    LpaNumber,
    Payment,
    TrustCorporationSignatory,
    table,
)
from ..prepared import Prepared

lpas = table(Lpa)
actors = table(Actor)
addresses = table(Address)
anomalies = table(Anomaly)
numbers = table(LpaNumber)

# Tables a change may add rows to, by name.
ADDABLE: dict[str, RowInsert] = {
    t.name: RowInsert(t)
    for t in map(
        table,
        (
            IdentityCheck,
            TrustCorporationSignatory,
            FeeReductionRequest,
            FeeReductionDecision,
            Payment,
        ),
    )
}

# Statements built once and compiled once (`InTransaction`): on PostgreSQL asyncpg runs them
# in the transaction; through SQLAlchemy (SQLite) a constant statement's cache key is worked out
# only once, where `.values(...)` on every call makes a new statement whose key is computed
# again each time.
_NEW_NUMBER = Prepared(insert(numbers).values({}).returning(numbers.c.id))
_FORGET_NUMBER = Prepared(delete(numbers).where(numbers.c.id == bindparam("number")))
_UID_HELD = Prepared(select(lpas.c.id).where(lpas.c.uid == bindparam("uid")))
_INSERT_LPA = RowInsert(lpas, lpas.c.id)
_INSERT_ACTORS = RowInsert(actors)
_INSERT_ADDRESSES = RowInsert(addresses)
_INSERT_ANOMALIES = RowInsert(anomalies)
_ANOMALY_KEYS = Prepared(
    select(anomalies.c.source, anomalies.c.code).where(anomalies.c.lpa_id == bindparam("lpa_id"))
)


@dataclass(frozen=True, slots=True)
class NewActor:
    row: Mapping[str, Any]  # columns of `actors`, including its issued `id`
    address: Mapping[str, Any] | None


async def allocate_number(tx: InTransaction) -> int:
    """A sequence number no other LPA has had or will have, even if this transaction fails.

    A number whose UID an imported LPA already holds is skipped: imported UIDs come from OPG's
    LPA store and may be anywhere in the sequence's range."""
    while True:
        number = int((await tx.one(_NEW_NUMBER, {}))["id"])
        await tx.execute(_FORGET_NUMBER, {"number": number})
        if await tx.first(_UID_HELD, {"uid": uid_for_sequence(number)}) is None:
            return number


async def insert_lpa(tx: InTransaction, lpa: Mapping[str, Any], people: Sequence[NewActor]) -> int:
    lpa_id = int((await tx.one(_INSERT_LPA.prepared, _INSERT_LPA.row(lpa)))["id"])
    await insert_actors(tx, lpa_id, people)
    return lpa_id


async def insert_actors(tx: InTransaction, lpa_id: int, people: Sequence[NewActor]) -> None:
    await tx.insert(_INSERT_ACTORS, [{**p.row, "lpa_id": lpa_id} for p in people])
    located = [{**p.address, "actor_id": p.row["id"]} for p in people if p.address is not None]
    await tx.insert(_INSERT_ADDRESSES, located)


async def taken_actor_ids(tx: InTransaction, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these actor UUIDs another LPA already holds."""
    wanted = list(ids)
    if not wanted:
        return set()
    found = await tx.conn.execute(select(actors.c.id).where(actors.c.id.in_(wanted)))
    return set(found.scalars())


async def put_address(
    tx: InTransaction, actor_id: Any, address: Mapping[str, Any], new: bool
) -> None:
    """Replace the actor's address whole, or give it its first."""
    if new:
        await tx.insert(_INSERT_ADDRESSES, [{**address, "actor_id": actor_id}])
    else:
        await tx.conn.execute(
            update(addresses).where(addresses.c.actor_id == actor_id).values(**address)
        )


async def insert_anomalies(
    tx: InTransaction, lpa_id: int, found: Iterable[tuple[str, str]], at: datetime
) -> None:
    rows = [
        {"lpa_id": lpa_id, "source": source, "code": code, "status": "detected", "detected_at": at}
        for source, code in found
    ]
    await tx.insert(_INSERT_ANOMALIES, rows)


async def bump_version(tx: InTransaction, lpa_id: int, expected: int, at: datetime) -> bool:
    """Compare-and-set on the version: True only for the one writer that saw `expected`."""
    result = await tx.conn.execute(
        update(lpas)
        .where(lpas.c.id == lpa_id, lpas.c.version == expected)
        .values(version=expected + 1, updated_at=at)
    )
    return result.rowcount == 1


async def update_lpa(tx: InTransaction, lpa_id: int, values: Mapping[str, Any]) -> None:
    await tx.conn.execute(update(lpas).where(lpas.c.id == lpa_id).values(**values))


async def update_actor(tx: InTransaction, actor_id: Any, values: Mapping[str, Any]) -> None:
    await tx.conn.execute(update(actors).where(actors.c.id == actor_id).values(**values))


async def insert_rows(
    tx: InTransaction, table_name: str, rows: Sequence[Mapping[str, Any]]
) -> None:
    await tx.insert(ADDABLE[table_name], rows)


async def anomaly_keys(tx: InTransaction, lpa_id: int) -> set[tuple[str, str]]:
    rows = await tx.all(_ANOMALY_KEYS, {"lpa_id": lpa_id})
    return {(row["source"], row["code"]) for row in rows}


async def resolve_anomalies(
    tx: InTransaction, lpa_id: int, keys: list[tuple[str, str]], at: datetime, by: str
) -> int:
    resolved = 0
    for source, code in keys:
        result = await tx.conn.execute(
            update(anomalies)
            .where(
                anomalies.c.lpa_id == lpa_id,
                anomalies.c.source == source,
                anomalies.c.code == code,
                anomalies.c.status == "detected",
            )
            .values(status="resolved", resolved_at=at, resolved_by=by)
        )
        resolved += result.rowcount
    return resolved


async def sign_all_actors(tx: InTransaction, lpa_id: int, at: datetime) -> None:
    """Mark every signer of the LPA as signed at `at` (demo data only)."""
    signers = ("attorney", "trust-corporation", "certificate-provider")
    await tx.conn.execute(
        update(actors)
        .where(actors.c.lpa_id == lpa_id, actors.c.role.in_(signers))
        .values(signed_at=at)
    )
