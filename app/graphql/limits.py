"""Validation rules that bound a document before it runs.

One rule measures every operation with its fragments expanded where they are spread (a
fragment spread twice counts twice): its cost, depth, aliases, directives and uses of each
oracle field. Invariants:

- The work is linear in the document: each definition is walked once, and a fragment's
  measures are worked out once and reused at every spread, so a ladder of fragments each
  spreading the next twice costs no more to measure than it is long.
- Every measure stops counting one past its limit, so the numbers stay small however far a
  document goes past a limit (2**95 copies through a ladder of 95 fragments included).
- An unknown fragment or a spread that closes a cycle counts as nothing here: graphql-core's
  own rules report them, with the standard error.
- The first operation over a limit ends validation at once with one error: the rest of the
  document is not looked at, by this rule or by graphql-core's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLArgument,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
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
)
from graphql.validation.validate import ValidationAbortedError

ORACLE_FIELDS = ("donorIdentityMatches",)
LIST_ESTIMATE = 10  # items of a list whose size the document does not say
PAGE_MAXIMUM = 100  # items of a list whose size is a variable: the client picks it at run time

# The measures, in the order they are checked; each message may use {limit}.
COST, DEPTH, ALIASES, DIRECTIVES = range(4)
MESSAGES = (
    "Query cost exceeds the limit of {limit}.",
    "Query depth exceeds the limit of {limit}.",
    "Aliases exceed the limit of {limit}.",
    "Directives exceed the limit of {limit}.",
    *(f"'{name}' may appear at most once." for name in ORACLE_FIELDS),
)
Measures = list[int]


def rules_for(
    max_depth: int, max_aliases: int, max_directives: int, max_cost: int
) -> list[type[ASTValidationRule]]:
    limits = (max_cost, max_depth, max_aliases, max_directives, *(1 for _ in ORACLE_FIELDS))

    class DocumentLimits(ValidationRule):
        def enter_document(self, node: DocumentNode, *_: Any) -> Any:
            check_limits(node, self.context.schema, limits)
            return Visitor.SKIP

    return [DocumentLimits]


def check_limits(document: DocumentNode, schema: GraphQLSchema, limits: tuple[int, ...]) -> None:
    """Raise ValidationAbortedError, with the message of the first limit passed, for the
    first operation of `document` over any of `limits` (one per measure, in MESSAGES order)."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    walk = _Walk(schema, fragments, [limit + 1 for limit in limits])
    for operation in document.definitions:
        if not isinstance(operation, OperationDefinitionNode):
            continue
        measures = walk.operation(operation)
        for index, limit in enumerate(limits):
            if measures[index] > limit:
                raise ValidationAbortedError(MESSAGES[index].format(limit=limit))


