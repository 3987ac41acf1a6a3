"""The fault storm, short enough for every run of the suite: a few hundred mutations at
concurrency 64 against two gateway processes, one `kill -9` and one PostgreSQL crash.

The full storm is `make storm`; `make storm QUICK=1` is the short one; `make storm NEGATIVE=1`
runs it with idempotency switched off. See docs/reliability.md.
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

from tests.reliability.cluster import Cluster
from tests.reliability.storm import IN_SUITE, render, run_storm


def test_no_acknowledged_write_is_lost_or_doubled_under_faults(
    running_cluster: Cluster, tmp_path: Path
) -> None:
    figures = asyncio.run(run_storm(IN_SUITE, running_cluster, tmp_path / "storm"))

    report = render(figures)
    assert figures.passed, report
    assert figures.acknowledged == figures.mutations_planned >= IN_SUITE.mutations, report
    assert (figures.acked_missing, figures.duplicates, figures.orphans) == (0, 0, 0), report
    assert (figures.kills, figures.db_restarts, figures.stalls) == (1, 1, 1), report
    assert figures.crash_recoveries >= 1, report
    assert figures.outbox_rows == figures.change_rows == figures.expected_change_rows, report


def test_the_checker_sees_duplicates_when_idempotency_is_off(
    running_cluster: Cluster, tmp_path: Path
) -> None:
    """Negative control: the same storm against gateways whose idempotency is switched off
    (a development-only, test-only setting) must be caught doubling creates."""
    config = dataclasses.replace(IN_SUITE, label="in-suite-negative", idempotency=False)
    figures = asyncio.run(run_storm(config, running_cluster, tmp_path / "negative"))

    report = render(figures)
    assert not figures.passed, report
    assert figures.duplicates > 0, report
