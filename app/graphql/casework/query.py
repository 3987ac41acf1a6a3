from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from ..context import RequestContext
from ..scalars import LpaUid
from .record import MAX_PAGE, PEOPLE_FIELDS, Lpa, page_size
from .selection import selects_any

Info = strawberry.Info[RequestContext, None]


async def lpa(info: Info, uid: LpaUid) -> Lpa | None:
    """The full record of an LPA, for caseworkers. Null when unknown or not visible. Where
    the selection reaches its people, they are read with its row, on one pooled connection."""
    ctx = info.context
    people: list[dict[str, Any]] | Exception | None = None
    if selects_any(info, PEOPLE_FIELDS):
        found = await ctx.repository.lpa_with_people(uid)
        row, people = (None, None) if found is None else found
    else:
        row = await ctx.repository.lpa_row(uid)
    if row is None:
        return None
    ctx.touched_uids.add(uid)
    return Lpa.of(row, people)


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
    rows = await info.context.repository.events_after(after, limit)
    events = [
        LpaEvent(cursor=r.id, uid=LpaUid(r.uid), change_type=r.change_type, created_at=r.created_at)
        for r in rows
    ]
    return LpaEventPage(events=events, next_cursor=events[-1].cursor if events else after)
