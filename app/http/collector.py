"""The garbage collector, set for a long-running worker (production only).

Every request allocates many short-lived objects (documents' execution state, resolver info,
rows), and CPython's default of a young-generation collection every 700 allocations, each
also walking whatever survived start-up, costs about a fifth of a status lookup. So once the
gateway has started, everything built at start-up (schemas, views, policies, SQLAlchemy
metadata) is frozen out of the collector's way, and the young generation is collected every
10,000 allocations. Reference counting still frees almost everything at once; the collector
only has cycles to find. Measured in docs/performance.md.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000


def settle_after_startup() -> tuple[int, int, int]:
    """Freeze start-up objects and raise the young threshold; answer the old thresholds."""
    before = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, before[1], before[2])
    return before


def restore(thresholds: tuple[int, int, int]) -> None:
    gc.unfreeze()
    gc.set_threshold(*thresholds)
