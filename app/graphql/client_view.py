"""Everything one client gets: its policy, its schema view and an executor bound to both.

Built once at start-up. Each client has its own executor and so its own document cache:
a document validated against one client's view is never served to another.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import GraphQLSchema, MiddlewareManager, NoSchemaIntrospectionCustomRule

from app.authz.check import check_policy
from app.authz.policy import ClientPolicy, Policy
from app.authz.views import build_view
from app.settings import Settings

from .bounds import InputBounds
from .executor import Executor
from .guard import FieldGuard
from .limits import rules_for
from .plans.cache import Plans
from .plans.direct import DirectResolvers


@dataclass(frozen=True, slots=True)
class ClientView:
    policy: ClientPolicy
    schema: GraphQLSchema
    executor: Executor
    # compiled plans: the guard's decision taken when each is built, the other middleware
    # the executor's (None: every document runs through graphql-core)
    plans: Plans | None = None


def client_view(full: GraphQLSchema, client: ClientPolicy) -> ClientView:
    schema = build_view(full, client)
    limits = client.limits
    rules = rules_for(limits.depth, limits.aliases, limits.directives, limits.cost)
    if not client.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    guard, bounds = FieldGuard(client), InputBounds()
    executor = Executor(
        schema, max_tokens=limits.tokens, extra_rules=rules, middleware=[guard, bounds]
    )
    return ClientView(
        client,
        schema,
        executor,
        Plans(schema, guard.allows, MiddlewareManager(bounds), direct=DirectResolvers(full)),
    )


def client_views(policy: Policy, full: GraphQLSchema, settings: Settings) -> dict[str, ClientView]:
    check_policy(policy, full)
    return {client.id: client_view(full, client) for client in policy.for_settings(settings)}
