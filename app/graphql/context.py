from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from app.authz.tokens import Identity
from app.db.oracle_budget import FailureBudget
from app.db.repository import CallerRepository

from .loaders import Loaders


@dataclass(slots=True)
class RequestContext:
    """What resolvers may know about the request. They reach the database only through
    `repository`: this caller's reads and writes under its row rule, each on a connection of
    its own, so a connection is never shared by resolvers that run concurrently."""

    identity: Identity
    repository: CallerRepository
    budget: FailureBudget
    request_id: str
    touched_uids: set[str] = field(default_factory=set)
    # False only under LPA_GATEWAY_UNSAFE_DISABLE_IDEMPOTENCY (development, negative control)
    replay_idempotent: bool = True
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.repository)

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)
