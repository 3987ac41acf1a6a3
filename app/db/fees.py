"""Reading the effective-dated fee schedule."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.records import FeeRate

from .mapping import fee_rate_of
from .models import Fee, table

fees = table(Fee)


async def fee_schedule(conn: AsyncConnection) -> list[FeeRate]:
    """Every row of the fee table."""
    query = select(fees.c.fee_type, fees.c.amount_pence, fees.c.effective_from).order_by(
        fees.c.fee_type, fees.c.effective_from
    )
    return [fee_rate_of(row._mapping) for row in await conn.execute(query)]
