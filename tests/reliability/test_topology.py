"""`make topology QUICK=1` in the suite: three hosts in network namespaces behind HAProxy,
PgBouncer, a streaming replica and Redis, under the storm's workload with a host killed, the
replica restarted and a key rotated; and everything it made gone afterwards, also when it
fails. It needs pgbouncer, haproxy, redis-server and PostgreSQL's server binaries: without
them it skips locally, saying which, and fails under CI (CI=true)."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import pytest

from tests.reliability import topology
from tests.reliability.cluster import (
    Cluster,
    ClusterUnavailable,
    create_database,
    find_bin_dir,
    streaming_replica,
    throwaway_cluster,
)
from tests.reliability.daemons import PACKAGES, missing_tools
from tests.reliability.network import existing, owned_names
from tests.reliability.topology import run_topology
from tests.reliability.topology_probes import caught_up
from tests.reliability.topology_scene import NOT_YET, PASSED, QUICK, ReplicaMeter
from tests.reliability.topology_verdict import passed, render, replica_verdict

pytestmark = pytest.mark.topology
TEMPORARY = ("lpa-topology-primary-", "lpa-topology-replica-", "lpa-pgbouncer-")


@pytest.fixture
def tools() -> None:
    require_tools()


def require_tools() -> None:
    """Skip, saying what is missing; under CI (CI=true), fail instead."""
    missing = [f"{tool} (apt-get install {PACKAGES[tool]})" for tool in missing_tools()]
    try:
        find_bin_dir()
    except ClusterUnavailable as error:
        missing.append(str(error))
    if not missing:
        return
    why = "the topology needs " + "; ".join(missing)
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI must run the topology: {why}", pytrace=False)
    pytest.skip(why)


def _children() -> set[int]:
    """Live processes whose parent is this one (zombies excluded)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == str(os.getpid()) and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def _temporary() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).iterdir() if p.name.startswith(TEMPORARY)}


@contextmanager
def leaves_nothing_behind() -> Iterator[None]:
    """Asserts that no namespace, link, child process or temporary directory the run made
    outlives it."""
    bridge, namespaces = owned_names(os.getpid(), QUICK.hosts)
    children, temporary = _children(), _temporary()
    yield
    now_namespaces, now_links = existing()
    assert not set(namespaces) & now_namespaces
    assert bridge not in now_links
    assert not [link for link in now_links if link.startswith(f"lpat{os.getpid()}")]
    assert _children() <= children
    assert _temporary() <= temporary


def test_the_quick_topology_keeps_every_promise(tools: None, tmp_path: Path) -> None:
    with leaves_nothing_behind():
        figures = asyncio.run(run_topology(QUICK, tmp_path))

    report = render(figures)
    assert figures.passed, report
    assert (figures.hosts, figures.host_kills, figures.replica_restarts) == (3, 1, 1), report
    assert min(figures.requests_per_host.values()) > 0, report  # the balancer used every host
    assert figures.acknowledged == figures.mutations_planned >= QUICK.min_mutations, report
    assert (figures.acked_missing, figures.duplicates, figures.unanswered) == (0, 0, 0), report
    assert figures.cross_host_keys == QUICK.cross_host_keys, report
    assert figures.cross_host_mismatches == 0, report
    # limit and limit + 1: the fifth wrong guess still answers false, the sixth (on the next
    # host) and the seventh (on the first again) are RATE_LIMITED; Redis holds the five.
    assert figures.oracle_answers[4:] == ["h2:false", "h3:RATE_LIMITED", "h1:RATE_LIMITED"]
    assert figures.oracle_failures_in_redis == 5, report
    assert figures.rotation["done"], report
    assert figures.rotation_failures == 0, report
    assert figures.rotation["hosts_restarted"] == 2 * figures.hosts, report
    assert figures.rotation["dropped_accepted"] == 0, report
    assert figures.replica_caught_up, report
    assert figures.replica_lpas == figures.primary_lpas > 0, report
    assert figures.pooler_clients == sorted(set(figures.host_addresses)), report
    assert figures.namespaces or figures.why_loopback, report  # a loopback run says why
    # behind PgBouncer in transaction mode, with reads that may lag on the replica (issue 15)
    assert (figures.pooler, figures.replica_reads_enabled) == ("transaction", True), report
    assert figures.replica_reads > 0, report


