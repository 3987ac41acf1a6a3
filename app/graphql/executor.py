"""Parse, validate and execute documents against one schema view, caching the first two.

The cache key is the exact document text, and each view has its own executor, so a document
validated for one client's view is never reused for another's.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from functools import lru_cache
from inspect import isawaitable
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    MiddlewareManager,
    execute,
    parse,
    recommended_rules,
    specified_rules,
    validate,
)

from .outline import NO_OPERATION, Outline, outline
from .overlap import bounded

DOCUMENT_CACHE_SIZE = 1024
MAX_OUTLINES = 8  # operation names remembered per document
MAX_ERRORS = 10  # a hostile document gets a short answer, however much is wrong with it


@dataclass(frozen=True, slots=True)
class Prepared:
    document: DocumentNode | None
    errors: tuple[GraphQLError, ...]
    _outlines: dict[str | None, Outline] = field(default_factory=dict, compare=False)

    def outline(self, operation_name: str | None) -> Outline:
        """The outline of a valid document's operation, worked out once per name."""
        if self.document is None:
            return NO_OPERATION
        found = self._outlines.get(operation_name)
        if found is None:
            found = outline(self.document, operation_name)
            if len(self._outlines) < MAX_OUTLINES:  # names come from the caller: bounded
                self._outlines[operation_name] = found
        return found


class Executor:
    def __init__(
        self,
        schema: GraphQLSchema,
        *,
        max_tokens: int,
        extra_rules: Collection[type[ASTValidationRule]] = (),
        middleware: Collection[object] = (),
    ) -> None:
        self.schema = schema
        self._max_tokens = max_tokens
        # recommended_rules bound circular introspection (types -> fields -> type -> ...)
        self._rules = bounded((*specified_rules, *recommended_rules, *extra_rules))
        # Built once: the manager remembers each field's wrapped resolver across requests.
        self._middleware = MiddlewareManager(*middleware) if middleware else None
        self.prepare = lru_cache(maxsize=DOCUMENT_CACHE_SIZE)(self._prepare)

    def _prepare(self, source: str) -> Prepared:
        try:
            document = parse(source, max_tokens=self._max_tokens)
        except GraphQLError as error:
            return Prepared(None, (error,))
        errors = validate(
            self.schema, document, self._rules, max_errors=MAX_ERRORS, hide_suggestions=True
        )
        return Prepared(None if errors else document, tuple(errors))

    async def run(
        self,
        document: DocumentNode,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        context: Any,
    ) -> ExecutionResult:
        result = execute(
            self.schema,
            document,
            context_value=context,
            variable_values=variables,
            operation_name=operation_name,
            hide_suggestions=True,
            middleware=self._middleware,
        )
        if isawaitable(result):
            return await result
        return result
