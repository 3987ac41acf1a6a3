"""Counts the work of validation instead of timing it: the Python lines executed in
graphql-core and in our own rules, by module. Every node a rule visits, every pair of fields
it compares and every turn of any loop executes at least one line, so a count that stays
under a fixed multiple of a document's tokens shows the work does too, on any machine.

The meter stops the measured code (WorkExceeded) as soon as the count passes its ceiling, so
a rule that explodes fails its test at once rather than running for hours.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import graphql

import app.graphql

GRAPHQL_CORE = str(Path(graphql.__file__).parent)
OURS = {str(Path(app.graphql.__file__).parent / f"{name}.py") for name in ("limits", "overlap")}


class WorkExceeded(Exception):
    pass


class WorkMeter:
    def __init__(self, ceiling: int) -> None:
        self.ceiling = ceiling
        self.lines: Counter[str] = Counter()  # module, relative to its package -> lines
        self.total = 0
        self._modules: dict[str, str | None] = {}

    def module(self, filename: str) -> str | None:
        """The name lines of `filename` are counted under, or None when not counted."""
        if filename not in self._modules:
            if filename.startswith(GRAPHQL_CORE):
                self._modules[filename] = "graphql" + filename[len(GRAPHQL_CORE) :]
            elif filename in OURS:
                self._modules[filename] = "app/graphql/" + Path(filename).name
            else:
                self._modules[filename] = None
        return self._modules[filename]

    def _call(self, frame: FrameType, event: str, _arg: Any) -> Callable[..., Any] | None:
        module = self.module(frame.f_code.co_filename)
        if module is None:
            return None

        def line(_frame: FrameType, event: str, _arg: Any) -> Callable[..., Any]:
            if event == "line":
                self.lines[module] += 1
                self.total += 1
                if self.total > self.ceiling:
                    raise WorkExceeded(f"more than {self.ceiling} lines")
            return line

        return line

    @contextmanager
    def counting(self) -> Iterator[WorkMeter]:
        previous = sys.gettrace()
        sys.settrace(self._call)
        try:
            yield self
        finally:
            sys.settrace(previous)

    def of(self, prefix: str) -> int:
        return sum(n for module, n in self.lines.items() if module.startswith(prefix))
