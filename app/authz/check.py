"""The coverage gate: the policy and the schema must name exactly the same things.

Fails when the policy names a coordinate the schema lacks (naming the file and line), when a
schema coordinate has no rule (no client is granted it), or when a client's view cannot be
built (a required argument or input field left out, a type reached with no field granted).
"""

from __future__ import annotations

from graphql import GraphQLSchema

from .coordinates import schema_coordinates
from .policy import GRANT_KINDS, WITHHELD_FILE, Policy, PolicyError, coordinates_named
from .views import build_view


def policy_problems(policy: Policy, full: GraphQLSchema) -> list[str]:
    problems: list[str] = []
    coordinates = schema_coordinates(full)
    for client, kind, name in coordinates_named(policy):
        if name not in coordinates.of_kind(kind):
            line = client.line_of(name)
            problems.append(
                f"{client.source.name}:{line}: grants.{kind} names {name}, "
                "which the schema does not have"
            )
    for client in policy.clients.values():
        for argument in sorted(client.grants.arguments):
            if argument.rsplit(".", 1)[0] not in client.grants.readable:
                problems.append(
                    f"{client.source.name}:{client.line_of(argument)}: grants.arguments names "
                    f"{argument}, but not its field"
                )
    every = set().union(*(coordinates.of_kind(kind) for kind in GRANT_KINDS))
    problems.extend(
        f"{WITHHELD_FILE}: withholds {name}, which the schema does not have"
        for name in sorted(policy.withheld - every)
    )
    for kind in GRANT_KINDS:
        granted: set[str] = set()
        for client in policy.clients.values():
            granted |= getattr(client.grants, kind)
        problems.extend(
            f"{name} ({kind}) has no rule: grant it to a client or list it in {WITHHELD_FILE}"
            for name in sorted(coordinates.of_kind(kind) - granted - policy.withheld)
        )
        problems.extend(
            f"{WITHHELD_FILE}: withholds {name}, but a client is granted it"
            for name in sorted(granted & policy.withheld)
        )
    if problems:
        return problems
    for client in policy.clients.values():
        try:
            build_view(full, client)
        except PolicyError as error:
            problems.append(str(error))
    return problems


def check_policy(policy: Policy, full: GraphQLSchema) -> None:
    problems = policy_problems(policy, full)
    if problems:
        more = len(problems) - 1
        listed = f" (and {more} more: `lpa-gateway check-policy` lists them)" if more else ""
        raise PolicyError(f"the policy does not match the schema: {problems[0]}{listed}")
