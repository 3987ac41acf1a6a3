from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from app.authz.tokens import Identity
from app.db.oracle_budget import FailureBudget
from app.db.prepared import Statements
from app.db.visibility import RowRule

from .loaders import Loaders


@dataclass(slots=True)
class RequestContext:
    """What resolvers may know about the request. Each resolver opens its own connection
    from `engine` (transactions, for writes) or `reads` (the same pool in autocommit, for
    single-statement reads): a connection is never shared by resolvers that run concurrently."""

    identity: Identity
    rows: RowRule
    engine: AsyncEngine
    reads: AsyncEngine
    statements: Statements  # prepared statements: the hot lookups
    # For reads that may lag (app/db/replica.py): the read replica while it keeps up, else
    # the primary's `statements` and `reads`. The DataLoaders read there too.
    lagging_statements: Statements
    lagging_reads: AsyncEngine
    budget: FailureBudget
    request_id: str
    touched_uids: set[str] = field(default_factory=set)
    # False only under LPA_GATEWAY_UNSAFE_DISABLE_IDEMPOTENCY (development, negative control)
    replay_idempotent: bool = True
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.lagging_reads)

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)
