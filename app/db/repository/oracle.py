"""The identity oracle's statements for one attempt: its failure budget's check, the donor
lookup and the budget's write.

Where the budget keeps its counts in the database the lookup reads (no Redis, and no replica
in use for reads that may lag), the three run one after another on one pooled connection: one
checkout, not three. Each is still the statement it was, outside any transaction, so the check
and the write are each committed on their own as before, and the write is still the one atomic
upsert that counts a failure: other attempts interleave between them exactly as they could
when each statement took its own connection. Nothing else may take a connection of the same
pool while the block runs (the lockout's audit row is written after it)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from ..oracle_budget import FailureBudget
from ..prepared import Reads
from ..visibility import RowRule
from .database import Database
from .reads import donor_identity


@dataclass(frozen=True, slots=True)
class OracleAttempt:
    budget: FailureBudget
    _reads: Reads
    _rule: RowRule
    _client: str

    async def donor_identity(self, uid: str) -> dict[str, Any] | None:
        """The donor's date of birth and postcode, for the oracle's comparison only."""
        return await donor_identity(self._reads, uid, self._rule, self._client)


@asynccontextmanager
async def oracle_attempt(
    lagging: Database, budget: FailureBudget, rule: RowRule, client: str
) -> AsyncIterator[OracleAttempt]:
    statements = lagging.statements
    if budget.statements is not statements:
        yield OracleAttempt(budget, statements, rule, client)
        return
    async with statements.held() as held:
        yield OracleAttempt(budget.on(held), held, rule, client)