def test_a_failing_run_takes_down_everything_it_started(
    tools: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The balancer fails to start after the namespaces, both PostgreSQL servers, PgBouncer,
    Redis and the three hosts are up: the run fails, and none of them is left."""

    @contextmanager
    def broken_balancer(*_args: object) -> Iterator[None]:
        raise RuntimeError("the balancer would not start")
        yield  # a generator, as the real one is

    monkeypatch.setattr(topology, "haproxy", broken_balancer)
    with leaves_nothing_behind(), pytest.raises(RuntimeError, match="would not start"):
        asyncio.run(run_topology(QUICK, tmp_path))
    assert all((tmp_path / f"host-h{i}.log").exists() for i in (1, 2, 3))  # they had started


def test_the_replica_check_is_required_only_once_the_hosts_are_given_the_replica() -> None:
    assert replica_verdict(enabled=True, reads=1) == PASSED
    assert replica_verdict(enabled=True, reads=0).startswith("FAILED")
    assert replica_verdict(enabled=False, reads=0).startswith(NOT_YET)
    assert passed({"a": PASSED, "b": replica_verdict(enabled=False, reads=0)})
    assert not passed({"a": PASSED, "b": replica_verdict(enabled=True, reads=0)})


def test_the_replica_meter_counts_the_reads_the_replica_served_and_nothing_else(
    tools: None,
) -> None:
    """The figure `replica_reads` rests on: reads of the database's tables on the replica
    count, across a restart of it; the same reads on the primary, reads of another
    database, and statements that read no table do not."""

    async def run(primary: Cluster, replica: Cluster) -> tuple[int, int]:
        for name in ("metered", "elsewhere"):
            await create_database(primary, name)
            await _run(primary, name, "CREATE TABLE lpas (id int PRIMARY KEY)")
        assert await caught_up(primary, replica)
        meter = ReplicaMeter(replica, "metered")
        await meter.begin()
        await _run(primary, "metered", "SELECT count(*) FROM lpas", times=5)
        await _run(replica, "elsewhere", "SELECT count(*) FROM lpas", times=5)
        await _run(replica, "metered", "SELECT 1", times=5)
        nothing = await meter.total()
        await _run(replica, "metered", "SELECT count(*) FROM lpas", times=7)
        await meter.restart()
        await _run(replica, "metered", "SELECT * FROM lpas WHERE id = 1", times=4)
        return nothing, await meter.total()

    with (
        throwaway_cluster("lpa-topology-primary-") as primary,
        streaming_replica(primary, "lpa-topology-replica-") as replica,
    ):
        nothing, served = asyncio.run(run(primary, replica))
    assert nothing == 0
    assert served == 7 + 4


async def _run(cluster: Cluster, database: str, sql: str, times: int = 1) -> None:
    """`sql` `times` times, on a connection closed afterwards (which flushes its statistics)."""
    conn = await asyncpg.connect(cluster.dsn(database), timeout=10)
    try:
        for _ in range(times):
            await conn.execute(sql)
    finally:
        await conn.close()


def test_replica_reads_add_up_whether_a_restart_keeps_the_statistics_or_not() -> None:
    kept = ReplicaMeter(replica=None, database="d", baseline=10)  # type: ignore[arg-type]
    kept.count_restart(before=40, after=45)  # 5 more were flushed at the shutdown
    assert (kept.counted, kept.baseline) == (35, 45)
    reset = ReplicaMeter(replica=None, database="d", baseline=10)  # type: ignore[arg-type]
    reset.count_restart(before=40, after=0)
    assert (reset.counted, reset.baseline) == (30, 0)


def test_a_missing_tool_fails_under_ci_and_skips_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(f"{__name__}.missing_tools", lambda: ["haproxy"])
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"haproxy \(apt-get install haproxy\)"):
        require_tools()
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception, match="haproxy"):
        require_tools()
