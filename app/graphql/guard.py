"""The second wall: a check on every field as it resolves.

A client's view already lacks every field it is not granted, so this guard should never fire.
It exists for the day a view is wired wrongly: then the field is still refused, at run time,
with FORBIDDEN, and its resolver never runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLResolveInfo

from app.authz.policy import ClientPolicy

from .errors import Forbidden


class FieldGuard:
    def __init__(self, client: ClientPolicy) -> None:
        self._everything = client.grants.everything
        self._introspection = client.introspection
        self._readable = frozenset(
            tuple(coordinate.split(".", 1)) for coordinate in client.grants.readable
        )

    def allows(self, type_name: str, field_name: str) -> bool:
        if self._everything or field_name == "__typename":
            return True
        if type_name.startswith("__") or field_name.startswith("__"):
            return self._introspection
        return (type_name, field_name) in self._readable

    def resolve(
        self, next_: Callable[..., Any], root: Any, info: GraphQLResolveInfo[Any], **args: Any
    ) -> Any:
        if not self.allows(info.parent_type.name, info.field_name):
            raise Forbidden("Not permitted.")
        return next_(root, info, **args)
