"""Reading LPAs. One short statement per question; no ORM session on the hot path."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from .models import Lpa, table

lpas = table(Lpa)

_STATUS = select(
    lpas.c.status,
    lpas.c.lpa_type,
    lpas.c.restrictions_and_conditions,
    lpas.c.registration_date,
    lpas.c.created_by,
).where(lpas.c.uid == bindparam("uid"))


async def status_row(conn: AsyncConnection, uid: str) -> Row[*tuple[Any, ...]] | None:
    return (await conn.execute(_STATUS, {"uid": uid})).first()


async def count_with_uids(conn: AsyncConnection, uids: list[str]) -> int:
    query = select(func.count()).select_from(lpas).where(lpas.c.uid.in_(uids))
    return int((await conn.execute(query)).scalar_one())
