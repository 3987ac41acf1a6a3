"""What a change did, field by field, for the append-only history."""

from __future__ import annotations

from dataclasses import fields

from .canonical import JsonValue, jsonable
from .problems import segment
from .records import Lpa

# Kept by the repository, not by a change: never part of what a change did.
_BOOKKEEPING = frozenset({"id", "version", "updated_at", "case"})
_SHOWN_CASE = ("fee_reduction_requests", "fee_reduction_decisions", "payments")


def lpa_changes(before: Lpa | None, after: Lpa) -> list[dict[str, JsonValue]]:
    """What a change did to an LPA, as the history shows it: its fields and case file, each
    leaf at its JSON pointer (`/attorneys/0/signedAt`); an added item at `<list>/-`."""
    changes: list[dict[str, JsonValue]] = []
    _diff("", None if before is None else _shown(before), _shown(after), changes)
    # An anomaly is named by its source and code, never by where it sits in a list.
    was = {(a.source, a.code): a.status for a in (before.case.anomalies if before else ())}
    for a in after.case.anomalies:
        old = was.get((a.source, a.code))
        if old is not None and old != a.status:
            changes.append({"field": f"/anomalies{a.source}/{a.code}", "old": old, "new": a.status})
    return changes


def _diff(at: str, old: JsonValue, new: JsonValue, out: list[dict[str, JsonValue]]) -> None:
    """Each leaf that differs, as {field, old, new}, in the records' field order; an item
    added to the end of a list is one change at `<list>/-` holding the whole item."""
    if old is None:
        _added(at, new, out)
    elif isinstance(old, dict) or isinstance(new, dict):
        old_map = old if isinstance(old, dict) else {}
        new_map = new if isinstance(new, dict) else {}
        for key in [*new_map, *(k for k in old_map if k not in new_map)]:
            _diff(at + segment(key), old_map.get(key), new_map.get(key), out)
    elif isinstance(old, list) or isinstance(new, list):
        old_list = old if isinstance(old, list) else []
        new_list = new if isinstance(new, list) else []
        for i, before in enumerate(old_list):
            _diff(f"{at}/{i}", before, new_list[i] if i < len(new_list) else None, out)
        for added in new_list[len(old_list) :]:
            out.append({"field": f"{at}/-", "old": None, "new": added})
    elif old != new:
        out.append({"field": at or "/", "old": old, "new": new})


def _added(at: str, new: JsonValue, out: list[dict[str, JsonValue]]) -> None:
    """`_diff` of nothing before (a new LPA's whole record): each leaf that is not null; each
    list's items added whole."""
    if isinstance(new, dict):
        for key, value in new.items():
            _added(at + segment(key), value, out)
    elif isinstance(new, list):
        out.extend({"field": f"{at}/-", "old": None, "new": item} for item in new)
    elif new is not None:
        out.append({"field": at or "/", "old": None, "new": new})


def _shown(lpa: Lpa) -> dict[str, JsonValue]:
    shown = {name: jsonable(getattr(lpa, name)) for name in _SHOWN}
    shown.update({name: jsonable(getattr(lpa.case, name)) for name in _SHOWN_CASE})
    return shown


_SHOWN = tuple(f.name for f in fields(Lpa) if f.name not in _BOOKKEEPING)
