from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from app.db.lpa_reads import count_with_uids
from app.domain.demo import demo_uids
from app.settings import Settings

from .gateway import Gateway, build_gateway
from .graphiql import STATIC_DIR
from .graphiql_page import STATIC_PREFIX
from .graphql_endpoint import graphql_endpoint
from .health import live, ready


class StartupRefused(RuntimeError):
    """The gateway will not serve with this configuration or data."""


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        gateway = build_gateway(settings)
        try:
            if settings.is_production:
                await _refuse_demo_data(gateway)
                _refuse_graphiql_without_introspection(gateway)
            app.state.gateway = gateway
            yield
        finally:
            await gateway.close()

    routes: list[BaseRoute] = [
        Route("/graphql", graphql_endpoint, methods=["GET", "POST"]),
        Route("/health/live", live, methods=["GET"]),
        Route("/health/ready", ready, methods=["GET"]),
    ]
    if settings.graphiql_enabled:
        routes.append(Mount(STATIC_PREFIX, StaticFiles(directory=STATIC_DIR), name="graphiql"))
    return Starlette(routes=routes, lifespan=lifespan)


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
