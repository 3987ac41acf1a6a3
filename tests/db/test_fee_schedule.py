"""The fee schedule read from the database: the seeded rows decide the amount, and a fee
change is a new row, picked up with no change to the code."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.engine import engine_for_url
from app.db.fees import fee_schedule, fees
from app.domain.enums import FeeType
from app.domain.fees import fee_amount

pytestmark = pytest.mark.anyio


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = engine_for_url(database_url)
    yield engine
    await engine.dispose()


async def test_seeded_rows_give_8200_before_and_9200_from_17_november_2025(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as conn:
        schedule = await fee_schedule(conn)
    assert fee_amount(schedule, FeeType.FULL, date(2025, 11, 16)) == 8200
    assert fee_amount(schedule, FeeType.FULL, date(2025, 11, 17)) == 9200
    assert fee_amount(schedule, FeeType.HALF, date(2025, 11, 17)) == 4600
    assert fee_amount(schedule, FeeType.EXEMPTION, date(2025, 11, 17)) == 0


async def test_a_new_row_in_the_fees_table_changes_the_amount_from_its_date(
    engine: AsyncEngine,
) -> None:
    later = date(2028, 4, 1)
    async with engine.begin() as conn:
        await conn.execute(
            insert(fees).values(fee_type=FeeType.FULL, amount_pence=10150, effective_from=later)
        )
    async with engine.connect() as conn:
        schedule = await fee_schedule(conn)
    assert fee_amount(schedule, FeeType.FULL, date(2028, 3, 31)) == 9200
    assert fee_amount(schedule, FeeType.FULL, later) == 10150
    assert fee_amount(schedule, FeeType.HALF, later) == 4600
