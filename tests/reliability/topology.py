"""`make topology`: the gateway scaled out on PostgreSQL's own parts, on this one machine.

It starts a throwaway PostgreSQL primary and a streaming replica of it, PgBouncer in front of
the primary, a Redis of its own, three gateway hosts (`lpa-gateway serve`), each in a network
namespace of its own with its own address, and HAProxy in front of the hosts. It drives the
fault storm's workload through HAProxy, and meanwhile kills a host (`kill -9`) and brings it
back, restarts the replica, and rotates the online service's key across the hosts one by one.
Then it checks, reading PostgreSQL directly, that no acknowledged write is lost or doubled,
that one idempotency key sent to every host at once was written once, that the identity
oracle's failure budget is shared (the sixth failure, on any host, is RATE_LIMITED), that no
request failed while the key rotated, and whether the replica served reads.

    python -m tests.reliability.topology            # make topology
    python -m tests.reliability.topology --quick    # make topology QUICK=1 (CI, < 3 minutes)

Options: --pooler transaction|session|none, --replica-reads/--no-replica-reads,
--no-namespaces, --hosts N.
Each run writes var/topology/last.json (and var/topology/<label>.json), its logs beside it.
Every namespace, process and temporary directory it made is removed, also when it fails.

This module starts the parts and runs the whole; topology_scene.py holds the settings and
the steps taken while the load runs, topology_probes.py what is asked of the hosts and the
servers directly, topology_verdict.py the checks and the report.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import signal
import sys
import time
import uuid
from contextlib import ExitStack
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from tests.reliability.balancer import haproxy
from tests.reliability.client_keys import new_key
from tests.reliability.cluster import (
    Cluster,
    create_database,
    free_port,
    streaming_replica,
    throwaway_cluster,
)
from tests.reliability.daemons import redis_server, running
from tests.reliability.gateways import ROOT, GatewayProcess, cli, gateway_env
from tests.reliability.network import HOST_PORT, HostNetwork, host_network
from tests.reliability.pooler import pgbouncer
from tests.reliability.storm import (
    CLIENT,
    SUB,
    Chain,
    Load,
    check,
    plan,
    write_results,
)
from tests.reliability.topology_probes import (
    ORACLE_UID,
    caught_up,
    lpa_count,
    oracle_expected,
)
from tests.reliability.topology_scene import (
    DEFAULT_POOLER,
    DEFAULT_REPLICA_READS,
    FULL,
    HOST_POOL_SIZE,
    NEW_KID,
    OLD_KID,
    ORACLE_BUDGET,
    ORACLE_CLIENT,
    POOLER_VARIABLE,
    POOLERS,
    QUICK,
    READ_URL_VARIABLE,
    STATEMENT_TIMEOUT_MS,
    Keys,
    ReplicaMeter,
    Scene,
    TopologyConfig,
)
from tests.reliability.topology_verdict import TopologyFigures, judge, passed, render

RESULTS_DIR = ROOT / "var" / "topology"


# --------------------------------------------------------------------------- the run


def host_env(
    config: TopologyConfig, network: HostNetwork, ports: dict[str, int], database: str, work: Path
) -> dict[str, str]:
    at = network.service_address
    database_port = ports["primary"] if config.pooler == "none" else ports["pgbouncer"]
    extra = {
        "LPA_GATEWAY_CLIENT_KEYS_FILE": str(work / "keys" / "client-keys.toml"),
        "LPA_GATEWAY_REDIS_URL": f"redis://{at}:{ports['redis']}/0",
        "LPA_GATEWAY_DB_POOL_SIZE": str(HOST_POOL_SIZE),
        "LPA_GATEWAY_STATEMENT_TIMEOUT_MS": str(STATEMENT_TIMEOUT_MS),
        # Trusted Host headers (issue 18): the balancer's address and each host's own.
        "LPA_GATEWAY_ALLOWED_HOSTS": ",".join(
            dict.fromkeys(["127.0.0.1", *network.host_addresses])
        ),
    }
    if config.pooler == "transaction":
        extra[POOLER_VARIABLE] = "transaction"
    if config.replica_reads:
        extra[READ_URL_VARIABLE] = (
            f"postgresql+asyncpg://postgres@{at}:{ports['replica']}/{database}"
        )
    url = f"postgresql+asyncpg://postgres@{at}:{database_port}/{database}"
    return gateway_env(url, work / "dev-keys", extra)


async def _prepare_database(primary: Cluster, database: str, work: Path) -> None:
    """A database of the run's own, migrated directly on the primary (as a release job does,
    not through the pooler), with the statement timeout the pooler cannot pass on."""
    await create_database(primary, database)
    conn = await asyncpg.connect(primary.dsn(), timeout=10)
    try:
        await conn.execute(
            f'ALTER DATABASE "{database}" SET statement_timeout = {STATEMENT_TIMEOUT_MS}'
        )
    finally:
        await conn.close()
    env = gateway_env(primary.url(database), work / "dev-keys")
    await asyncio.to_thread(cli, env, "migrate")


def _keys(work: Path) -> Keys:
    folder = work / "keys"
    keys = Keys(
        file=folder / "client-keys.toml",
        old=new_key(folder, CLIENT, OLD_KID),
        new=new_key(folder, CLIENT, NEW_KID),
        oracle=new_key(folder, ORACLE_CLIENT, OLD_KID),
    )
    keys.trust(keys.old)
    return keys


async def run_topology(config: TopologyConfig, work: Path) -> TopologyFigures:
    """Start the topology, drive it, check it, and take it all down again. `work` (an
    existing folder) receives the logs and the keys."""
    started_at, started = datetime.now(UTC).isoformat(timespec="seconds"), time.monotonic()
    run_id = uuid.uuid4().hex[:8]
    database = f"topology_{run_id}"
    with ExitStack() as stack:
        network = stack.enter_context(host_network(config.hosts, config.namespaces))
        outside = (network.service_address,) if network.namespaces else ()
        listen = ("127.0.0.1", *outside)
        primary = stack.enter_context(
            throwaway_cluster(
                "lpa-topology-primary-", outside, tuple(filter(None, [network.subnet]))
            )
        )
        replica = stack.enter_context(streaming_replica(primary, "lpa-topology-replica-"))
        redis = stack.enter_context(running(redis_server(free_port(), listen, work)))
        ports = {"primary": primary.port, "replica": replica.port, "redis": redis.port}
        if config.pooler != "none":
            ports["pgbouncer"] = stack.enter_context(
                pgbouncer(primary.port, config.pooler, listen, work)
            ).port
        await _prepare_database(primary, database, work)
        keys = _keys(work)
        env = host_env(config, network, ports, database, work)
        hosts = [
            GatewayProcess(
                env=env,
                port=HOST_PORT if network.namespaces else free_port(),
                log_path=work / f"host-h{i + 1}.log",
                host=network.host_addresses[i],
                launcher=network.launchers[i],
            )
            for i in range(config.hosts)
        ]
        for host in hosts:
            stack.callback(host.stop)
        await asyncio.gather(*(asyncio.to_thread(h.start) for h in hosts))
        servers = [(f"h{i + 1}", h.host, h.port) for i, h in enumerate(hosts)]
        balancer = stack.enter_context(haproxy(servers, work))
        storm = config.storm()
        load = Load(config=storm, urls=[balancer.url], token=keys.old.token(SUB), run_id=run_id)
        scene = Scene(
            config=config,
            network=network,
            primary=primary,
            replica=replica,
            database=database,
            hosts=hosts,
            balancer=balancer,
            keys=keys,
            load=load,
            meter=ReplicaMeter(replica, database),
            redis_port=redis.port,
            work=work,
        )
        figures = await _drive(scene, run_id)
    figures.started_at = started_at
    figures.seconds = round(time.monotonic() - started, 1)
    return figures


async def _drive(scene: Scene, run_id: str) -> TopologyFigures:
    config, load = scene.config, scene.load
    chains = plan(load.config, run_id)
    cross = [
        Chain(len(chains) + i, f"Storm-{run_id}-{len(chains) + i:06d}", True, ())
        for i in range(config.cross_host_keys)
    ]
    await scene.meter.begin()
    scene.began = time.monotonic()
    load_task = asyncio.create_task(load.run(chains))
    play_task = asyncio.create_task(scene.play(cross, run_id))
    try:
        async with asyncio.timeout(config.deadline):
            await play_task
            await load_task
    except TimeoutError:
        scene.problems.append(f"the load and its faults did not finish within {config.deadline}s")
    except Exception as error:  # a step failed: report it, and still check what was written
        scene.problems.append(f"{type(error).__name__}: {error}")
    load.winding_down = True
    for task in (play_task, load_task):
        task.cancel()
    await asyncio.gather(play_task, load_task, return_exceptions=True)
    load_seconds = time.monotonic() - scene.began
    stats = scene.balancer.stats()
    per_host = {n: int(s["stot"]) for n, s in stats.items() if n != "BACKEND"}
    balancer_retries = {k: int(stats["BACKEND"][k] or 0) for k in ("wretr", "wredis")}
    stopped = [await asyncio.to_thread(h.terminate_gracefully) for h in scene.hosts]
    planned = sum(1 + len(c.steps) for c in load.begun) + len(cross)
    figures = await _measure(scene, chains + cross, planned, all(stopped))
    checks = judge(scene, figures)
    return TopologyFigures(
        label=config.label,
        passed=passed(checks),
        hosts=len(scene.hosts),
        namespaces=scene.network.namespaces,
        why_loopback=scene.network.why_loopback,
        subnet=scene.network.subnet,
        host_addresses=scene.network.host_addresses,
        pooler=config.pooler,
        replica_reads_enabled=config.replica_reads,
        host_kills=sum(1 for s in scene.steps if s.kind == "host-kill"),
        replica_restarts=sum(1 for s in scene.steps if s.kind == "replica-restart"),
        cross_host_keys=scene.cross_host.probes,
        cross_host_mismatches=scene.cross_host.mismatches,
        oracle_answers=scene.oracle,
        rotation=asdict(scene.rotation),
        requests_per_host=per_host,
        balancer_retries=balancer_retries["wretr"],
        balancer_redispatches=balancer_retries["wredis"],
        checks=checks,
        steps=[asdict(s) for s in scene.steps],
        failures_seen=dict(load.failures.most_common()),
        retries=sum(a.attempts - 1 for a in load.answers if a.chain < len(chains)),
        load_seconds=round(load_seconds, 2),
        mutations_per_second=round(len(load.answers) / load_seconds, 1) if load_seconds else 0.0,
        started_at="",
        **figures,
    )


async def _measure(
    scene: Scene, chains: list[Chain], planned: int, stopped: bool
) -> dict[str, Any]:
    """What the databases and Redis hold, compared with what the clients were told."""
    load = scene.load
    replica_reads = await scene.meter.total()  # the hosts are stopped: their counts flushed
    synced = await caught_up(scene.primary, scene.replica)
    checked, found = await check(scene.primary.dsn(scene.database), load, chains)
    urls = [h.url for h in scene.hosts]
    return {
        "acknowledged": len(load.answers),
        "mutations_planned": planned,
        "acked_missing": checked["acked_missing"],
        "duplicates": checked["duplicates"],
        "unanswered": len(load.unanswered),
        "unexpected_verdicts": len(load.unexpected),
        "oracle_expected": oracle_expected(urls, ORACLE_BUDGET),
        "oracle_failures_in_redis": _oracle_failures(scene.redis_port),
        "pooler_clients": _pooler_clients(scene.work / "pgbouncer.log"),
        "rotation_failures": scene.rotation.load_failures + scene.rotation.trusted_refused,
        "replica_reads": replica_reads,
        "replica_caught_up": synced,
        "replica_lpas": await lpa_count(scene.replica, scene.database),
        "primary_lpas": await lpa_count(scene.primary, scene.database),
        "hosts_stopped_cleanly": stopped,
        "storm": checked,
        "problems": (scene.problems + found + load.unexpected)[:40],
    }


def _pooler_clients(log: Path) -> list[str]:
    """The addresses PgBouncer's clients came from, as its log names them at login."""
    if not log.exists():
        return []
    return sorted(set(re.findall(r"/postgres@([0-9.]+):\d+ login attempt", log.read_text())))


