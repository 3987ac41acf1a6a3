"""Which plan a request runs, if any, and running it."""

from __future__ import annotations

from inspect import isawaitable
from typing import Any, Protocol

from graphql import DocumentNode, ExecutionResult

from app.graphql.client_view import ClientView
from app.graphql.trusted import TrustedDocument

from .compiler import Plan
from .run import run_plan


class _Chosen(Protocol):
    @property
    def trusted(self) -> TrustedDocument | None: ...


def plan_for(
    view: ClientView, chosen: _Chosen, document: DocumentNode, operation_name: str | None
) -> Plan | None:
    """A trusted document's plan from start-up, or an ad-hoc one from the view's cache."""
    if chosen.trusted is not None:
        return chosen.trusted.plans.get(operation_name)
    if view.plans is None:
        return None
    return view.plans.get(document, operation_name)


async def execute_plan(
    plan: Plan, variables: dict[str, Any] | None, context: Any
) -> ExecutionResult:
    result = run_plan(plan, variables, context)
    if isawaitable(result):
        result = await result
    return result  # type: ignore[no-any-return]
