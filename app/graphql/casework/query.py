from __future__ import annotations

from datetime import datetime

import strawberry

from app.db.repository.reads import events_after, visible_lpa_row

from ..context import RequestContext
from ..scalars import LpaUid
from .record import MAX_PAGE, Lpa, page_size

Info = strawberry.Info[RequestContext, None]


async def lpa(info: Info, uid: LpaUid) -> Lpa | None:
    """The full record of an LPA, for caseworkers. Null when unknown or not visible."""
    ctx = info.context
    row = await visible_lpa_row(ctx.lagging_statements, uid, ctx.rows, ctx.identity.client)
    if row is None:
        return None
    ctx.touched_uids.add(uid)
    return Lpa.of(row)


@strawberry.type
class LpaEvent:
    cursor: int
    uid: LpaUid
    change_type: str
    created_at: datetime


@strawberry.type
class LpaEventPage:
    events: list[LpaEvent]
    next_cursor: int = strawberry.field(description="Pass as `after` to read on from here.")


async def lpa_events(info: Info, after: int = 0, first: int = MAX_PAGE) -> LpaEventPage:
    """`lpa-updated` events from the outbox after `cursor`, oldest first, at most 100."""
    limit = page_size(first)
    async with info.context.lagging_reads.connect() as conn:
        rows = await events_after(conn, after, limit)
    events = [
        LpaEvent(cursor=r.id, uid=LpaUid(r.uid), change_type=r.change_type, created_at=r.created_at)
        for r in rows
    ]
    return LpaEventPage(events=events, next_cursor=events[-1].cursor if events else after)
