"""Run a plan: coerce the variables, call the planned resolvers, build the answer.

It does what graphql-core's executor does for the same operation, step for step, so that the
answer is the same to the byte (tests/graphql/test_plan_difference.py proves it): the same
variable coercion, argument values, resolvers and middleware, the same completion of lists,
leaves and abstract types, the same error locations and paths, the same null propagation
(an error under a non-null field nulls its nearest nullable parent, and errors under a nulled
position are dropped), fields gathered concurrently and a mutation's root fields serially.
"""

from __future__ import annotations

from asyncio import Future, gather
from collections.abc import Awaitable, Callable, Iterable, Sequence
from types import GeneratorType
from typing import Any, TypeGuard

from graphql import (
    ExecutionResult,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLResolveInfoHelpers,
    default_field_resolver,
    default_type_resolver,
    get_argument_values,
    get_variable_values,
    is_abstract_type,
    is_leaf_type,
    located_error,
)
from graphql.execution.executor import CollectedErrors
from graphql.execution.values import VariableValues, VariableValueSource
from graphql.pyutils import Path, Undefined, gather_with_cancel, inspect, is_awaitable, is_iterable

from .compiler import FieldPlan, Plan

MAX_COERCION_ERRORS = 50  # graphql-core's default, which the executor uses


def run_plan(plan: Plan, variables: dict[str, Any] | None, context: Any) -> Any:
    """An ExecutionResult, or an awaitable of one."""
    values = _fast_values(plan, variables or {}) or get_variable_values(
        plan.schema,
        plan.operation.variable_definitions or (),
        variables or {},
        max_errors=MAX_COERCION_ERRORS,
        hide_suggestions=True,
    )
    if isinstance(values, list):
        return ExecutionResult(None, values)
    return _Run(plan, values, context).start()


def _fast_values(plan: Plan, given: dict[str, Any]) -> VariableValues | None:
    """The variables coerced as graphql-core coerces them, by each one's compiled coercion
    (coerce.py); None where a variable is missing or its value does not coerce, or the plan has
    no coercions, and graphql-core then coerces them all itself, errors and defaults and all."""
    if plan.variables is None:
        return None
    sources: dict[str, VariableValueSource] = {}
    coerced: dict[str, Any] = {}
    for signature, coerce in plan.variables:
        value = given.get(signature.name, Undefined)
        if value is Undefined:
            return None
        result = coerce(value)
        if result is Undefined:
            return None
        sources[signature.name] = VariableValueSource(signature, value)
        coerced[signature.name] = result
    return VariableValues(sources, coerced)


_PLAIN_CAP = 256
_plain: set[type] = {str, int, bool, float, dict, list, tuple, type(None)}


def awaitable(value: Any) -> TypeGuard[Awaitable[Any]]:
    """graphql-core's `is_awaitable`, which checks for `__await__` each time, with the types
    found not to be awaitable remembered (a bounded few: those our resolvers return)."""
    kind = type(value)
    if kind in _plain:
        return False
    if is_awaitable(value):
        return True
    if len(_plain) < _PLAIN_CAP and kind is not GeneratorType:  # one may be a coroutine
        _plain.add(kind)
    return False


_background: set[Future[Any]] = set()  # kept until settled, as graphql-core keeps them


def _settle(values: Sequence[Any]) -> None:
    """Let pending work that lost its reader (a sibling's error propagated past it) finish
    in the background, as graphql-core does, rather than leave it never awaited."""
    pending = [value for value in values if awaitable(value)]
    if pending:
        future = gather(*pending, return_exceptions=True)
        _background.add(future)
        future.add_done_callback(_background.discard)


