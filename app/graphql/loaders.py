from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.dataloader import DataLoader

from app.db.repository.batches import BATCH_NAMES, rows_by_key

Rows = list[dict[str, Any]]


class Loaders:
    """One DataLoader per batch kind, made lazily, living for one request only (so nothing
    loaded for one client can ever be served to another)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._made: dict[str, DataLoader[Any, Rows]] = {}

    def __getitem__(self, name: str) -> DataLoader[Any, Rows]:
        if name not in BATCH_NAMES:
            raise KeyError(name)
        if name not in self._made:
            self._made[name] = DataLoader(load_fn=partial(rows_by_key, self._engine, name))
        return self._made[name]
