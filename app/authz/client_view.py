"""Everything one client gets: its policy, its schema view and an executor bound to both.

Built once at start-up. Each client has its own executor and so its own document cache:
a document validated against one client's view is never served to another.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import GraphQLSchema, NoSchemaIntrospectionCustomRule

from app.graphql.bounds import InputBounds
from app.graphql.executor import Executor
from app.graphql.limits import rules_for
from app.settings import Settings

from .check import check_policy
from .guard import FieldGuard
from .policy import ClientPolicy, Policy
from .views import build_view


@dataclass(frozen=True, slots=True)
class ClientView:
    policy: ClientPolicy
    schema: GraphQLSchema
    executor: Executor


def client_view(full: GraphQLSchema, client: ClientPolicy) -> ClientView:
    schema = build_view(full, client)
    limits = client.limits
    rules = rules_for(limits.depth, limits.aliases, limits.directives, limits.cost)
    if not client.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    executor = Executor(
        schema,
        max_tokens=limits.tokens,
        extra_rules=rules,
        middleware=[FieldGuard(client), InputBounds()],
    )
    return ClientView(client, schema, executor)


def client_views(policy: Policy, full: GraphQLSchema, settings: Settings) -> dict[str, ClientView]:
    check_policy(policy, full)
    return {client.id: client_view(full, client) for client in policy.for_settings(settings)}
