"""Input objects as plain dicts and lists, for the domain layer.

`strawberry.asdict` deep-copies every value on the way (dataclasses.asdict); the input objects
are built afresh for each request and never shared, so a walk that copies nothing gives the
same dicts for a fraction of the cost.
"""

from __future__ import annotations

import dataclasses
from functools import cache
from typing import Any


def plain(value: Any) -> Any:
    if isinstance(value, list):
        return [plain(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: plain(getattr(value, name)) for name in _field_names(type(value))}
    return value


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(kind))
