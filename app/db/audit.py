"""The audit trail: append-only, one row per request and per oracle lockout."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import bindparam, insert

from .models import AuditEvent, table
from .prepared import Prepared

audit_events = table(AuditEvent)

REQUEST = "request"
ORACLE_LOCKOUT = "oracle-lockout"

_INSERT = Prepared(
    insert(audit_events)
    .values({c.key: bindparam(c.key) for c in audit_events.columns if not c.primary_key})
    .inline()
)

# Columns a row may leave out: only a request that ran a trusted document has a document_id.
_OPTIONAL: Mapping[str, Any] = {"document_id": None}


class Inserts(Protocol):
    """Where audit rows go: the worker's prepared statements (`Statements`), or the audit
    batch's own connection (`AuditConnection`)."""

    async def insert_all(self, prepared: Prepared, rows: Sequence[Mapping[str, Any]]) -> None: ...


async def write_rows(into: Inserts, events: Sequence[Mapping[str, Any]]) -> None:
    """Write the rows, all or none, in one statement."""
    await into.insert_all(_INSERT, [{**_OPTIONAL, **event} for event in events])


async def record(into: Inserts, event: Mapping[str, Any]) -> None:
    await write_rows(into, [event])
