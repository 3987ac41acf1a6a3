from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .codes import ProblemCode


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """Why a write was refused, or why an LPA cannot proceed.

    `source` is a JSON pointer into the input or the LPA (camelCase, as the API spells it) and
    `code` a stable machine code. A problem never carries the offending value: the writer
    already has it, and nobody else should.
    """

    source: str
    code: ProblemCode


def pointer(*parts: str | int) -> str:
    """The one way to spell a JSON pointer: snake_case names and positions in, camelCase out."""
    return "".join("/" + _camel(p) if isinstance(p, str) else f"/{p}" for p in parts)


@lru_cache(maxsize=1024)  # names of the schema's own fields: a small, fixed vocabulary
def segment(name: str) -> str:
    """`pointer(name)` of one name, worked out once: the history spells thousands."""
    return "/" + _camel(name)


@lru_cache(maxsize=1024)  # names of the schema's own fields: a small, fixed vocabulary
def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.capitalize() for word in rest)
