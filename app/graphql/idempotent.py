"""Run a mutation at most once per (client, idempotency key), in one transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.exc import IntegrityError

from app.db.repository import LpaRepository, Remembered
from app.domain import caps
from app.domain.canonical import digest
from app.domain.verdict import Verdict

from .context import RequestContext
from .errors import BadUserInput, IdempotencyKeyReused

Work = Callable[[LpaRepository], Awaitable[Verdict]]


async def run_once(
    ctx: RequestContext, operation: str, payload: Any, key: str, work: Work
) -> Verdict:
    """The verdict of `work`, or of its first run under the same key.

    The work, its history and outbox rows, and the remembered answer commit together or not
    at all. Two concurrent requests with one key both may run the work, but only one commits:
    the other's insert of the answer fails on the primary key, it rolls back, and it answers
    what the first stored.
    """
    if not key or len(key) > caps.IDEMPOTENCY_KEY or not key.isprintable():
        raise BadUserInput("idempotencyKey must be 1 to 255 printable characters")
    if not ctx.replay_idempotent:
        # Test-only (LPA_GATEWAY_UNSAFE_DISABLE_IDEMPOTENCY, refused in production): every
        # retry runs the work again, so the fault storm's negative control can show duplicates.
        async with ctx.repository.transaction() as lpas:
            return await work(lpas)
    request_hash = digest({"operation": operation, "payload": payload})
    try:
        async with ctx.repository.transaction() as lpas:
            seen = await lpas.recall(key)
            if seen is not None:
                return _replay(seen, request_hash)
            verdict = await work(lpas)
            await lpas.remember(key, request_hash, verdict, ctx.now())
    except IntegrityError:
        seen = await ctx.repository.recall(key)
        if seen is None:
            raise
        return _replay(seen, request_hash)
    return verdict


def _replay(seen: Remembered, request_hash: str) -> Verdict:
    if seen.request_hash != request_hash:
        raise IdempotencyKeyReused("this idempotencyKey was used for a different request")
    return seen.verdict
