"""Storing a new LPA: its rows, its anomalies, its first history row and outbox event."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.history import record_change
from app.db.lpa_store import insert_anomalies, insert_lpa

from .assembly import actor_records, lpa_row
from .draft import LpaDraft
from .enums import LpaStatus
from .history import field_changes
from .problems import Problem

CREATE = "CREATE"


async def store_lpa(
    conn: AsyncConnection,
    draft: LpaDraft,
    *,
    uid: str,
    client: str,
    author: str,
    at: datetime,
    anomalies: list[Problem],
    status: LpaStatus = LpaStatus.IN_PROGRESS,
    registration_date: date | None = None,
) -> int:
    row = lpa_row(draft, uid=uid, client=client, at=at)
    row.update(status=status, registration_date=registration_date)
    lpa_id = await insert_lpa(conn, row, actor_records(draft))
    await insert_anomalies(conn, lpa_id, ((p.source, p.code) for p in anomalies), at)
    await record_change(
        conn,
        lpa_id=lpa_id,
        uid=uid,
        version=1,
        change_type=CREATE,
        author=author,
        fields=cast(list[dict[str, Any]], field_changes(None, draft)),
        at=at,
    )
    return lpa_id
