"""Reading LPAs. One short statement per question; no ORM session on the hot path."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from .models import Actor, Address, Lpa, table
from .visibility import RowRule, visible

lpas = table(Lpa)
actors = table(Actor)
addresses = table(Address)

_STATUS = select(
    lpas.c.status,
    lpas.c.lpa_type,
    lpas.c.restrictions_and_conditions,
    lpas.c.registration_date,
)


async def status_row(
    conn: AsyncConnection, uid: str, rule: RowRule, client: str
) -> Row[*tuple[Any, ...]] | None:
    query = _STATUS.where(lpas.c.uid == uid, visible(rule, client))
    return (await conn.execute(query)).first()


async def count_with_uids(conn: AsyncConnection, uids: list[str]) -> int:
    query = select(func.count()).select_from(lpas).where(lpas.c.uid.in_(uids))
    return int((await conn.execute(query)).scalar_one())


async def visible_lpa(
    conn: AsyncConnection, uid: str, rule: RowRule, client: str
) -> Row[*tuple[Any, ...]] | None:
    query = select(lpas).where(lpas.c.uid == uid, visible(rule, client))
    return (await conn.execute(query)).first()


async def people_of(conn: AsyncConnection, lpa_ids: list[int]) -> list[Row[*tuple[Any, ...]]]:
    """Every actor of these LPAs with its address columns (prefixed `address_`), in order."""
    address_columns = [c.label(f"address_{c.name}") for c in addresses.c if c.name != "actor_id"]
    query = (
        select(actors, *address_columns)
        .select_from(actors.outerjoin(addresses, addresses.c.actor_id == actors.c.id))
        .where(actors.c.lpa_id.in_(lpa_ids))
        .order_by(actors.c.lpa_id, actors.c.role, actors.c.position)
    )
    return list((await conn.execute(query)).all())
