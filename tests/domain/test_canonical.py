"""Canonical JSON works out each type's spelling once (app/domain/canonical.py); the spelling
must be the one the value-by-value walk gave: the request hashes kept with idempotency keys and
the history rows depend on it, byte for byte."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, fields, is_dataclass
from datetime import UTC, date, datetime
from enum import Enum, StrEnum
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.assemble import new_lpa
from app.domain.canonical import digest, jsonable
from app.domain.create import decide_create
from app.domain.draft import LpaDraft
from app.domain.history import _shown, lpa_changes
from app.domain.problems import pointer, segment
from app.domain.records import Lpa
from tests.domain.strategies import TODAY, lpa_drafts

NOW = datetime(TODAY.year, TODAY.month, TODAY.day, 12, tzinfo=UTC)


def _new(draft: LpaDraft) -> Lpa:
    return new_lpa(
        decide_create(draft, NOW, set()).draft, uid="M-0000-0000-0000", client="c", at=NOW
    )


def _walked(value: Any) -> Any:
    """The walk canonical JSON made before: every value's type asked afresh, in this order."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return _walked(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _walked(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {str(k): _walked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_walked(v) for v in value]
    raise TypeError(f"no JSON form for {type(value).__name__}")


def _same(before: Any, after: Any) -> None:
    assert type(before) is type(after)
    if isinstance(before, dict):
        assert list(before) == list(after)
        for key in before:
            _same(before[key], after[key])
    elif isinstance(before, list):
        assert len(before) == len(after)
        for b, a in zip(before, after, strict=True):
            _same(b, a)
    else:
        assert before == after


class Colour(StrEnum):  # a str: kept as it is, never spelt by its value
    RED = "red"


class Size(Enum):
    BIG = 3


@dataclass(frozen=True)
class Box:
    size: Size
    made: date
    tags: tuple[str, ...]


ODD_VALUES = [
    None, True, 0, 1.5, "x", Colour.RED, Size.BIG, date(2020, 2, 29),
    datetime(2020, 1, 1, 9, tzinfo=UTC), datetime(2020, 1, 1, 9),  # noqa: DTZ001
    uuid.UUID(int=7), Box(Size.BIG, date(2001, 1, 1), ("a", "b")),
    {1: [Box(Size.BIG, date(2001, 1, 1), ())]},
    {"a": (1, [2, {"b": None}])},
]  # fmt: skip


@pytest.mark.parametrize("value", ODD_VALUES, ids=repr)
def test_each_kind_of_value_is_spelt_as_before(value: Any) -> None:
    _same(_walked(value), jsonable(value))
    _same(_walked(value), jsonable(value))  # and again, its type's way now known


def test_a_value_with_no_json_form_is_refused_every_time() -> None:
    for _ in range(2):
        with pytest.raises(TypeError):
            jsonable(object())
        with pytest.raises(TypeError):
            jsonable(Box)


@settings(max_examples=150, deadline=None)
@given(draft=lpa_drafts(), key=st.text(max_size=8))
def test_a_drafts_hash_and_a_new_lpas_history_are_as_before(draft: LpaDraft, key: str) -> None:
    payload = {"operation": "createLpa", "payload": draft, "key": key}
    _same(_walked(payload), jsonable(payload))
    text = json.dumps(_walked(payload), sort_keys=True, separators=(",", ":"))
    assert digest(payload) == digest(json.loads(text))
    lpa = _new(draft)
    _same(_walked(lpa), jsonable(lpa))
    for change in lpa_changes(None, lpa):
        assert isinstance(change["field"], str)
    names = {f.name for f in fields(lpa)} | set(draft)
    for name in names:
        assert segment(name) == pointer(name)


def _walked_diff(at: str, old: Any, new: Any, out: list[dict[str, Any]]) -> None:
    """The history's walk before it took the new record's own way for what was not there."""
    if isinstance(old, dict) or isinstance(new, dict):
        old_map = old if isinstance(old, dict) else {}
        new_map = new if isinstance(new, dict) else {}
        for key in [*new_map, *(k for k in old_map if k not in new_map)]:
            _walked_diff(at + pointer(key), old_map.get(key), new_map.get(key), out)
    elif isinstance(old, list) or isinstance(new, list):
        old_list = old if isinstance(old, list) else []
        new_list = new if isinstance(new, list) else []
        for i, was in enumerate(old_list):
            _walked_diff(f"{at}/{i}", was, new_list[i] if i < len(new_list) else None, out)
        for added in new_list[len(old_list) :]:
            out.append({"field": f"{at}/-", "old": None, "new": added})
    elif old != new:
        out.append({"field": at or "/", "old": old, "new": new})


@settings(max_examples=100, deadline=None)
@given(draft=lpa_drafts(), other=lpa_drafts())
def test_a_histories_entries_are_as_before(draft: LpaDraft, other: LpaDraft) -> None:
    lpa = new_lpa(
        decide_create(draft, NOW, set()).draft, uid="M-0000-0000-0000", client="c", at=NOW
    )
    was = new_lpa(
        decide_create(other, NOW, set()).draft, uid="M-0000-0000-0000", client="c", at=NOW
    )
    for before, after in ((None, lpa), (was, lpa), (lpa, was)):
        expected: list[dict[str, Any]] = []
        _walked_diff("", None if before is None else _shown(before), _shown(after), expected)
        assert lpa_changes(before, after) == expected
