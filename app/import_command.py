"""`lpa-gateway import FILE`: load LPAs in OPG's LPA store JSON, one a line.

A progress bar goes to stderr only when stderr is a terminal. The run ends with one line per
refused problem (`line N: POINTER CODE`, or `line N: CODE` for the line as a whole; never a
value) and a summary on stdout; it exits 0
when no line was refused and 1 otherwise. A file that cannot be read is one line on stderr and
exit status 2 (`app.cli`), before anything is written.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, TextIO

from sqlalchemy.exc import SQLAlchemyError

from app.db.availability import database_unavailable
from app.db.engine import create_engine
from app.db.importer import ImportSummary, import_lines
from app.domain.store_format import MAX_LINE
from app.settings import Settings

BAR_WIDTH = 30
REDRAW_SECONDS = 0.1


class ImportRefused(Exception):
    """The import cannot run at all; the message names why, never a value."""


class Progress:
    """A bar redrawn in place on a terminal, at most every REDRAW_SECONDS."""

    def __init__(self, stream: TextIO, total: int) -> None:
        self.stream, self.total, self.done = stream, total, 0
        self._drawn_at = 0.0

    def step(self) -> None:
        self.done += 1
        now = time.monotonic()
        if self.done == self.total or now - self._drawn_at >= REDRAW_SECONDS:
            self._drawn_at = now
            self.draw()

    def draw(self) -> None:
        filled = BAR_WIDTH * self.done // max(self.total, 1)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        self.stream.write(f"\r[{bar}] {self.done}/{self.total}")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


def run(path: Path, settings: Settings, out: TextIO, err: TextIO) -> int:
    try:
        source = path.open("rb")
    except OSError as error:
        raise ImportRefused(f"cannot read {path}: {error.strerror or error}") from None
    with source:
        progress = Progress(err, _count_lines(source)) if err.isatty() else None
        source.seek(0)
        try:
            summary = asyncio.run(_import(settings, _lines(source), progress))
        except (OSError, SQLAlchemyError) as error:
            raise ImportRefused(_database_failure(error)) from None
    if progress is not None:
        progress.close()
    report(summary, out)
    return 1 if summary.refused else 0


def report(summary: ImportSummary, out: TextIO) -> None:
    for refusal in summary.refused:
        where = f"{refusal.problem.source} " if refusal.problem.source else ""
        print(f"line {refusal.line}: {where}{refusal.problem.code}", file=out)
    print(
        f"imported {summary.imported}, already present {summary.present}, "
        f"refused {summary.refused_lines}",
        file=out,
    )


async def _import(
    settings: Settings, lines: Iterator[bytes], progress: Progress | None
) -> ImportSummary:
    engine = create_engine(settings, pool_size=1)
    try:
        return await import_lines(
            engine,
            lines,
            now=lambda: datetime.now(UTC),
            on_line=progress.step if progress is not None else lambda: None,
        )
    finally:
        await engine.dispose()


def _database_failure(error: Exception) -> str:
    if database_unavailable(error):
        return "the database is out of reach; run the import again once it is back"
    cause = type(getattr(error, "orig", None) or error).__name__
    return f"the database refused the import ({cause}); is it migrated (lpa-gateway migrate)?"


def _count_lines(source: BinaryIO) -> int:
    return sum(1 for line in _lines(source) if line.strip())


def _lines(source: BinaryIO) -> Iterator[bytes]:
    """Each line, but never more than MAX_LINE + 1 bytes of one: the rest of a longer line is
    skipped, and what is kept is too long to be read as an LPA."""
    while line := source.readline(MAX_LINE + 1):
        yield line
        while len(line) > MAX_LINE and not line.endswith(b"\n"):
            line = source.readline(MAX_LINE + 1)
