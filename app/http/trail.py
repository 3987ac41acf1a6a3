"""What the audit trail and the request log learn about one request.

Invariant: only identifiers and outcomes go in here (client, sub, operation name, a hash of
the document, the decision, LPA UIDs), never a value from the request body or the answer.
"""

from __future__ import annotations

import hashlib
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

from app.authz.tokens import Identity
from app.db.audit import REQUEST

_GRAPHQL_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")


@dataclass(slots=True)
class Trail:
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    started: float = field(default_factory=time.perf_counter)
    identity: Identity | None = None
    operation_name: str | None = None
    document_hash: str | None = None
    decision: str = "denied"
    reason: str | None = None
    uids: set[str] = field(default_factory=set)
    root_field: str = "-"  # the root field selected, `multiple`, or `-` before a valid document

    def saw_document(self, query: str, operation_name: str | None) -> None:
        self.document_hash = hashlib.sha256(query.encode()).hexdigest()
        if operation_name is not None and _GRAPHQL_NAME.fullmatch(operation_name):
            self.operation_name = operation_name

    def saw_valid_document(self, document: DocumentNode, operation_name: str | None) -> None:
        """Name the operation (from the document when the request did not) and its root field."""
        operation = _operation(document, operation_name)
        if operation is None:
            return
        if self.operation_name is None and operation.name is not None:
            self.operation_name = operation.name.value
        fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        names = _root_fields(operation.selection_set, fragments)
        self.root_field = names.pop() if len(names) == 1 else "multiple" if names else "-"

    def deny(self, reason: str) -> None:
        self.decision, self.reason = "denied", reason

    def allow(self) -> None:
        self.decision, self.reason = "allowed", None

    @property
    def duration_ms(self) -> float:
        return round((time.perf_counter() - self.started) * 1000, 3)

    def row(self) -> dict[str, Any]:
        return {
            "occurred_at": datetime.now(UTC),
            "kind": REQUEST,
            "request_id": self.request_id,
            "client": self.identity.client if self.identity else None,
            "sub": self.identity.sub if self.identity else None,
            "operation_name": self.operation_name,
            "document_hash": self.document_hash,
            "decision": self.decision,
            "reason": self.reason,
            "lpa_uids": sorted(self.uids),
            "duration_ms": self.duration_ms,
        }


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