class _Walk:
    def __init__(
        self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode], caps: list[int]
    ) -> None:
        self.schema, self.fragments, self.caps = schema, fragments, caps
        self.measured: dict[str, Measures] = {}  # fragment name -> its measures, worked out once

    def operation(self, operation: OperationDefinitionNode) -> Measures:
        self._measure_fragments_spread_in(operation.selection_set)
        root = self.schema.get_root_type(operation.operation)
        measures = self._selections(operation.selection_set, root)
        own = len(operation.directives or ())
        own += sum(len(v.directives or ()) for v in operation.variable_definitions or ())
        return self._with_directives(measures, own)

    def _measure_fragments_spread_in(self, selections: SelectionSetNode) -> None:
        """Measure each fragment reachable from `selections` not measured yet, every fragment
        after the ones it spreads; without recursion, so a long chain cannot overflow."""
        stack: list[tuple[str | None, Iterator[str]]] = [(None, iter(_spreads(selections)))]
        on_path: set[str] = set()
        while stack:
            name, pending = stack[-1]
            for spread in pending:
                known = spread in self.fragments and spread not in self.measured
                if known and spread not in on_path:
                    on_path.add(spread)
                    stack.append((spread, iter(_spreads(self.fragments[spread].selection_set))))
                    break
            else:
                stack.pop()
                if name is not None:
                    on_path.remove(name)
                    self.measured[name] = self._fragment(self.fragments[name])

    def _fragment(self, fragment: FragmentDefinitionNode) -> Measures:
        target = self.schema.get_type(fragment.type_condition.name.value)
        measures = self._selections(fragment.selection_set, target)
        return self._with_directives(measures, len(fragment.directives or ()))

    def _selections(self, selections: SelectionSetNode | None, parent: Any) -> Measures:
        total = [0] * len(self.caps)
        if selections is None:
            return total
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                part = self._field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = parent if condition is None else self.schema.get_type(condition.name.value)
                part = self._selections(selection.selection_set, target)
                part = self._with_directives(part, len(selection.directives or ()))
            else:  # a fragment spread, the grammar's third selection
                spread = cast(FragmentSpreadNode, selection)
                # Unknown, or closing a cycle: nothing here, another rule's error.
                part = self.measured.get(spread.name.value) or [0] * len(self.caps)
                part = self._with_directives(part, len(spread.directives or ()))
            self._add(total, part)
        return total

    def _field(self, node: FieldNode, parent: Any) -> Measures:
        name = node.name.value
        definition = _field_definition(parent, name)
        child_type = None if definition is None else get_named_type(definition.type)
        children = self._selections(node.selection_set, child_type)
        caps = self.caps
        measures = list(children)
        # Introspection and unknown fields cost nothing: bounded by their grant, or refused.
        if definition is None:
            measures[COST] = 0
        else:
            many = is_list_type(get_nullable_type(definition.type))
            items = _list_size(node, definition) if many else 1
            measures[COST] = min(1 + items * children[COST], caps[COST])
        # Introspection is bounded by its grant, not by depth.
        measures[DEPTH] = 0 if name.startswith("__") else min(1 + children[DEPTH], caps[DEPTH])
        measures[ALIASES] = min(children[ALIASES] + (node.alias is not None), caps[ALIASES])
        directives = children[DIRECTIVES] + len(node.directives or ())
        measures[DIRECTIVES] = min(directives, caps[DIRECTIVES])
        for offset, oracle in enumerate(ORACLE_FIELDS, start=DIRECTIVES + 1):
            measures[offset] = min(children[offset] + (name == oracle), caps[offset])
        return measures

    def _add(self, total: Measures, part: Measures) -> None:
        for index, cap in enumerate(self.caps):
            if index == DEPTH:
                total[index] = max(total[index], part[index])
            else:
                total[index] = min(total[index] + part[index], cap)

    def _with_directives(self, measures: Measures, count: int) -> Measures:
        if not count:
            return measures
        measures = list(measures)
        measures[DIRECTIVES] = min(measures[DIRECTIVES] + count, self.caps[DIRECTIVES])
        return measures


def _field_definition(parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        found: GraphQLField | None = parent.fields.get(name)
        return found
    return None


def _spreads(selections: SelectionSetNode) -> list[str]:
    """The names of the fragments spread in `selections`, not looking inside them."""
    names: list[str] = []
    pending = [selections]
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                names.append(selection.name.value)
            elif selection.selection_set is not None:  # type: ignore[attr-defined]
                pending.append(selection.selection_set)  # type: ignore[attr-defined]
    return names


def _list_size(node: FieldNode, definition: GraphQLField) -> int:
    """Items a list field may return: its `first` when a number; the page maximum when a
    variable (the client picks its value when it runs the document); the field's default
    for `first` when the document gives none; LIST_ESTIMATE otherwise. Never below 0."""
    first = next((a.value for a in node.arguments or () if a.name.value == "first"), None)
    if isinstance(first, IntValueNode):
        return _int(first.value)
    if isinstance(first, VariableNode):
        return PAGE_MAXIMUM
    declared = definition.args.get("first")
    if first is None and declared is not None:
        return _default(declared)
    return LIST_ESTIMATE


def _default(argument: GraphQLArgument) -> int:
    """The default of an argument: a coerced value (Strawberry's schema) or a literal (SDL)."""
    if isinstance(argument.default_value, int):
        return max(0, argument.default_value)
    default = argument.default
    if default is not None and isinstance(default.value, int):
        return max(0, default.value)
    if default is not None and isinstance(default.literal, IntValueNode):
        return _int(default.literal.value)
    return LIST_ESTIMATE


def _int(text: str) -> int:
    # Past 18 digits a number is over any limit; and Python refuses to convert 4,300.
    if len(text) > 18:
        return 0 if text.startswith("-") else 10**18
    return max(0, int(text))
