"""The append-only change history and the outbox, written with the change they describe."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .in_transaction import InTransaction
from .inserts import RowInsert
from .models import Change, OutboxEvent, table

changes = table(Change)
outbox = table(OutboxEvent)

LPA_UPDATED = "lpa-updated"
_INSERT_CHANGE = RowInsert(changes)
_INSERT_EVENT = RowInsert(outbox)


async def record_change(
    tx: InTransaction,
    *,
    lpa_id: int,
    uid: str,
    version: int,
    change_type: str,
    author: str,
    fields: list[dict[str, Any]],
    at: datetime,
) -> None:
    change = {
        "lpa_id": lpa_id,
        "lpa_version": version,
        "change_type": change_type,
        "author": author,
        "applied_at": at,
        "fields": fields,
    }
    await tx.insert(_INSERT_CHANGE, [change])
    event = {"event_type": LPA_UPDATED, "uid": uid, "change_type": change_type, "created_at": at}
    await tx.insert(_INSERT_EVENT, [event])
