"""Build a plan for one operation of a valid document against one client view.

A plan is the operation's fields, collected once per concrete object type (fragments and
aliases merged as graphql-core merges them), each with its schema field and its nodes, and the
view's middleware to wrap each field's resolver in. The field guard decides here, because the
document and the view are both fixed: if any field the document touches is one the guard refuses,
there is no plan and the request runs through graphql-core, where the guard refuses it again
at run time. The guard is moved, never skipped; the row rule stays in SQL, in the resolvers.

What gets no plan (graphql-core runs it; docs/performance.md lists the same):
- subscriptions, introspection fields (`__schema`, `__type`), any directive in the document
  (`@skip`/`@include` depend on variables), fragment variables;
- an operation name that names no operation of the document, or none for several.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLLeafType,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    MiddlewareManager,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Visitor,
    default_field_resolver,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_leaf_type,
    visit,
)
from graphql.execution.get_variable_signature import (
    GraphQLVariableSignature,
    get_variable_signature,
)

from .coerce import Coerce, Uncompiled, compile_coercion
from .direct import DirectResolvers

Allows = Callable[[str, str], bool]
INTROSPECTION = ("__schema", "__type")


@dataclass(frozen=True, slots=True)
class FieldPlan:
    key: str  # the response name: the alias, or the field's name
    definition: GraphQLField
    nodes: list[FieldNode]
    parent: GraphQLObjectType
    takes_args: bool
    # the sub-selection per concrete object type the value may be; empty for a leaf
    children: Mapping[str, tuple[FieldPlan, ...]]
    # the field's resolver as graphql-core would call it: wrapped in the view's middleware
    # where any of it has work to do on this field
    resolve: Callable[..., Any]
    # the schema's resolver `resolve` was made from: one replaced since (a test's spy) is
    # read as it is when the field runs, as graphql-core reads it (run.py, `_replaced`)
    built_from: Callable[..., Any] | None
    # False where `resolve` reads no `info` (Strawberry's resolver of a field that has none
    # of its own reads the attribute, and no middleware wraps it): none is built for it
    needs_info: bool
    # a field that reads no `info` and takes no arguments, of a scalar or enum type (or its
    # non-null): the type, whose value the run coerces at once (run.py, `_leaf`)
    leaf: GraphQLLeafType | None = None
    # a field that reads no `info` and takes no arguments whose value is the source's
    # attribute of this name, read as Strawberry's resolver reads it
    attribute: str | None = None

    @property
    def name(self) -> str:
        return self.nodes[0].name.value


@dataclass(frozen=True, slots=True)
class Plan:
    schema: GraphQLSchema
    document: DocumentNode
    operation: OperationDefinitionNode
    fragments: Mapping[str, FragmentDefinitionNode]
    root: GraphQLObjectType
    fields: tuple[FieldPlan, ...]
    serial: bool  # a mutation's root fields run one after another
    # the view's middleware but the guard; each field's resolver is read from the schema when
    # it runs, as graphql-core reads it, and wrapped (the manager remembers each wrapping)
    middleware: MiddlewareManager | None
    # each variable's signature and the function coercing its value (coerce.py), where every
    # variable's type has one: the values then coerce without graphql-core (run.py)
    variables: tuple[tuple[GraphQLVariableSignature, Coerce], ...] | None


def _arguments_only(middleware: object) -> bool:
    """A middleware that declares it does nothing for a field that is given no arguments."""
    return getattr(middleware, "ARGUMENTS_ONLY", False) is True


def _reads_no_info(definition: GraphQLField) -> bool:
    """Strawberry gives a field with no resolver, permission or extension of its own a
    resolver that reads the attribute and ignores `info` (`is_basic_field`)."""
    field = definition.extensions.get("strawberry-definition")
    return (
        field is not None
        and getattr(field, "is_basic_field", False) is True
        and getattr(definition.resolve, "__name__", "") == "_get_basic_result"
    )


class _NoPlan(Exception):
    """Something the compiler leaves to graphql-core."""


class _HasDirective(Visitor):
    found = False

    def enter_directive(self, *_: Any) -> None:
        self.found = True


def compile_plan(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    allows: Allows,
    middleware: MiddlewareManager | None,
    direct: DirectResolvers | None = None,
) -> Plan | None:
    """The plan of a valid document's operation, or None where graphql-core must run it.
    With `direct`, resolvers that Strawberry's wrapping would only pass through are called
    without it."""
    try:
        return _Compiler(schema, document, allows, middleware, direct).plan(operation_name)
    except _NoPlan:
        return None


class _Compiler:
    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        allows: Allows,
        middleware: MiddlewareManager | None,
        direct: DirectResolvers | None,
    ) -> None:
        self.schema = schema
        self.document = document
        self.allows = allows
        self.middleware = middleware
        self.direct = direct
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }

    def plan(self, operation_name: str | None) -> Plan:
        operation = self._operation(operation_name)
        if operation.operation == OperationType.SUBSCRIPTION:
            raise _NoPlan
        if any(f.variable_definitions for f in self.fragments.values()):
            raise _NoPlan
        finder = _HasDirective()
        visit(self.document, finder)
        if finder.found:
            raise _NoPlan
        root = self.schema.get_root_type(operation.operation)
        if root is None:
            raise _NoPlan
        fields = self._fields(root, [operation.selection_set])
        return Plan(
            self.schema,
            self.document,
            operation,
            self.fragments,
            root,
            fields,
            operation.operation == OperationType.MUTATION,
            self.middleware,
            self._variables(operation),
        )

    def _variables(
        self, operation: OperationDefinitionNode
    ) -> tuple[tuple[GraphQLVariableSignature, Coerce], ...] | None:
        found = []
        for node in operation.variable_definitions or ():
            signature = get_variable_signature(self.schema, node)
            if isinstance(signature, GraphQLError):
                return None
            try:
                found.append((signature, compile_coercion(signature.type)))
            except Uncompiled:
                return None
        return tuple(found)

    def _operation(self, name: str | None) -> OperationDefinitionNode:
        operations = [
            d for d in self.document.definitions if isinstance(d, OperationDefinitionNode)
        ]
        if name is None:
            if len(operations) != 1:
                raise _NoPlan
            return operations[0]
        for operation in operations:
            if operation.name and operation.name.value == name:
                return operation
        raise _NoPlan

    def _fields(
        self, parent: GraphQLObjectType, selection_sets: Sequence[SelectionSetNode]
    ) -> tuple[FieldPlan, ...]:
        grouped: dict[str, list[FieldNode]] = {}
        for selection_set in selection_sets:
            self._collect(parent, selection_set, grouped, set())
        return tuple(self._field(parent, key, nodes) for key, nodes in grouped.items())

    def _collect(
        self,
        parent: GraphQLObjectType,
        selection_set: SelectionSetNode,
        grouped: dict[str, list[FieldNode]],
        visited: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                grouped.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is None or self._applies(condition.name.value, parent):
                    self._collect(parent, selection.selection_set, grouped, visited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if name in visited or fragment is None:
                    continue
                visited.add(name)
                if self._applies(fragment.type_condition.name.value, parent):
                    self._collect(parent, fragment.selection_set, grouped, visited)

    def _applies(self, type_name: str, parent: GraphQLObjectType) -> bool:
        condition = self.schema.get_type(type_name)
        if condition is parent:
            return True
        return is_abstract_type(condition) and self.schema.is_sub_type(condition, parent)

    def _field(self, parent: GraphQLObjectType, key: str, nodes: list[FieldNode]) -> FieldPlan:
        name = nodes[0].name.value
        if name in INTROSPECTION:
            raise _NoPlan
        if not self.allows(parent.name, name):
            raise _NoPlan  # the guard refuses: no plan may exist; graphql-core refuses it
        definition = self.schema.get_field(parent, name)
        if definition is None:
            raise _NoPlan
        takes_args = bool(definition.args or nodes[0].arguments)
        resolve = (
            (self.direct and self.direct.resolver(definition))
            or definition.resolve
            or default_field_resolver
        )
        wrapped = self.middleware is not None and (
            takes_args or not all(_arguments_only(m) for m in self.middleware.middlewares)
        )
        needs_info = wrapped or not _reads_no_info(definition)
        leaf = get_nullable_type(definition.type)
        plain = not (needs_info or takes_args)
        fast = plain and is_leaf_type(leaf)
        return FieldPlan(
            key,
            definition,
            nodes,
            parent,
            takes_args,
            self._children(definition.type, nodes),
            self.middleware.get_field_resolver(resolve) if wrapped else resolve,  # type: ignore[union-attr]
            definition.resolve,
            needs_info,
            leaf if fast else None,  # type: ignore[arg-type]
            self.direct.attribute(definition) if plain and self.direct else None,
        )

    def _children(
        self, type_: GraphQLOutputType, nodes: list[FieldNode]
    ) -> Mapping[str, tuple[FieldPlan, ...]]:
        named = get_named_type(type_)
        if is_leaf_type(named):
            return {}
        selection_sets = [n.selection_set for n in nodes if n.selection_set]
        possible = self.schema.get_possible_types(named) if is_abstract_type(named) else [named]
        return {
            object_type.name: self._fields(object_type, selection_sets)  # type: ignore[arg-type]
            for object_type in possible
        }
