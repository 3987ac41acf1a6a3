"""Plans of one view: built once per (document, operation name) and kept, at most `size` of
them, least recently used first out. Trusted documents get theirs at start-up
(app/graphql/trusted.py); ad-hoc documents on first use. A document the compiler leaves to
graphql-core is remembered as such (None), so it is not compiled again.
"""

from __future__ import annotations

from collections import OrderedDict

from graphql import DocumentNode, GraphQLSchema, MiddlewareManager

from .compiler import Allows, Plan, compile_plan
from .direct import DirectResolvers

PLAN_CACHE_SIZE = 512


class Plans:
    def __init__(
        self,
        schema: GraphQLSchema,
        allows: Allows,
        middleware: MiddlewareManager | None,
        size: int = PLAN_CACHE_SIZE,
        direct: DirectResolvers | None = None,
    ) -> None:
        self._schema = schema
        self._allows = allows
        self._middleware = middleware
        self._direct = direct
        self._size = size
        self._kept: OrderedDict[tuple[int, str | None], tuple[DocumentNode, Plan | None]] = (
            OrderedDict()
        )

    def __len__(self) -> int:
        return len(self._kept)

    def build(self, document: DocumentNode, operation_name: str | None) -> Plan | None:
        """A plan, built now and not kept (a trusted document keeps its own)."""
        return compile_plan(
            self._schema, document, operation_name, self._allows, self._middleware, self._direct
        )

    def get(self, document: DocumentNode, operation_name: str | None) -> Plan | None:
        # keyed by the parsed document's identity, which the view's document cache keeps
        # for the same text; the document itself is held so the identity stays its own
        key = (id(document), operation_name)
        kept = self._kept.get(key)
        if kept is not None and kept[0] is document:
            self._kept.move_to_end(key)
            return kept[1]
        plan = self.build(document, operation_name)
        self._kept[key] = (document, plan)
        if len(self._kept) > self._size:
            self._kept.popitem(last=False)
        return plan
