"""Validation rules that bound a document before it runs: depth, aliases and directives.

Each rule reports at most one error however far the document goes past its limit, and
counts through fragments (each fragment spread counts what the fragment contains).
"""

from __future__ import annotations

from typing import Any

from graphql import (
    ASTValidationRule,
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


def max_depth_rule(limit: int) -> type[ASTValidationRule]:
    class MaxDepthRule(ASTValidationRule):
        def enter_document(self, node: DocumentNode, *_: Any) -> Any:
            fragments = _fragments(node)
            for operation in node.definitions:
                if isinstance(operation, OperationDefinitionNode):
                    depth = _depth(operation.selection_set, fragments, frozenset())
                    if depth > limit:
                        self.report_error(
                            GraphQLError(f"Query depth {depth} exceeds the limit of {limit}.")
                        )
                        return Visitor.BREAK
            return Visitor.SKIP

    return MaxDepthRule


def max_aliases_rule(limit: int) -> type[ASTValidationRule]:
    class MaxAliasesRule(ASTValidationRule):
        def enter_document(self, node: DocumentNode, *_: Any) -> Any:
            fragments = _fragments(node)
            for operation in node.definitions:
                if isinstance(operation, OperationDefinitionNode):
                    count = _aliases(operation.selection_set, fragments, frozenset())
                    if count > limit:
                        self.report_error(
                            GraphQLError(f"{count} aliases exceed the limit of {limit}.")
                        )
                        return Visitor.BREAK
            return Visitor.SKIP

    return MaxAliasesRule


def max_directives_rule(limit: int) -> type[ASTValidationRule]:
    class MaxDirectivesRule(ASTValidationRule):
        def enter_document(self, node: DocumentNode, *_: Any) -> Any:
            counter = _DirectiveCounter()
            visit(node, counter)
            if counter.count > limit:
                self.report_error(
                    GraphQLError(f"{counter.count} directives exceed the limit of {limit}.")
                )
            return Visitor.BREAK

    return MaxDirectivesRule


class _DirectiveCounter(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def enter_directive(self, *_: Any) -> None:
        self.count += 1


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def _depth(
    selections: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    seen: frozenset[str],
) -> int:
    if selections is None:
        return 0
    deepest = 0
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value.startswith("__"):
                continue  # introspection is bounded by its own rule and grant
            deepest = max(deepest, 1 + _depth(selection.selection_set, fragments, seen))
        elif isinstance(selection, InlineFragmentNode):
            deepest = max(deepest, _depth(selection.selection_set, fragments, seen))
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in seen or name not in fragments:
                continue  # cycles and unknown fragments are other rules' errors
            deepest = max(deepest, _depth(fragments[name].selection_set, fragments, seen | {name}))
    return deepest


def _aliases(
    selections: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    seen: frozenset[str],
) -> int:
    if selections is None:
        return 0
    count = 0
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            count += (selection.alias is not None) + _aliases(
                selection.selection_set, fragments, seen
            )
        elif isinstance(selection, InlineFragmentNode):
            count += _aliases(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name not in seen and name in fragments:
                count += _aliases(fragments[name].selection_set, fragments, seen | {name})
    return count


def rules_for(depth: int, aliases: int, directives: int) -> list[type[ASTValidationRule]]:
    return [max_depth_rule(depth), max_aliases_rule(aliases), max_directives_rule(directives)]
