from __future__ import annotations

from dataclasses import dataclass, field

from .problems import Problem


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer to a write: accepted or not, the LPA's uid and version, and problem codes."""

    accepted: bool
    uid: str | None = None
    version: int | None = None
    problems: tuple[Problem, ...] = field(default=())

    @classmethod
    def refused(cls, problems: list[Problem], uid: str | None = None) -> Verdict:
        return cls(accepted=False, uid=uid, problems=tuple(problems))
