"""Prometheus metrics: GraphQL requests, their latency, denials, oracle lockouts, the pool,
the read replica's lag.

Labels are bounded: `client` is a configured client id (or `-` before authentication),
`operation` the root field a document selects (`multiple` for several, `-` before a valid
document), `outcome` one of allowed, denied, error, and `reason` a fixed denial reason.
Never a value from a request.

One worker: each app keeps its own registry. Several workers (`serve --workers N`): set
PROMETHEUS_MULTIPROC_DIR to an empty directory before starting; each worker then writes its
samples there, and /metrics, whichever worker answers, sums them (prometheus_client's
multiprocess mode).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Final

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

MULTIPROC_ENV: Final = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE: Final = CONTENT_TYPE_LATEST
LATENCY_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


def clear_multiprocess_dir() -> None:
    """Before the workers start: forget the samples of a previous run (its `*.db` files)."""
    directory = multiprocess_dir()
    if directory is not None:
        Path(directory).mkdir(parents=True, exist_ok=True)
        for stale in Path(directory).glob("*.db"):
            stale.unlink()


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "lpa_gateway_requests",
            "GraphQL requests, by client, root operation and outcome",
            ["client", "operation", "outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "lpa_gateway_request_duration_seconds",
            "Time to answer a GraphQL request, audit row included",
            ["client", "operation"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.denials = Counter(
            "lpa_gateway_denials",
            "Refused GraphQL requests, by client and reason",
            ["client", "reason"],
            registry=self.registry,
        )
        self.oracle_lockouts = Counter(
            "lpa_gateway_oracle_lockouts",
            "Identity oracle budgets spent: (client, LPA) pairs now answering RATE_LIMITED",
            ["client"],
            registry=self.registry,
        )
        self.pool_in_use = Gauge(
            "lpa_gateway_db_pool_connections_in_use",
            "Database connections checked out of the pool",
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        self.pool_size = Gauge(
            "lpa_gateway_db_pool_size",
            "Database connections the pool keeps (it may open as many again on overflow)",
            registry=self.registry,
            multiprocess_mode="livesum",
        )

        self.replica_lag = Gauge(
            "lpa_gateway_replica_lag_seconds",
            "How far the read replica is behind the primary, by the last probe (+Inf: unknown)",
            registry=self.registry,
            multiprocess_mode="max",
        )
        # The children of `requests` and `latency` per (client, operation, outcome), bounded
        # as the labels are.
        self._labelled: dict[tuple[str, str, str], tuple[Counter, Histogram]] = {}

    def request(
        self, client: str, operation: str, outcome: str, reason: str | None, seconds: float
    ) -> None:
        labelled = self._labelled.get((client, operation, outcome))
        if labelled is None:  # labels() takes a lock and builds a key: once per label set
            labelled = (
                self.requests.labels(client, operation, outcome),
                self.latency.labels(client, operation),
            )
            self._labelled[(client, operation, outcome)] = labelled
        labelled[0].inc()
        labelled[1].observe(seconds)
        if outcome == "denied":
            self.denials.labels(client, reason or "-").inc()

    def oracle_lockout(self, client: str) -> None:
        self.oracle_lockouts.labels(client).inc()

    def watch_pool(self, engine: AsyncEngine) -> None:
        pool: Any = engine.sync_engine.pool
        self.pool_size.set(pool.size() if callable(getattr(pool, "size", None)) else 0)
        event.listen(engine.sync_engine, "checkout", self._checked_out)
        event.listen(engine.sync_engine, "checkin", self._checked_in)

    def unwatch_pool(self, engine: AsyncEngine) -> None:
        event.remove(engine.sync_engine, "checkout", self._checked_out)
        event.remove(engine.sync_engine, "checkin", self._checked_in)
        if multiprocess_dir() is not None:
            multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]

    def _checked_out(self, *_: Any) -> None:
        self.pool_in_use.inc()

    def _checked_in(self, *_: Any) -> None:
        self.pool_in_use.dec()

    def exposition(self) -> bytes:
        """The text format, for this worker alone or summed over every worker."""
        if multiprocess_dir() is None:
            return generate_latest(self.registry)
        every_worker = CollectorRegistry()
        multiprocess.MultiProcessCollector(every_worker)  # type: ignore[no-untyped-call]
        return generate_latest(every_worker)
