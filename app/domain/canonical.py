"""Canonical JSON: one spelling per value, so equal payloads hash equally.

How a value is spelt depends only on its type, so each type's way is worked out once (in the
order of `_way`) and looked up after that: a new LPA's draft, history and hash hold thousands
of values of a dozen types.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

JsonValue = None | bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"]


def jsonable(value: Any) -> JsonValue:
    kind = type(value)
    way = _WAYS.get(kind)
    if way is None:
        way = _WAYS[kind] = _way(value)
    return way(value)


def _as_is(value: Any) -> JsonValue:
    return value  # type: ignore[no-any-return]


def _enum(value: Enum) -> JsonValue:
    return jsonable(value.value)


def _iso(value: date) -> JsonValue:
    return value.isoformat()


# Exactly these types are their own spelling: asked first, without a call (most values are).
_PLAIN = frozenset({type(None), bool, int, float, str})


def _dict(value: dict[object, object]) -> JsonValue:
    return {str(k): v if type(v) in _PLAIN else jsonable(v) for k, v in value.items()}  # type: ignore[misc]


def _list(value: list[Any] | tuple[Any, ...]) -> JsonValue:
    return [v if type(v) in _PLAIN else jsonable(v) for v in value]


def _record(names: tuple[str, ...]) -> Callable[[Any], JsonValue]:
    def spelt(value: Any) -> JsonValue:
        found = {}
        for name in names:
            v = getattr(value, name)
            found[name] = v if type(v) in _PLAIN else jsonable(v)
        return found

    return spelt


def _way(value: Any) -> Callable[[Any], JsonValue]:
    if value is None or isinstance(value, bool | int | float | str):
        return _as_is
    if isinstance(value, Enum):
        return _enum
    if isinstance(value, datetime | date):
        return _iso
    if isinstance(value, uuid.UUID):
        return str
    if is_dataclass(value) and not isinstance(value, type):
        return _record(tuple(f.name for f in fields(value)))
    if isinstance(value, dict):
        return _dict
    if isinstance(value, list | tuple):
        return _list
    raise TypeError(f"no JSON form for {type(value).__name__}")


_WAYS: dict[type, Callable[[Any], JsonValue]] = {}


def digest(value: Any) -> str:
    text = json.dumps(jsonable(value), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