class _Run:
    __slots__ = ("context", "errors", "helpers", "plan", "values")

    def __init__(self, plan: Plan, values: Any, context: Any) -> None:
        self.plan = plan
        self.values = values
        self.context = context
        self.errors = CollectedErrors()
        self.helpers = GraphQLResolveInfoHelpers(gather=_gather, track=_settle)

    def start(self) -> Any:
        plan = self.plan
        try:
            if plan.serial:
                data: Any = self._serially(plan.fields)
            else:
                data = self._fields(None, None, plan.fields)
        except GraphQLError as error:
            self.errors.add(error, None)
            return self._result(None)
        if awaitable(data):
            return self._finish(data)
        return self._result(data)

    async def _finish(self, data: Awaitable[Any]) -> ExecutionResult:
        try:
            return self._result(await data)
        except GraphQLError as error:
            self.errors.add(error, None)
            return self._result(None)

    def _result(self, data: Any) -> ExecutionResult:
        return ExecutionResult(data, self.errors.errors or None)

    async def _serially(self, fields: tuple[FieldPlan, ...]) -> Any:
        results: dict[str, Any] = {}
        for field in fields:
            result = self._any(None, None, field)
            results[field.key] = await result if awaitable(result) else result
        return results

    def _fields(self, source: Any, path: Path | None, fields: tuple[FieldPlan, ...]) -> Any:
        results: dict[str, Any] = {}
        pending: list[str] = []
        try:
            for field in fields:
                result = self._any(source, path, field)
                results[field.key] = result
                if awaitable(result):
                    pending.append(field.key)
        except Exception:
            _settle([results[key] for key in pending])
            raise
        if not pending:
            return results
        return self._gather_fields(results, pending)

    @staticmethod
    async def _gather_fields(results: dict[str, Any], pending: list[str]) -> dict[str, Any]:
        if len(pending) == 1:
            results[pending[0]] = await results[pending[0]]
        else:
            done = await gather_with_cancel(*(results[key] for key in pending))
            results.update(zip(pending, done, strict=True))
        return results

    def _info(self, field: FieldPlan, path: Path) -> GraphQLResolveInfo[Any]:
        plan = self.plan
        return GraphQLResolveInfo(
            field.nodes[0].name.value,
            field.nodes,
            field.definition.type,
            field.parent,
            path,
            plan.schema,
            dict(plan.fragments),
            None,
            plan.operation,
            self.values,
            self.context,
            awaitable,
            None,
            self.helpers,
        )

    def _any(self, source: Any, parent: Path | None, field: FieldPlan) -> Any:
        if field.definition.resolve is not field.built_from:
            return self._field(source, _path(parent, field), field, self._current(field))
        if field.leaf is not None:
            return self._leaf(source, parent, field)
        return self._field(source, _path(parent, field), field)

    def _current(self, field: FieldPlan) -> Callable[..., Any]:
        """The resolver of a field replaced after its plan was built (a test's spy), as it
        is now, wrapped in the view's middleware: as graphql-core runs it."""
        resolve = field.definition.resolve or default_field_resolver
        middleware = self.plan.middleware
        return resolve if middleware is None else middleware.get_field_resolver(resolve)

    def _field(
        self,
        source: Any,
        path: Path,
        field: FieldPlan,
        replaced: Callable[..., Any] | None = None,
    ) -> Any:
        needs_info = field.needs_info or replaced is not None
        info = self._info(field, path) if needs_info else None
        try:
            result = self._value(source, info, field, replaced)
        except Exception as raw:
            self._error(raw, field.definition.type, field, path)
            return None
        return self._resolved(field, info, path, result)

    def _value(
        self,
        source: Any,
        info: GraphQLResolveInfo[Any] | None,
        field: FieldPlan,
        replaced: Callable[..., Any] | None = None,
    ) -> Any:
        """What the field's resolver (the plan's, or `replaced`) gives, with its arguments."""
        if replaced is None and field.attribute is not None:
            return getattr(source, field.attribute)
        resolve = field.resolve if replaced is None else replaced
        if not field.takes_args:
            return resolve(source, info)
        args = get_argument_values(field.definition, field.nodes[0], self.values, None, True)
        return resolve(source, info, **args)

    def _leaf(self, source: Any, parent: Path | None, field: FieldPlan) -> Any:
        """A leaf field that takes no arguments and reads no `info`: its value, coerced. What
        is not a plain value (null, an error, an awaitable, one that coerces to nothing) goes
        the general way; its path is made only then."""
        try:
            result = self._value(source, None, field)
            plain = not (result is None or result is Undefined or isinstance(result, Exception))
            if plain and not awaitable(result):
                coerced = field.leaf.coerce_output_value(result)  # type: ignore[union-attr]
                if coerced is not None and coerced is not Undefined:
                    return coerced
        except Exception as raw:
            self._error(raw, field.definition.type, field, _path(parent, field))
            return None
        return self._resolved(field, None, _path(parent, field), result)

    def _resolved(
        self, field: FieldPlan, info: GraphQLResolveInfo[Any] | None, path: Path, result: Any
    ) -> Any:
        type_ = field.definition.type
        try:
            if awaitable(result):
                return self._awaited(type_, field, info, path, result)
            completed = self._complete(type_, field, info, path, result)
            if awaitable(completed):
                return self._awaited_completion(type_, field, path, completed)
        except Exception as raw:
            self._error(raw, type_, field, path)
            return None
        return completed

    async def _awaited(
        self,
        type_: GraphQLOutputType,
        field: FieldPlan,
        info: GraphQLResolveInfo[Any] | None,
        path: Path,
        result: Awaitable[Any],
    ) -> Any:
        try:
            completed = self._complete(type_, field, info, path, await result)
            if awaitable(completed):
                return await completed
        except Exception as raw:
            self._error(raw, type_, field, path)
            return None
        return completed

    async def _awaited_completion(
        self, type_: GraphQLOutputType, field: FieldPlan, path: Path, completed: Awaitable[Any]
    ) -> Any:
        try:
            return await completed
        except Exception as raw:
            self._error(raw, type_, field, path)
            return None

    def _error(
        self, raw: Exception, type_: GraphQLOutputType, field: FieldPlan, path: Path
    ) -> None:
        error = located_error(raw, field.nodes, path.as_list())
        if isinstance(type_, GraphQLNonNull):
            raise error
        self.errors.add(error, path)

    def _complete(
        self,
        type_: GraphQLOutputType,
        field: FieldPlan,
        info: GraphQLResolveInfo[Any] | None,
        path: Path,
        result: Any,
    ) -> Any:
        if isinstance(result, Exception):
            raise result
        if isinstance(type_, GraphQLNonNull):
            completed = self._complete(type_.of_type, field, info, path, result)
            if completed is None:
                message = f"Cannot return null for non-nullable field {field.parent}.{field.name}."
                raise TypeError(message)
            return completed
        if result is None or result is Undefined:
            return None
        if isinstance(type_, GraphQLList):
            return self._list(type_, field, info, path, result)
        if is_leaf_type(type_):
            coerced = type_.coerce_output_value(result)
            if coerced is Undefined or coerced is None:
                message = (
                    f"Expected `{inspect(type_)}.coerce_output_value("
                    f"{inspect(result)})` to return non-nullable value, returned:"
                    f" {inspect(coerced)}"
                )
                raise TypeError(message)
            return coerced
        if is_abstract_type(type_):
            info = info or self._info(field, path)
            return self._object(
                self._runtime_type(type_, field, info, result), field, info, path, result
            )
        return self._object(type_, field, info, path, result)  # type: ignore[arg-type]

    def _runtime_type(
        self, type_: Any, field: FieldPlan, info: GraphQLResolveInfo[Any], result: Any
    ) -> GraphQLObjectType:
        resolve_type = type_.resolve_type or default_type_resolver
        name = resolve_type(result, info, type_)
        runtime = self.plan.schema.get_type(name) if isinstance(name, str) else None
        if awaitable(name) or not isinstance(runtime, GraphQLObjectType):
            raise _Unplanned  # not reached by our schema; see _object
        if not self.plan.schema.is_sub_type(type_, runtime):
            message = f"Runtime Object type '{runtime}' is not a possible type for '{type_}'."
            raise GraphQLError(message, field.nodes)
        return runtime

    def _object(
        self,
        type_: GraphQLObjectType,
        field: FieldPlan,
        info: GraphQLResolveInfo[Any] | None,
        path: Path,
        result: Any,
    ) -> Any:
        if type_.is_type_of is not None:
            checked = type_.is_type_of(result, info or self._info(field, path))
            if awaitable(checked):
                raise _Unplanned
            if not checked:
                message = f"Expected value of type '{type_.name}' but got: {inspect(result)}."
                raise GraphQLError(message, field.nodes)
        return self._fields(result, path, field.children[type_.name])

    def _list(
        self,
        type_: GraphQLList[Any],
        field: FieldPlan,
        info: GraphQLResolveInfo[Any] | None,
        path: Path,
        result: Any,
    ) -> Any:
        if not is_iterable(result):
            message = (
                f"Expected Iterable, but did not find one for field '{field.parent}.{field.name}'."
            )
            raise GraphQLError(message)
        item_type = type_.of_type
        completed: list[Any] = []
        pending = False
        for index, item in enumerate(result if isinstance(result, Iterable) else ()):
            item_path = path.add_key(index, None)
            if awaitable(item):
                raise _Unplanned
            try:
                value = self._complete(item_type, field, info, item_path, item)
                if awaitable(value):
                    value = self._awaited_completion(item_type, field, item_path, value)
                    pending = True
            except Exception as raw:
                try:
                    self._error(raw, item_type, field, item_path)
                except Exception:
                    _settle(completed)
                    raise
                value = None
            completed.append(value)
        if not pending:
            return completed
        return _gather_list(completed)


def _path(parent: Path | None, field: FieldPlan) -> Path:
    return Path(parent, field.key, field.parent.name)


async def _gather_list(completed: list[Any]) -> list[Any]:
    indices = [i for i, value in enumerate(completed) if awaitable(value)]
    done = await gather_with_cancel(*(completed[i] for i in indices))
    for index, value in zip(indices, done, strict=True):
        completed[index] = value
    return completed


async def _gather(values: Any) -> list[Any]:
    return await gather_with_cancel(*values)


class _Unplanned(Exception):
    """A value graphql-core would complete in a way the plan does not (an awaitable type
    resolution, `is_type_of`, awaitable list items): the request is answered INTERNAL, and
    the difference test would fail. Our schema reaches none of these."""
