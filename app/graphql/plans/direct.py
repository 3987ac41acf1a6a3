"""A resolver called without Strawberry's per-call wrapping, where the wrapping has nothing
to do.

For a field with a resolver of its own, Strawberry's resolver builds its `Info`, converts the
arguments to Python values (input classes, enums, GlobalIDs), renames them to the resolver's
parameters, runs the field's extensions and exception handlers, and only then calls the
function. When every argument is a scalar or an enum (whose conversion hands the value on as
it is), the field has no extension and the schema no exception handler, all that is left is
the renaming, the `Info` and the source where the resolver asks for it (first as `self`, or by
name as `root` or `parent`): this module does just that, and in the same order relative to the
event loop (an async resolver's work starts when its coroutine is awaited, as Strawberry's
does). Anything else keeps Strawberry's resolver. The plans' difference tests prove the
answers the same to the byte.
"""

from __future__ import annotations

from collections.abc import Callable
from inspect import isawaitable
from typing import Any

from graphql import GraphQLField, GraphQLSchema

Resolver = Callable[..., Any]


class DirectResolvers:
    """What a plan needs of the Strawberry schema a view was cut from."""

    def __init__(self, full: GraphQLSchema) -> None:
        strawberry_schema = getattr(full, "_strawberry_schema", None)
        converter = getattr(strawberry_schema, "schema_converter", None)
        self._config: Any = getattr(strawberry_schema, "config", None)
        self._registry: Any = getattr(converter, "scalar_registry", None)
        handlers = getattr(converter, "_exception_handler_specs", ())
        self._usable = None not in (self._config, self._registry) and not handlers

    def resolver(self, definition: GraphQLField) -> Resolver | None:
        """The field's resolver without Strawberry's wrapping, or None to keep it."""
        field = definition.extensions.get("strawberry-definition")
        resolver = getattr(field, "base_resolver", None)
        if not self._usable or resolver is None or getattr(field, "extensions", True):
            return None
        if getattr(definition.resolve, "__name__", "") not in ("_resolver", "_async_resolver"):
            return None
        names = self._argument_names(field)
        if names is None:
            return None
        call = resolver.wrapped_func
        info_name = resolver.info_parameter.name if resolver.info_parameter else None
        info_class = self._config.info_class
        # Strawberry hands the source to `self` first, and to `root` and `parent` by name
        takes_self = resolver.self_parameter is not None
        source_names = tuple(
            p.name for p in (resolver.root_parameter, resolver.parent_parameter) if p is not None
        )

        def direct(_source: Any, info: Any, **args: Any) -> Any:
            kwargs = {python: args[name] for name, python in names if name in args}
            for name in source_names:
                kwargs[name] = _source
            if info_name is not None:
                kwargs[info_name] = info_class(_raw_info=info, _field=field)
            return call(_source, **kwargs) if takes_self else call(**kwargs)

        if not definition.resolve.__name__.startswith("_async"):  # type: ignore[union-attr]
            return direct

        async def direct_async(_source: Any, info: Any, **args: Any) -> Any:
            result = direct(_source, info, **args)
            return await result if isawaitable(result) else result

        return direct_async

    def attribute(self, definition: GraphQLField) -> str | None:
        """The attribute Strawberry's resolver of a field with none of its own reads, where it
        reads it with the built-in `getattr` (the default resolver) and nothing else."""
        field = definition.extensions.get("strawberry-definition")
        if not self._usable or getattr(field, "is_basic_field", False) is not True:
            return None
        if getattr(definition.resolve, "__name__", "") != "_get_basic_result":
            return None
        if getattr(field, "default_resolver", None) is not getattr:
            return None
        name = getattr(field, "python_name", None)
        return name if isinstance(name, str) else None

    def _argument_names(self, field: Any) -> tuple[tuple[str, str], ...] | None:
        """(GraphQL name, Python name) of each argument, if each passes through Strawberry's
        conversion unchanged; None if any would be converted."""
        try:
            from strawberry.relay.types import GlobalID
            from strawberry.types.arguments import _is_leaf_type, _is_optional_leaf_type
            from strawberry.types.base import StrawberryMaybe
        except ImportError:
            return None
        names = []
        for argument in field.arguments:
            kind = argument.type
            leaf = _is_leaf_type(kind, self._registry, skip_classes=(GlobalID,))
            optional = _is_optional_leaf_type(kind, self._registry, skip_classes=(GlobalID,))
            if isinstance(kind, StrawberryMaybe) or not (leaf or optional):
                return None
            name = self._config.name_converter.from_argument(argument)
            names.append((name, argument.python_name))
        return tuple(names)
