"""Validation rules that bound a document before it runs.

Each rule measures every operation with its fragments expanded where they are spread (a
fragment spread twice counts twice), and reports at most one error however far the document
goes past its limit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from graphql import (
    ASTValidationRule,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Visitor,
    visit,
)

Fragments = dict[str, FragmentDefinitionNode]
Measure = Callable[[OperationDefinitionNode, Fragments], int]

ORACLE_FIELDS = ("donorIdentityMatches",)


def per_operation_rule(measure: Measure, limit: int, message: str) -> type[ASTValidationRule]:
    """A rule refusing any operation whose `measure` exceeds `limit`; `message` may use
    {value} and {limit}."""

    class PerOperationRule(ASTValidationRule):
        def enter_document(self, node: DocumentNode, *_: Any) -> Any:
            fragments = {
                d.name.value: d for d in node.definitions if isinstance(d, FragmentDefinitionNode)
            }
            for operation in node.definitions:
                if not isinstance(operation, OperationDefinitionNode):
                    continue
                value = measure(operation, fragments)
                if value > limit:
                    self.report_error(GraphQLError(message.format(value=value, limit=limit)))
                    return Visitor.BREAK
            return Visitor.SKIP

    return PerOperationRule


def depth(operation: OperationDefinitionNode, fragments: Fragments) -> int:
    return _depth(operation.selection_set, fragments, frozenset())


def aliases(operation: OperationDefinitionNode, fragments: Fragments) -> int:
    return sum(f.alias is not None for f in _expanded(operation.selection_set, fragments))


def occurrences_of(name: str) -> Measure:
    def count(operation: OperationDefinitionNode, fragments: Fragments) -> int:
        return sum(f.name.value == name for f in _expanded(operation.selection_set, fragments))

    return count


def directives(operation: OperationDefinitionNode, fragments: Fragments) -> int:
    counter = _DirectiveCounter()
    visit(operation, counter)
    for name in _spread_fragments(operation.selection_set, fragments):
        visit(fragments[name], counter)
    return counter.count


class _DirectiveCounter(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def enter_directive(self, _node: DirectiveNode, *_: Any) -> None:
        self.count += 1


def _expanded(
    selections: SelectionSetNode | None, fragments: Fragments, seen: frozenset[str] = frozenset()
) -> Iterator[FieldNode]:
    """Every field the selection would run."""
    if selections is None:
        return
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            yield selection
            yield from _expanded(selection.selection_set, fragments, seen)
        elif isinstance(selection, InlineFragmentNode):
            yield from _expanded(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name not in seen and name in fragments:  # cycles: another rule's error
                yield from _expanded(fragments[name].selection_set, fragments, seen | {name})


def _spread_fragments(
    selections: SelectionSetNode | None, fragments: Fragments, seen: frozenset[str] = frozenset()
) -> Iterator[str]:
    """The name of each fragment spread, once per spread."""
    if selections is None:
        return
    for selection in selections.selections:
        if isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name not in seen and name in fragments:
                yield name
                yield from _spread_fragments(
                    fragments[name].selection_set, fragments, seen | {name}
                )
        elif isinstance(selection, FieldNode | InlineFragmentNode):
            yield from _spread_fragments(selection.selection_set, fragments, seen)


def _depth(selections: SelectionSetNode | None, fragments: Fragments, seen: frozenset[str]) -> int:
    if selections is None:
        return 0
    deepest = 0
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value.startswith("__"):
                continue  # introspection is bounded by its grant, not by depth
            deepest = max(deepest, 1 + _depth(selection.selection_set, fragments, seen))
        elif isinstance(selection, InlineFragmentNode):
            deepest = max(deepest, _depth(selection.selection_set, fragments, seen))
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name not in seen and name in fragments:
                deepest = max(
                    deepest, _depth(fragments[name].selection_set, fragments, seen | {name})
                )
    return deepest


def rules_for(
    max_depth: int, max_aliases: int, max_directives: int
) -> list[type[ASTValidationRule]]:
    return [
        per_operation_rule(depth, max_depth, "Query depth {value} exceeds the limit of {limit}."),
        per_operation_rule(aliases, max_aliases, "{value} aliases exceed the limit of {limit}."),
        per_operation_rule(
            directives, max_directives, "{value} directives exceed the limit of {limit}."
        ),
        *(
            per_operation_rule(occurrences_of(name), 1, f"'{name}' may appear at most once.")
            for name in ORACLE_FIELDS
        ),
    ]
