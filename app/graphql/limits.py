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
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    VariableNode,
    Visitor,
    get_named_type,
    get_nullable_type,
    is_list_type,
    visit,
)

Fragments = dict[str, FragmentDefinitionNode]
Measure = Callable[[OperationDefinitionNode, Fragments, GraphQLSchema], int]

ORACLE_FIELDS = ("donorIdentityMatches",)


def per_operation_rule(measure: Measure, limit: int, message: str) -> type[ASTValidationRule]:
    """A rule refusing any operation whose `measure` exceeds `limit`; `message` may use
    {value} and {limit}."""

    class PerOperationRule(ValidationRule):
        def enter_document(self, node: DocumentNode, *_: Any) -> Any:
            fragments = {
                d.name.value: d for d in node.definitions if isinstance(d, FragmentDefinitionNode)
            }
            for operation in node.definitions:
                if not isinstance(operation, OperationDefinitionNode):
                    continue
                value = measure(operation, fragments, self.context.schema)
                if value > limit:
                    self.report_error(GraphQLError(message.format(value=value, limit=limit)))
                    return Visitor.BREAK
            return Visitor.SKIP

    return PerOperationRule


def depth(operation: OperationDefinitionNode, fragments: Fragments, _: GraphQLSchema) -> int:
    return _depth(operation.selection_set, fragments, frozenset())


def aliases(operation: OperationDefinitionNode, fragments: Fragments, _: GraphQLSchema) -> int:
    return sum(f.alias is not None for f in _expanded(operation.selection_set, fragments))


def occurrences_of(name: str) -> Measure:
    def count(operation: OperationDefinitionNode, fragments: Fragments, _: GraphQLSchema) -> int:
        return sum(f.name.value == name for f in _expanded(operation.selection_set, fragments))

    return count


def directives(operation: OperationDefinitionNode, fragments: Fragments, _: GraphQLSchema) -> int:
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


def cost(operation: OperationDefinitionNode, fragments: Fragments, schema: GraphQLSchema) -> int:
    """Fields the operation may resolve: each field costs 1 plus its children once per item,
    a list counting as `first` items when given (its default, or the page maximum, when it is
    a variable) and as LIST_ESTIMATE items otherwise."""
    root = schema.get_root_type(operation.operation)
    walk = _CostWalk(schema, fragments, _defaults(operation))
    return walk.cost(operation.selection_set, root, frozenset())


LIST_ESTIMATE = 10
PAGE_MAXIMUM = 100


def _defaults(operation: OperationDefinitionNode) -> dict[str, int]:
    found = {}
    for definition in operation.variable_definitions or ():
        value = definition.default_value
        if isinstance(value, IntValueNode):
            found[definition.variable.name.value] = int(value.value)
    return found


class _CostWalk:
    def __init__(self, schema: GraphQLSchema, fragments: Fragments, defaults: dict[str, int]):
        self.schema, self.fragments, self.defaults = schema, fragments, defaults

    def cost(self, selections: SelectionSetNode | None, parent: Any, seen: frozenset[str]) -> int:
        if selections is None or not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return 0
        total = 0
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                definition = parent.fields.get(selection.name.value)
                if definition is None:
                    continue  # introspection and unknown fields: bounded or refused elsewhere
                child = get_nullable_type(definition.type)
                items = _list_size(selection, self.defaults) if is_list_type(child) else 1
                total += 1 + items * self.cost(selection.selection_set, get_named_type(child), seen)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = parent if condition is None else self.schema.get_type(condition.name.value)
                total += self.cost(selection.selection_set, target, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in seen and name in self.fragments:
                    fragment = self.fragments[name]
                    target = self.schema.get_type(fragment.type_condition.name.value)
                    total += self.cost(fragment.selection_set, target, seen | {name})
        return total


def _list_size(node: FieldNode, defaults: dict[str, int]) -> int:
    for argument in node.arguments or ():
        if argument.name.value != "first":
            continue
        if isinstance(argument.value, IntValueNode):
            return int(argument.value.value)
        if isinstance(argument.value, VariableNode):
            return defaults.get(argument.value.name.value, PAGE_MAXIMUM)
    return LIST_ESTIMATE


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
    max_depth: int, max_aliases: int, max_directives: int, max_cost: int
) -> list[type[ASTValidationRule]]:
    return [
        per_operation_rule(cost, max_cost, "Query cost {value} exceeds the limit of {limit}."),
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
