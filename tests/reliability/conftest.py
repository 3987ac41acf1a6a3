"""One throwaway PostgreSQL cluster for the reliability tests, which crash, stop and restart it.

It needs the machine's `initdb` and `pg_ctl` (found under /usr/lib/postgresql/*/bin and the
other usual places, or LPA_GATEWAY_PG_BIN). Without them these tests skip locally, saying
why; under CI (CI=true) they fail instead, because CI must guard the promise.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from tests.reliability.cluster import Cluster, ClusterUnavailable, throwaway_cluster


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    with ExitStack() as stack:
        try:
            cluster = stack.enter_context(throwaway_cluster(prefix="lpa-reliability-"))
        except ClusterUnavailable as error:
            if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
                pytest.fail(f"CI needs a throwaway PostgreSQL cluster: {error}", pytrace=False)
            pytest.skip(f"no throwaway PostgreSQL cluster: {error}")
        yield cluster


@pytest.fixture
def running_cluster(pg_cluster: Cluster) -> Cluster:
    """The shared cluster, started again if an earlier test left it stopped."""
    if not pg_cluster.is_running():
        pg_cluster.start()
    return pg_cluster
