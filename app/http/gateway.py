"""Everything the gateway builds once at start-up and shares, read-only, across requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from app.authz.keys import KeyRing, load_key_ring
from app.authz.policy import Policy, load_policy
from app.authz.token_cache import TokenCache
from app.db.audit_batch import AuditBatch
from app.db.audit_connection import audit_connection_for
from app.db.oracle_budget import FailureBudget, RedisBudget, SqlBudget
from app.db.rate_buckets import RateStore, RedisRateStore, SqlRateStore
from app.db.replica import ReadRoutes
from app.db.repository import Database
from app.graphql.client_view import ClientView, client_views
from app.graphql.schema import build_schema
from app.graphql.trusted import ClientDocuments, trusted_documents
from app.settings import Settings

from .rate_limiter import RateLimiter


@dataclass(frozen=True, slots=True)
class Gateway:
    settings: Settings
    database: Database  # the primary: one pool for transactions, reads and prepared statements
    key_ring: KeyRing
    tokens: TokenCache  # verifies bearer tokens against key_ring
    policy: Policy
    views: dict[str, ClientView]
    documents: dict[str, ClientDocuments]  # each view's trusted documents, prepared for it
    budget: FailureBudget
    audit: AuditBatch  # the audit rows of reads; start() it on a running loop
    rates: RateLimiter  # each client's request rate, shared by every worker and host
    routes: ReadRoutes  # reads that may lag: the replica while it keeps up, else the primary
    redis: Redis | None = None

    @property
    def engine(self) -> AsyncEngine:
        return self.database.engine

    async def open(self) -> None:
        """Open what needs a running event loop: the audit batch and the replica's lag
        probe."""
        await self.audit.start()
        await self.routes.start()

    async def close(self) -> None:
        await self.routes.close()
        await self.audit.close()  # before the engine goes: every queued row is written
        if self.redis is not None:
            await self.redis.aclose()
        await self.database.close()


def build_gateway(settings: Settings) -> Gateway:
    policy = load_policy(settings.policy_dir)
    views = client_views(policy, build_schema()._schema, settings)
    database = Database.of(settings)
    statements = database.statements
    window = timedelta(seconds=settings.oracle_window_seconds)
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    budget: FailureBudget = (
        RedisBudget(redis, settings.oracle_failure_budget, window, settings.redis_prefix)
        if redis is not None
        else SqlBudget(statements, settings.oracle_failure_budget, window)
    )
    rate_store: RateStore = (
        RedisRateStore(redis, settings.redis_prefix)
        if redis is not None
        else SqlRateStore(statements)
    )
    rates = RateLimiter(rate_store, {c.id: c.rate for c in policy.clients.values()})
    key_ring = load_key_ring(settings, list(views))
    max_lifetime = timedelta(seconds=settings.token_max_lifetime_seconds)
    return Gateway(
        settings=settings,
        database=database,
        key_ring=key_ring,
        tokens=TokenCache(key_ring, max_lifetime),
        policy=policy,
        views=views,
        documents=trusted_documents(views, settings),
        budget=budget,
        audit=AuditBatch(audit_connection_for(settings, database.engine.dialect)),
        rates=rates,
        routes=_read_routes(settings, database),
        redis=redis,
    )


def _read_routes(settings: Settings, primary: Database) -> ReadRoutes:
    if settings.read_database_url is None:
        return ReadRoutes(primary)
    replica = Database.of(settings, url=settings.read_database_url)
    return ReadRoutes(primary, replica, max_lag=settings.max_replica_lag_seconds)
