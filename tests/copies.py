"""Copies of the migrated PostgreSQL template, made one test ahead and dropped behind, on a
thread of their own.

Every test that asks for a database still gets one no other test has touched. What changes is
who waits: PostgreSQL writes and syncs every file of a new database, about 0.25 s on CI's
machine, and a drop syncs again. Made in order on one thread, the next copy is ready while
the test before it runs, and a drop never holds up the test after it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor


class Copies:
    def __init__(self, template: str, prefix: str, admin: Callable[..., None]) -> None:
        self._template, self._prefix, self._admin = template, prefix, admin
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="database-copies")
        self._dropped: list[Future[None]] = []
        self._next = self._thread.submit(self._copy)

    def take(self) -> str:
        """A new copy's name (raises what making it raised); the next is started at once."""
        taken, self._next = self._next, self._thread.submit(self._copy)
        return taken.result()

    def drop(self, name: str) -> None:
        """Drop `name` behind the caller; `close` says if it failed."""
        self._dropped = [f for f in self._dropped if not f.done() or f.exception()]
        self._dropped.append(self._thread.submit(self._admin, drop_database(name)))

    def close(self) -> None:
        """Drop the copy made ahead, wait for every drop, and raise the first that failed."""
        try:
            self.drop(self._next.result())
        finally:
            self._thread.shutdown(wait=True)
        for dropped in self._dropped:
            dropped.result()

    def _copy(self) -> str:
        name = f"{self._prefix}_{uuid.uuid4().hex[:10]}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"')
        return name


def drop_database(name: str) -> str:
    """The statement that drops `name`, whoever is still connected to it."""
    return f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
