"""docs/problem-codes.md and the code agree: every ProblemCode and every change type is
documented, every code the document's tables name is a ProblemCode, and no problem is built
from a string literal, so the enum stays the one list of codes."""

from __future__ import annotations

import re
from pathlib import Path

from app.db.repository import CREATE
from app.domain.changes import EVENTS
from app.domain.codes import ProblemCode

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "problem-codes.md").read_text()
FIRST_CELL = re.compile(r"^\| ([^|]*) \|", re.MULTILINE)
TICKED = re.compile(r"`([A-Z][A-Z0-9_]+)`")
LITERAL_CODE = re.compile(r'Problem\([^()]*,\s*"[A-Z][A-Z0-9_]+"\)')


def documented_codes(doc: str) -> set[str]:
    """The codes in the first column of the document's tables."""
    return {code for cell in FIRST_CELL.findall(doc) for code in TICKED.findall(cell)}


def literal_codes(root: Path) -> list[str]:
    return [
        f"{path.relative_to(root)}: {match}"
        for path in sorted(root.rglob("*.py"))
        for match in LITERAL_CODE.findall(path.read_text())
    ]


def test_every_problem_code_is_documented() -> None:
    assert [c.value for c in ProblemCode if f"`{c.value}`" not in DOC] == []


def test_every_change_type_is_documented() -> None:
    assert sorted(e for e in {*EVENTS, CREATE} if f"`{e}`" not in DOC) == []


def test_every_documented_code_is_a_problem_code() -> None:
    codes = documented_codes(DOC)
    assert len(codes) > 30
    assert sorted(codes - set(ProblemCode)) == []


def test_no_problem_is_built_from_a_string_literal() -> None:
    assert literal_codes(ROOT / "app") == []


def test_the_checks_see_what_they_look_for(tmp_path: Path) -> None:
    doc = "| `NOT_FOUND` / `MADE_UP` | `/uid` | x |\n| rule codes | x | x |\n"
    assert documented_codes(doc) == {"NOT_FOUND", "MADE_UP"}
    (tmp_path / "leak.py").write_text('p = Problem("/uid", "NOT_FOUND")\n')
    assert literal_codes(tmp_path) == ['leak.py: Problem("/uid", "NOT_FOUND")']
