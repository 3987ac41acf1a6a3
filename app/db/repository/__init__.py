"""The repository: the gateway's one way to its data.

It maps the domain's records to tables and back (`writes`, `store`, `reads`), and it owns the
one data path of a worker to each database (`Database`): one SQLAlchemy engine whose pool
serves the transactions of writes, the autocommit reads, and the prepared statements of the
hot lookups (`reads`, run by asyncpg on a connection of that pool). A request sees it through
`CallerRepository`: the reads and writes of one caller, under that caller's row rule. The
audit batch's one connection (`app/db/audit_connection.py`) is the only connection a worker
holds outside this pool.
"""

from __future__ import annotations

from ..idempotency import Remembered
from .batches import BATCH_NAMES
from .caller import CallerRepository
from .database import Database
from .writes import CREATE, LpaRepository, create_lpa

__all__ = [
    "BATCH_NAMES",
    "CREATE",
    "CallerRepository",
    "Database",
    "LpaRepository",
    "Remembered",
    "create_lpa",
]
