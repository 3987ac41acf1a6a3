from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from app.db.demo import demo_uids
from app.db.repository.reads import count_with_uids
from app.settings import Settings

from .collector import restore, settle_after_startup
from .gateway import Gateway, build_gateway
from .graphiql import STATIC_DIR
from .graphiql_page import STATIC_PREFIX
from .graphql_endpoint import graphql_endpoint
from .health import live, ready
from .hosts import HostGuard, TrustedHosts
from .lockout_counter import LockoutCounter
from .log_config import GRAPHQL_PATH
from .metrics import Metrics
from .metrics_endpoint import metrics_enabled, metrics_endpoint
from .refused import StartupRefused
from .role_check import refuse_missing_privileges
from .shortcut import Shortcut
from .tracing import NoTracing, start_tracing

__all__ = ["StartupRefused", "create_app"]


def create_app(settings: Settings | None = None, *, tracer_provider: Any = None) -> Starlette:
    """The gateway. `tracer_provider` (an OpenTelemetry TracerProvider) replaces the OTLP
    exporter when LPA_GATEWAY_OTEL=true; tests pass one with an in-memory exporter."""
    settings = settings or Settings.from_env()
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        gateway = build_gateway(settings)
        thresholds = None
        metrics.watch_pool(gateway.engine)
        gateway.routes.watch(metrics.replica_lag.set)
        await gateway.open()
        try:
            await refuse_missing_privileges(gateway.engine, production=settings.is_production)
            if settings.is_production:
                await _refuse_demo_data(gateway)
                _refuse_graphiql_without_introspection(gateway)
            app.state.tracing = start_tracing(settings, gateway.engine, tracer_provider)
            app.state.gateway = gateway
            # What resolvers get: the gateway's budget, telling metrics about lockouts.
            app.state.oracle_budget = LockoutCounter(gateway.budget, metrics.oracle_lockout)
            if settings.is_production:
                thresholds = settle_after_startup()
            yield
        finally:
            if thresholds is not None:
                restore(thresholds)
            app.state.tracing.close()
            metrics.unwatch_pool(gateway.engine)
            await gateway.close()

    graphql = Route(GRAPHQL_PATH, graphql_endpoint, methods=["GET", "POST"])
    routes: list[BaseRoute] = [
        graphql,
        Route("/health/live", live, methods=["GET"]),
        Route("/health/ready", ready, methods=["GET"]),
    ]
    if metrics_enabled(settings):
        routes.append(Route("/metrics", metrics_endpoint, methods=["GET"]))
    if settings.graphiql_enabled:
        routes.append(Mount(STATIC_PREFIX, StaticFiles(directory=STATIC_DIR), name="graphiql"))
    hosts = TrustedHosts.for_settings(settings)
    application = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[
            Middleware(
                Shortcut,
                path=GRAPHQL_PATH,
                methods=frozenset(graphql.methods or ()),
                endpoint=graphql_endpoint,
            ),
            Middleware(HostGuard, hosts=hosts, own_check=GRAPHQL_PATH),
        ],
    )
    application.state.hosts = hosts
    application.state.metrics = metrics
    application.state.tracing = NoTracing()
    return application


async def _refuse_demo_data(gateway: Gateway) -> None:
    async with gateway.engine.connect() as conn:
        if await count_with_uids(conn, demo_uids()):
            raise StartupRefused("demo LPAs are present; production refuses demo data")


def _refuse_graphiql_without_introspection(gateway: Gateway) -> None:
    if gateway.settings.graphiql_enabled and not any(
        view.policy.introspection for view in gateway.views.values()
    ):
        raise StartupRefused(
            "LPA_GATEWAY_GRAPHIQL=true in production needs a client the policy grants "
            "introspection to"
        )
