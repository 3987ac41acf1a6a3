from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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

    def to_json(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "uid": self.uid,
            "version": self.version,
            "problems": [{"source": p.source, "code": p.code} for p in self.problems],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Verdict:
        return cls(
            accepted=bool(data["accepted"]),
            uid=data["uid"],
            version=data["version"],
            problems=tuple(Problem(p["source"], p["code"]) for p in data["problems"]),
        )
