"""What the audit trail and the request log learn about one request.

Invariant: only identifiers and outcomes go in here (client, sub, operation name, a hash of
the document and, for a trusted one, its id, the decision, LPA UIDs), never a value from the
request body or the answer.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.authz.tokens import Identity
from app.db.audit import REQUEST
from app.graphql.outline import Outline

from .documents import Chosen

_GRAPHQL_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")


@dataclass(slots=True)
class Trail:
    request_id: str = field(default_factory=lambda: secrets.token_hex(16))  # 32 hex digits
    started: float = field(default_factory=time.perf_counter)
    identity: Identity | None = None
    operation_name: str | None = None
    document_hash: str | None = None
    document_id: str | None = None  # `sha256:<hex>` when the document is one the client trusts
    decision: str = "denied"
    reason: str | None = None
    uids: set[str] = field(default_factory=set)
    root_field: str = "-"  # the root field selected, `multiple`, or `-` before a valid document
    mutation: bool = False  # a valid mutation document: audited before it is answered

    def saw_document(self, chosen: Chosen, operation_name: str | None) -> None:
        self.document_hash = chosen.hash
        self.document_id = chosen.trusted.id if chosen.trusted else None
        if operation_name is not None and _GRAPHQL_NAME.fullmatch(operation_name):
            self.operation_name = operation_name

    def saw_valid_document(self, outlined: Outline) -> None:
        """Name the operation (from the document when the request did not) and its root field."""
        self.mutation = outlined.mutation
        if self.operation_name is None:
            self.operation_name = outlined.name
        self.root_field = outlined.root_field

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
            "document_id": self.document_id,
            "decision": self.decision,
            "reason": self.reason,
            "lpa_uids": sorted(self.uids),
            "duration_ms": self.duration_ms,
        }
