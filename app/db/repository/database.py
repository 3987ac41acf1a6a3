"""One database as a worker reaches it: one pool, three ways in."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from app.settings import Settings

from ..engine import create_engine, statements_for, without_transaction
from ..prepared import Statements


@dataclass(frozen=True, slots=True)
class Database:
    """The engine (transactions: every write), the same pool in autocommit (`reads`:
    single-statement reads with no BEGIN or ROLLBACK) and the prepared statements of the hot
    lookups, which check their connections out of that same pool. A worker opens one of
    these per database: the primary, and the read replica when there is one."""

    engine: AsyncEngine
    reads: AsyncEngine
    statements: Statements

    @classmethod
    def of(cls, settings: Settings, *, url: str | None = None) -> Database:
        """The primary, or the database at `url` (the replica) with the same settings."""
        engine = create_engine(settings, url=url)
        return cls(engine, without_transaction(engine), statements_for(settings, engine))

    async def close(self) -> None:
        await self.statements.close()
        await self.engine.dispose()
