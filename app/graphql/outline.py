"""What a valid document asks for, as the audit trail and the request log name it: the
operation's name, whether it is a mutation, and its root field."""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)


@dataclass(frozen=True, slots=True)
class Outline:
    name: str | None  # the operation's own name, if it has one
    mutation: bool
    root_field: str  # the root field selected, `multiple`, or `-` when none


NO_OPERATION = Outline(None, False, "-")


def outline(document: DocumentNode, operation_name: str | None) -> Outline:
    operation = _operation(document, operation_name)
    if operation is None:
        return NO_OPERATION
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    names = _root_fields(operation.selection_set, fragments)
    return Outline(
        name=operation.name.value if operation.name is not None else None,
        mutation=operation.operation is OperationType.MUTATION,
        root_field=names.pop() if len(names) == 1 else "multiple" if names else "-",
    )


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name is not None and o.name.value == name), None)


def _root_fields(
    selections: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode]
) -> set[str]:
    names: set[str] = set()
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            names.add(selection.name.value)
        elif isinstance(selection, InlineFragmentNode):
            names |= _root_fields(selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments:
            names |= _root_fields(fragments[selection.name.value].selection_set, fragments)
    return names
