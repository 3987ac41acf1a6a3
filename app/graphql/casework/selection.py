"""Whether a field's selection reaches any of some fields of the type it returns, through
inline fragments and named ones alike. An unknown fragment counts as reaching them: the answer
only ever saves a read that is not needed, never skips one that is."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLResolveInfo,
    InlineFragmentNode,
    SelectionNode,
)


def selects_any(info: GraphQLResolveInfo[Any] | Any, names: Collection[str]) -> bool:
    """Whether the field being resolved selects any of `names` (GraphQL names) directly
    below it. `info` is graphql-core's, or Strawberry's around it."""
    raw: GraphQLResolveInfo[Any] = getattr(info, "_raw_info", info)
    return any(
        _reaches(node.selection_set.selections, raw.fragments, names)
        for node in raw.field_nodes
        if node.selection_set is not None
    )


def _reaches(
    selections: Iterable[SelectionNode],
    fragments: Mapping[str, FragmentDefinitionNode],
    names: Collection[str],
) -> bool:
    for node in selections:
        if isinstance(node, FieldNode):
            if node.name.value in names:
                return True
        elif isinstance(node, InlineFragmentNode):
            if _reaches(node.selection_set.selections, fragments, names):
                return True
        elif isinstance(node, FragmentSpreadNode):
            fragment = fragments.get(node.name.value)
            if fragment is None or _reaches(fragment.selection_set.selections, fragments, names):
                return True
        else:
            return True
    return False
