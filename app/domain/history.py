"""What a change did, field by field, for the append-only history."""

from __future__ import annotations

from typing import Any

from .canonical import JsonValue, jsonable
from .problems import pointer


def field_changes(old: Any, new: Any) -> list[dict[str, JsonValue]]:
    """Each leaf that differs between two JSON-like values, as {field, old, new}."""
    changes: list[dict[str, JsonValue]] = []
    _walk("", jsonable(old), jsonable(new), changes)
    return changes


def _walk(at: str, old: JsonValue, new: JsonValue, out: list[dict[str, JsonValue]]) -> None:
    if isinstance(old, dict) or isinstance(new, dict):
        old_map = old if isinstance(old, dict) else {}
        new_map = new if isinstance(new, dict) else {}
        for key in sorted(old_map.keys() | new_map.keys()):
            _walk(at + pointer(key), old_map.get(key), new_map.get(key), out)
    elif isinstance(old, list) or isinstance(new, list):
        old_list = old if isinstance(old, list) else []
        new_list = new if isinstance(new, list) else []
        for i in range(max(len(old_list), len(new_list))):
            before = old_list[i] if i < len(old_list) else None
            after = new_list[i] if i < len(new_list) else None
            _walk(f"{at}/{i}", before, after, out)
    elif old != new:
        out.append({"field": at or "/", "old": old, "new": new})
