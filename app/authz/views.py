"""One schema view per client, cut from the full schema by the policy.

Invariant: a field, argument or input field the client is not granted does not exist in its
view, so a document that names one fails validation before any resolver runs. The view keeps
the full schema's resolvers; only what is visible changes. Types the client cannot reach do not
appear at all, so neither introspection nor an error message can name them.
"""

from __future__ import annotations

from typing import Any, cast

from graphql import (
    GraphQLArgument,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
)

from .coordinates import is_required_argument, is_required_input_field
from .policy import ClientPolicy, Grants, PolicyError


def build_view(full: GraphQLSchema, client: ClientPolicy) -> GraphQLSchema:
    grants = client.grants
    if grants.everything:
        return full
    builder = _ViewBuilder(client, grants)
    query = builder.root(full.query_type)
    if query is None:
        raise PolicyError(f"{client.source.name}: grants no Query operation; every view needs one")
    mutation = builder.root(full.mutation_type)
    try:
        view = GraphQLSchema(query=query, mutation=mutation)
    except TypeError as error:  # graphql-core wraps what the lazy field maps raise
        if isinstance(error.__cause__, PolicyError):
            raise error.__cause__ from None
        raise
    builder.check_complete()
    return view


class _ViewBuilder:
    def __init__(self, client: ClientPolicy, grants: Grants) -> None:
        self.client = client
        self.grants = grants
        self.made: dict[str, GraphQLNamedType] = {}
        self.empty: list[str] = []

    def root(self, root: GraphQLObjectType | None) -> GraphQLObjectType | None:
        if root is None or not any(
            f"{root.name}.{f}" in self.grants.operations for f in root.fields
        ):
            return None
        return cast(GraphQLObjectType, self.named(root))

    def named(self, original: GraphQLNamedType) -> GraphQLNamedType:
        if original.name in self.made:
            return self.made[original.name]
        if isinstance(original, GraphQLObjectType):
            made: GraphQLNamedType = self._object(original)
        elif isinstance(original, GraphQLInputObjectType):
            made = self._input(original)
        else:
            made = original  # scalars and enums carry no grants
        self.made[original.name] = made
        return made

    def wrapped(self, original: Any) -> Any:
        if isinstance(original, GraphQLNonNull):
            return GraphQLNonNull(self.wrapped(original.of_type))
        if isinstance(original, GraphQLList):
            return GraphQLList(self.wrapped(original.of_type))
        return self.named(original)

    def _object(self, original: GraphQLObjectType) -> GraphQLObjectType:
        readable = self.grants.readable
        names = [f for f in original.fields if f"{original.name}.{f}" in readable]
        if not names:
            self.empty.append(original.name)

        def fields() -> dict[str, GraphQLField]:
            return {name: self._field(original.name, name, original.fields[name]) for name in names}

        return GraphQLObjectType(
            original.name,
            fields=fields,
            description=original.description,
            extensions=original.extensions,
        )

    def _field(self, type_name: str, name: str, original: GraphQLField) -> GraphQLField:
        args = {}
        for arg_name, arg in original.args.items():
            coordinate = f"{type_name}.{name}.{arg_name}"
            if coordinate in self.grants.arguments:
                args[arg_name] = GraphQLArgument(
                    self.wrapped(arg.type),
                    default_value=arg.default_value,
                    description=arg.description,
                    out_name=arg.out_name,
                    extensions=arg.extensions,
                )
            elif is_required_argument(arg):
                self._refuse(coordinate, "is required by a granted field but not granted")
        return GraphQLField(
            self.wrapped(original.type),
            args=args,
            resolve=original.resolve,
            description=original.description,
            deprecation_reason=original.deprecation_reason,
            extensions=original.extensions,
        )

    def _input(self, original: GraphQLInputObjectType) -> GraphQLInputObjectType:
        names = []
        for name, field in original.fields.items():
            coordinate = f"{original.name}.{name}"
            if coordinate in self.grants.inputs:
                names.append(name)
            elif is_required_input_field(field):
                self._refuse(coordinate, "is required by a granted input but not granted")

        def fields() -> dict[str, GraphQLInputField]:
            return {
                name: GraphQLInputField(
                    self.wrapped(original.fields[name].type),
                    default_value=original.fields[name].default_value,
                    description=original.fields[name].description,
                    out_name=original.fields[name].out_name,
                    extensions=original.fields[name].extensions,
                )
                for name in names
            }

        return GraphQLInputObjectType(
            original.name,
            fields=fields,
            description=original.description,
            out_type=original.out_type,
            extensions=original.extensions,
        )

    def _refuse(self, coordinate: str, why: str) -> None:
        line = self.client.line_of(coordinate.rsplit(".", 1)[0])
        where = f"{self.client.source.name}:{line}" if line else self.client.source.name
        raise PolicyError(f"{where}: {coordinate} {why}")

    def check_complete(self) -> None:
        if self.empty:
            raise PolicyError(
                f"{self.client.source.name}: reaches {', '.join(sorted(self.empty))} "
                "but grants none of its fields"
            )
