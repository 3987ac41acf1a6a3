"""The repository as one request sees it: the reads and writes of one caller, under its row
rule, each on a connection of its own from the worker's one pool for that database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row

from app.domain.records import CaseFile, FeeRate, Lpa

from ..audit import record
from ..fees import fee_schedule
from ..idempotency import Remembered, recall
from ..in_transaction import InTransaction
from ..oracle_budget import FailureBudget
from ..visibility import RowRule
from .batches import rows_by_key
from .database import Database
from .oracle import OracleAttempt, oracle_attempt
from .reads import (
    case_rows,
    events_after,
    lpa_record,
    lpa_with_people,
    status_row,
    visible_lpa_row,
)
from .writes import LpaRepository


@dataclass(frozen=True, slots=True)
class CallerRepository:
    """What `client` may read and write under `rule`.

    `primary` takes every write and the reads that must see the latest commit: the questions
    about an LPA, which read the same records as the changes do. `lagging` takes the reads that
    may lag (`app/db/replica.py`): the read replica while it keeps up, else the primary."""

    primary: Database
    lagging: Database
    rule: RowRule
    client: str

    async def status(self, uid: str) -> dict[str, Any] | None:
        """Status, type, restrictions and registration date (`reads.status_row`)."""
        return await status_row(self.lagging.statements, uid, self.rule, self.client)

    def oracle(self, budget: FailureBudget) -> AbstractAsyncContextManager[OracleAttempt]:
        """The identity oracle's failure budget and donor lookup for one attempt, on one
        pooled connection where they share a database (`oracle.oracle_attempt`)."""
        return oracle_attempt(self.lagging, budget, self.rule, self.client)

    async def lpa_row(self, uid: str) -> dict[str, Any] | None:
        """The LPA's own row, for the caseworkers' full record."""
        return await visible_lpa_row(self.lagging.statements, uid, self.rule, self.client)

    async def lpa_with_people(
        self, uid: str
    ) -> tuple[dict[str, Any], list[dict[str, Any]] | Exception] | None:
        """The LPA's own row and its people, on one pooled connection; the people's read's
        error in their place if it failed (`reads.lpa_with_people`)."""
        return await lpa_with_people(self.lagging.statements, uid, self.rule, self.client)

    async def rows_by_key(self, batch: str, keys: list[Any]) -> list[list[dict[str, Any]]]:
        """For each key, its rows of `batch` (`batches.BATCH_NAMES`): the DataLoaders' reads."""
        return await rows_by_key(self.lagging, batch, keys)

    async def fee_schedule(self) -> list[FeeRate]:
        async with self.lagging.reads.connect() as conn:
            return await fee_schedule(conn)

    async def events_after(self, cursor: int, limit: int) -> list[Row[Any]]:
        """`lpa-updated` outbox events after `cursor`, oldest first."""
        async with self.lagging.reads.connect() as conn:
            return await events_after(conn, cursor, limit)

    async def record(self, uid: str) -> Lpa | None:
        """The LPA as a record, as a change reads it, without its case file."""
        return await lpa_record(self.primary.statements, uid, self.rule, self.client)

    async def case_file(self, lpa_id: int) -> CaseFile:
        """An LPA's fee reduction requests and decisions, payments and anomalies."""
        async with self.primary.reads.connect() as conn:
            return await case_rows(conn, lpa_id)

    async def recall(self, key: str) -> Remembered | None:
        """The committed answer to the client's idempotency key, outside any transaction."""
        return await recall(self.primary.statements, self.client, key)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[LpaRepository]:
        """One transaction on the primary: committed when the block ends, rolled back if it
        raises."""
        async with self.primary.engine.begin() as conn:
            yield LpaRepository(await InTransaction.of(conn), self.rule, self.client)

    async def audit(self, event: Mapping[str, Any]) -> None:
        """Write one audit row now, committed on its own."""
        await record(self.primary.statements, event)
