"""The identity oracle's failure budget, telling metrics when a (client, LPA) locks out.

A lockout is the failure that spends the budget: the one whose count reaches `limit`, the
same moment the resolver writes its `oracle-lockout` audit row. Everything else is the wrapped
budget's own behaviour.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from app.db.oracle_budget import FailureBudget
from app.db.prepared import Held, Statements


class LockoutCounter:
    def __init__(self, budget: FailureBudget, on_lockout: Callable[[str], None]) -> None:
        self.budget, self.on_lockout = budget, on_lockout
        self.limit = budget.limit

    @property
    def statements(self) -> Statements | None:
        return self.budget.statements

    def on(self, held: Held) -> LockoutCounter:
        return LockoutCounter(self.budget.on(held), self.on_lockout)

    async def spent(self, client: str, uid: str, now: datetime) -> bool:
        return await self.budget.spent(client, uid, now)

    async def fail(self, client: str, uid: str, now: datetime) -> int:
        failures = await self.budget.fail(client, uid, now)
        if failures == self.limit:
            self.on_lockout(client)
        return failures