def _oracle_failures(port: int) -> int | None:
    """The failures the hosts counted in the run's Redis for the oracle's LPA."""
    import redis

    client = redis.Redis(port=port, socket_timeout=5)
    try:
        stored = client.get(f"lpa-gateway:oracle-failures:{ORACLE_CLIENT}:{ORACLE_UID}")
    finally:
        client.close()
    return int(stored) if stored is not None else None


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.reliability.topology",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="the short run (CI)")
    parser.add_argument("--pooler", choices=POOLERS, help=f"default {DEFAULT_POOLER}")
    parser.add_argument(
        "--replica-reads",
        action=argparse.BooleanOptionalAction,
        help=f"give the hosts the replica ({READ_URL_VARIABLE}) and require that it serves "
        f"reads (default {'on' if DEFAULT_REPLICA_READS else 'off'})",
    )
    parser.add_argument(
        "--no-namespaces", action="store_true", help="run the hosts as loopback processes"
    )
    parser.add_argument("--hosts", type=int)
    args = parser.parse_args(argv)
    config = QUICK if args.quick else FULL
    overrides: dict[str, Any] = {}
    if args.pooler:
        overrides["pooler"] = args.pooler
    if args.replica_reads is not None:
        overrides["replica_reads"] = args.replica_reads
    if args.no_namespaces:
        overrides["namespaces"] = False
    if args.hosts:
        overrides["hosts"] = args.hosts
    config = replace(config, **overrides)
    work = RESULTS_DIR / f"{config.label}-logs"
    shutil.rmtree(work, ignore_errors=True)  # the logs of this run only
    work.mkdir(parents=True)

    # SIGTERM unwinds like ^C, so every server, host and namespace is removed on the way out.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        figures = asyncio.run(run_topology(config, work))
    except KeyboardInterrupt:
        print("interrupted: the topology was taken down", file=sys.stderr)
        return 130
    figures.command = " ".join([parser.prog, *(sys.argv[1:] if argv is None else argv)])
    print(render(figures))
    print(f"\nfigures written to {write_results(figures, RESULTS_DIR).relative_to(ROOT)}")
    return 0 if figures.passed else 1


if __name__ == "__main__":
    sys.exit(main())
