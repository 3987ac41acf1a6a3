"""Reading the effective-dated fee schedule."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from .models import Fee, table

fees = table(Fee)


async def fee_schedule(conn: AsyncConnection) -> list[dict[str, Any]]:
    """Every row of the fee table, each `{fee_type, amount_pence, effective_from}`."""
    query = select(fees.c.fee_type, fees.c.amount_pence, fees.c.effective_from).order_by(
        fees.c.fee_type, fees.c.effective_from
    )
    return [dict(row._mapping) for row in await conn.execute(query)]
