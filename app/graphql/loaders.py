from __future__ import annotations

from functools import partial
from typing import Any

from strawberry.dataloader import DataLoader

from app.db.repository import BATCH_NAMES, CallerRepository

Rows = list[dict[str, Any]]


class Loaders:
    """One DataLoader per batch kind, made lazily, living for one request only (so nothing
    loaded for one client can ever be served to another). Each batch reads through the
    request's repository, where reads may lag."""

    def __init__(self, repository: CallerRepository) -> None:
        self._repository = repository
        self._made: dict[str, DataLoader[Any, Rows]] = {}

    def __getitem__(self, name: str) -> DataLoader[Any, Rows]:
        if name not in BATCH_NAMES:
            raise KeyError(name)
        if name not in self._made:
            self._made[name] = DataLoader(load_fn=partial(self._repository.rows_by_key, name))
        return self._made[name]
