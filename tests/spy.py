"""A spy on every resolver of every client view: which fields actually ran."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLObjectType, GraphQLSchema, default_field_resolver


class ResolverSpy:
    """Wraps every resolver of every client view and records which fields ran."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def install(self, schemas: list[GraphQLSchema]) -> None:
        seen: set[int] = set()
        for schema in schemas:
            for named in schema.type_map.values():
                if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
                    continue
                for name, field in named.fields.items():
                    if id(field) in seen:
                        continue
                    seen.add(id(field))
                    field.resolve = self._wrap(f"{named.name}.{name}", field.resolve)

    def _wrap(self, coordinate: str, resolve: Any) -> Any:
        inner = resolve or default_field_resolver

        def spy(root: Any, info: Any, **args: Any) -> Any:
            self.calls.append(coordinate)
            return inner(root, info, **args)

        return spy
