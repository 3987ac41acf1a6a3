"""Everything the gateway builds once at start-up and shares, read-only, across requests."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from app.authz.client_view import ClientView, client_views
from app.authz.keys import KeyRing, load_key_ring
from app.authz.policy import Policy, load_policy
from app.db.engine import create_engine
from app.graphql.schema import build_schema
from app.settings import Settings


@dataclass(frozen=True, slots=True)
class Gateway:
    settings: Settings
    engine: AsyncEngine
    key_ring: KeyRing
    policy: Policy
    views: dict[str, ClientView]


def build_gateway(settings: Settings) -> Gateway:
    policy = load_policy(settings.policy_dir)
    views = client_views(policy, build_schema()._schema, settings)
    return Gateway(
        settings=settings,
        engine=create_engine(settings),
        key_ring=load_key_ring(settings, list(views)),
        policy=policy,
        views=views,
    )
