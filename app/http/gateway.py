"""Everything the gateway builds once at start-up and shares, read-only, across requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from app.authz.client_view import ClientView, client_views
from app.authz.keys import KeyRing, load_key_ring
from app.authz.policy import Policy, load_policy
from app.db.engine import create_engine
from app.db.oracle_budget import FailureBudget, RedisBudget, SqlBudget
from app.graphql.schema import build_schema
from app.settings import Settings


@dataclass(frozen=True, slots=True)
class Gateway:
    settings: Settings
    engine: AsyncEngine
    key_ring: KeyRing
    policy: Policy
    views: dict[str, ClientView]
    budget: FailureBudget
    redis: Redis | None = None

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()
        await self.engine.dispose()


def build_gateway(settings: Settings) -> Gateway:
    policy = load_policy(settings.policy_dir)
    views = client_views(policy, build_schema()._schema, settings)
    engine = create_engine(settings)
    window = timedelta(seconds=settings.oracle_window_seconds)
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    budget: FailureBudget = (
        RedisBudget(redis, settings.oracle_failure_budget, window, settings.redis_prefix)
        if redis is not None
        else SqlBudget(engine, settings.oracle_failure_budget, window)
    )
    return Gateway(
        settings=settings,
        engine=engine,
        key_ring=load_key_ring(settings, list(views)),
        policy=policy,
        views=views,
        budget=budget,
        redis=redis,
    )
