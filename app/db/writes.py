"""Writing LPAs: the rows of a change, its history row and outbox event, and the anomalies it
raises, all in the caller's transaction."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.anomalies import safeguarding
from app.domain.canonical import jsonable
from app.domain.draft import LpaDraft
from app.domain.enums import LpaStatus
from app.domain.history import field_changes
from app.domain.problems import Problem, pointer
from app.domain.state import LpaChange, LpaState, actor_pointer

from .assembly import actor_records, lpa_row
from .history import record_change
from .lpa_reads import lpa_by_id, people_of_one
from .lpa_store import (
    anomaly_keys,
    bump_version,
    insert_anomalies,
    insert_lpa,
    insert_rows,
    resolve_anomalies,
    update_actor,
    update_lpa,
)

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
    raised = list(dict.fromkeys((p.source, p.code) for p in anomalies))  # in order, once each
    await insert_anomalies(conn, lpa_id, raised, at)
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
    await refresh_anomalies(conn, lpa_id, at, known=set(raised))
    return lpa_id


async def apply_change(
    conn: AsyncConnection, state: LpaState, change: LpaChange, *, author: str, at: datetime
) -> int | None:
    """Write `change`; the new version, or None when another writer got there first."""
    lpa_id, version = state.lpa["id"], state.lpa["version"]
    if not await bump_version(conn, lpa_id, version, at):
        return None
    if change.lpa:
        await update_lpa(conn, lpa_id, change.lpa)
    for actor_id, values in change.actors.items():
        await update_actor(conn, actor_id, values)
    for table_name, row in change.added:
        await insert_rows(conn, table_name, [row])
    if change.resolved_anomalies:
        await resolve_anomalies(conn, lpa_id, change.resolved_anomalies, at, author)
    await record_change(
        conn,
        lpa_id=lpa_id,
        uid=state.lpa["uid"],
        version=version + 1,
        change_type=change.change_type,
        author=author,
        fields=history_of(state, change),
        at=at,
    )
    await refresh_anomalies(conn, lpa_id, at)
    return int(version) + 1


async def refresh_anomalies(
    conn: AsyncConnection, lpa_id: int, at: datetime, known: set[tuple[str, str]] | None = None
) -> None:
    """Store every safeguarding signal the LPA now shows that was never raised before.
    `known`: the anomalies it already has, when the caller has just written all of them."""
    lpa = await lpa_by_id(conn, lpa_id)
    people = await people_of_one(conn, lpa_id)
    state = LpaState(dict(lpa._mapping), [dict(p._mapping) for p in people])
    if known is None:
        known = await anomaly_keys(conn, lpa_id)
    found = {(p.source, p.code) for p in safeguarding(state, at.date())}
    await insert_anomalies(conn, lpa_id, sorted(found - known), at)


def history_of(state: LpaState, change: LpaChange) -> list[dict[str, Any]]:
    fields: list[dict[str, Any]] = []
    for column, new in change.lpa.items():
        _changed(fields, pointer(column), state.lpa[column], new)
    actors = {p["id"]: p for p in state.people}
    for actor_id, values in change.actors.items():
        actor = actors[actor_id]
        for column, new in values.items():
            path = (
                ("address", column.removeprefix("address_"))
                if column.startswith("address_")
                else (column,)
            )
            _changed(fields, actor_pointer(actor, *path), actor[column], new)
    for table_name, row in change.added:
        fields.append({"field": pointer(table_name) + "/-", "old": None, "new": jsonable(row)})
    for source, code in change.resolved_anomalies:
        fields.append({"field": f"/anomalies{source}/{code}", "old": "detected", "new": "resolved"})
    return fields


def _changed(fields: list[dict[str, Any]], at: str, old: Any, new: Any) -> None:
    if old != new:
        fields.append({"field": at, "old": jsonable(old), "new": jsonable(new)})
