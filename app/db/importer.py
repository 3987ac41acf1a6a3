"""Loading LPAs from OPG's LPA store, one JSON object a line (`lpa-gateway import`).

Each line is read (`app.domain.store_format`), judged by the create decision `createLpa` uses,
and stored whole or not at all: the LPA, its people, its anomalies, its IMPORT history row and
its outbox event. A batch of lines is written in one transaction; if any of it fails, each of
its LPAs is written again in a transaction of its own, so one bad line costs only itself. An
LPA whose uid is already stored is left as it is, so a second run changes nothing. A refusal
names the line, a pointer and a code, never a value.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.codes import ProblemCode
from app.domain.create import CreateDecision, decide_create
from app.domain.imported import IMPORTER, imported_lpa
from app.domain.problems import Problem, pointer
from app.domain.store_format import StoreRecord, read_line

from .in_transaction import InTransaction
from .repository import create_lpa
from .repository.store import lpas, taken_actor_ids

IMPORT = "IMPORT"  # the change type of an imported LPA's first history row
BATCH = 200  # lines whose uids are looked up in one query


@dataclass(frozen=True, slots=True)
class Refusal:
    line: int  # 1-based
    problem: Problem


@dataclass(slots=True)
class ImportSummary:
    imported: int = 0
    present: int = 0
    refused: list[Refusal] = field(default_factory=list)

    def refuse(self, line: int, problems: Iterable[Problem]) -> None:
        self.refused.extend(Refusal(line, p) for p in problems)

    @property
    def refused_lines(self) -> int:
        return len({r.line for r in self.refused})


async def import_lines(
    engine: AsyncEngine,
    lines: Iterable[bytes],
    now: Callable[[], datetime],
    on_line: Callable[[], None] = lambda: None,
) -> ImportSummary:
    """Import every line; `on_line` is called once each is done. Blank lines are skipped."""
    summary = ImportSummary()
    numbered = ((n, line) for n, line in enumerate(lines, 1) if line.strip())
    for batch in _batches(numbered):
        await _import_batch(engine, batch, now(), summary)
        for _ in batch:
            on_line()
    return summary


async def _import_batch(
    engine: AsyncEngine, batch: list[tuple[int, bytes]], at: datetime, summary: ImportSummary
) -> None:
    read = [(n, read_line(line)) for n, line in batch]
    stored = await _stored_uids(engine, [r.uid for _, r in read if isinstance(r, StoreRecord)])
    ready: dict[str, _Ready] = {}
    again: list[tuple[int, StoreRecord]] = []  # a uid a line above in this batch already has
    for n, record in read:
        if isinstance(record, list):
            summary.refuse(n, record)
        elif record.uid in stored:
            summary.present += 1
        elif record.uid in ready:
            again.append((n, record))
        else:
            decision = decide_create(record.draft, at)
            if decision.accepted:
                ready[record.uid] = _Ready(n, record, decision, at)
            else:
                summary.refuse(n, decision.refusals)
    if not await _write_all(engine, list(ready.values())):
        for item in ready.values():  # one failed: each alone, so the others still go in
            problems = await _write_one(engine, item)
            if problems:
                summary.refuse(item.line, problems)
            else:
                stored.add(item.record.uid)
    else:
        stored.update(ready)
    summary.imported += len([u for u in ready if u in stored])
    for n, record in again:
        if record.uid in stored:
            summary.present += 1
        else:
            summary.refuse(n, [Problem(pointer("uid"), ProblemCode.DUPLICATE)])


@dataclass(frozen=True, slots=True)
class _Ready:
    """A line the create decision accepted, to be written."""

    line: int
    record: StoreRecord
    decision: CreateDecision
    at: datetime

    def store(self, tx: InTransaction) -> Awaitable[int]:
        lpa = imported_lpa(self.record, self.decision.draft, self.at, self.decision.defaulted)
        problems = list(self.decision.problems)
        return create_lpa(tx, lpa, author=IMPORTER, anomalies=problems, change_type=IMPORT)


async def _write_all(engine: AsyncEngine, items: list[_Ready]) -> bool:
    """Every item in one transaction (one commit, not one each); False, with nothing written,
    if any actor UID is taken or any write fails."""
    given = [uid for item in items for uid in item.record.held.given_uids()]
    if len(set(given)) < len(given):
        return False
    try:
        async with engine.begin() as conn:
            tx = await InTransaction.of(conn)
            if await taken_actor_ids(tx, given):
                raise _Rollback
            for item in items:
                await item.store(tx)
    except (_Rollback, IntegrityError):
        return False
    return True


async def _write_one(engine: AsyncEngine, item: _Ready) -> list[Problem]:
    given = item.record.held.given_uids()
    try:
        async with engine.begin() as conn:
            tx = await InTransaction.of(conn)
            taken = await taken_actor_ids(tx, given)
            if taken:
                raise _Rollback(sorted(Problem(given[t], ProblemCode.DUPLICATE) for t in taken))
            await item.store(tx)
    except _Rollback as rollback:
        return rollback.problems
    except IntegrityError:
        # Another writer stored this uid (or one of these actors) since the lookup, or one
        # actor UID is given twice on the line.
        return [Problem(pointer("uid"), ProblemCode.DUPLICATE)]
    return []


class _Rollback(Exception):
    def __init__(self, problems: list[Problem] | None = None) -> None:
        super().__init__()
        self.problems = problems or []


async def _stored_uids(engine: AsyncEngine, uids: list[str]) -> set[str]:
    if not uids:
        return set()
    async with engine.connect() as conn:
        found = await conn.execute(select(lpas.c.uid).where(lpas.c.uid.in_(uids)))
        return set(found.scalars())


def _batches(
    numbered: Iterator[tuple[int, bytes]],
) -> Iterator[list[tuple[int, bytes]]]:
    while batch := list(islice(numbered, BATCH)):
        yield batch
