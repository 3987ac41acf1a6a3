"""docs/problem-codes.md lists every problem code, anomaly code and change type in the code."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "problem-codes.md").read_text()
SOURCES = [*(ROOT / "app" / "domain").rglob("*.py"), *(ROOT / "app" / "graphql").rglob("*.py")]
CONSTANT = re.compile(r'^([A-Z][A-Z0-9_]+) = "\1"$', re.MULTILINE)
LITERAL = re.compile(r'(?:LpaChange\(|Problem\("[^"]*", )\s*"([A-Z][A-Z0-9_]+)"')


def codes_in_code() -> set[str]:
    found: set[str] = set()
    for path in SOURCES:
        text = path.read_text()
        found.update(CONSTANT.findall(text))
        found.update(LITERAL.findall(text))
    return found


def test_every_code_is_documented() -> None:
    codes = codes_in_code()
    assert len(codes) > 40
    assert sorted(c for c in codes if f"`{c}`" not in DOC) == []


def test_the_scan_finds_codes() -> None:
    assert {"UNDER_18", "CONFLICT", "NOT_SIGNED", "WITHDRAW", "NOT_FOUND"} <= codes_in_code()
