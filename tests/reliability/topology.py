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

Options: --pooler transaction|session|none, --replica-reads, --no-namespaces, --hosts N.
Each run writes var/topology/last.json (and var/topology/<label>.json), its logs beside it.
Every namespace, process and temporary directory it made is removed, also when it fails.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import signal
import sys
import time
import uuid
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from app.settings import Settings
from tests.reliability.balancer import Balancer, haproxy
from tests.reliability.client_keys import SigningKey, new_key, write_keys_file
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
    StormConfig,
    check,
    counts_agree,
    figure_table,
    plan,
    write_results,
)
from tests.reliability.topology_probes import (
    ORACLE_UID,
    CrossHost,
    accepts,
    caught_up,
    lpa_count,
    oracle_expected,
    reads_served,
    same_key_everywhere,
    spend_oracle_budget,
)

POOLERS = ("transaction", "session", "none")
# What the gateway supports today. The data-path work of issue 15 (its sections 1 and 2) flips
# these two: DEFAULT_POOLER to "transaction", DEFAULT_REPLICA_READS to True.
DEFAULT_POOLER = "session"
DEFAULT_REPLICA_READS = False
POOLER_VARIABLE = "LPA_GATEWAY_DATABASE_POOLER"  # set on the hosts with --pooler transaction
READ_URL_VARIABLE = "LPA_GATEWAY_READ_DATABASE_URL"  # set on the hosts with --replica-reads
RESULTS_DIR = ROOT / "var" / "topology"
HOST_POOL_SIZE = 8  # LPA_GATEWAY_DB_POOL_SIZE on each host
STATEMENT_TIMEOUT_MS = Settings().statement_timeout_ms  # set on the database (see pooler.py)
ORACLE_BUDGET = Settings().oracle_failure_budget  # the hosts keep the default
ORACLE_CLIENT = "opg.poas.use"
ORACLE_SUB = "urn:opg:poas:use:users:70b0a000-0000-4000-8000-000000000001"
OLD_KID, NEW_KID = "2026-11", "2027-05"
PASSED = "passed"
NOT_YET = "not yet possible"


@dataclass(frozen=True)
class TopologyConfig:
    label: str = "full"
    hosts: int = 3
    concurrency: int = 32
    min_mutations: int = 2000  # the load goes on until its faults are over, and this many
    host_kills: int = 2
    replica_restarts: int = 1
    cross_host_keys: int = 20
    pooler: str = DEFAULT_POOLER
    replica_reads: bool = DEFAULT_REPLICA_READS
    namespaces: bool = True
    deadline: float = 900.0  # for the load and its faults
    seed: int = 20261202

    def storm(self) -> StormConfig:
        return StormConfig(
            label=f"topology-{self.label}",
            mutations=self.min_mutations * 50,  # planned; the load winds down long before
            concurrency=self.concurrency,
            kills=self.host_kills,
            db_restarts=0,
            stalls=0,
            gateways=self.hosts,
            seed=self.seed,
            storm_deadline=self.deadline,
        )


FULL = TopologyConfig()
QUICK = TopologyConfig(
    label="quick", concurrency=16, min_mutations=300, host_kills=1, cross_host_keys=5, deadline=120
)


@dataclass
class Step:
    """One thing done to the topology while the load ran."""

    kind: str
    at_answers: int  # mutations answered when it began
    started_s: float  # since the load began
    in_flight: int  # at the host, for a kill (HAProxy's count); everywhere otherwise
    seconds: float
    detail: str = ""


@dataclass
class Rotation:
    hosts_restarted: int = 0
    load_failures: int = 0  # attempts of the load that failed while the key rotated
    trusted_refused: int = 0  # a host refused a key it had been given
    dropped_accepted: int = 0  # a host took a key it no longer had, or not yet
    unclean_stops: int = 0
    seconds: float = 0.0
    done: bool = False


@dataclass
class ReplicaMeter:
    """Reads of the run's tables the replica served, across its restarts: its statistics may
    be kept over a clean restart or start again from zero."""

    replica: Cluster
    database: str
    counted: int = 0
    baseline: int = 0

    async def begin(self) -> None:
        self.baseline = await reads_served(self.replica, self.database)

    async def restart(self) -> None:
        before = await reads_served(self.replica, self.database)
        await asyncio.to_thread(self.replica.restart)
        self.count_restart(before, await reads_served(self.replica, self.database))

    def count_restart(self, before: int, after: int) -> None:
        """Kept over the restart, the count goes on (`after` >= `before`, with what was not yet
        flushed before it); started again, `before` was this lifetime's last reading."""
        self.counted += (after if after >= before else before) - self.baseline
        self.baseline = after

    async def total(self) -> int:
        return self.counted + await reads_served(self.replica, self.database) - self.baseline


@dataclass
class Keys:
    file: Path
    old: SigningKey
    new: SigningKey
    oracle: SigningKey

    def trust(self, *online: SigningKey) -> None:
        write_keys_file(self.file, {CLIENT: online, ORACLE_CLIENT: [self.oracle]})


@dataclass
class Scene:
    """Everything the run acts on while the load runs."""

    config: TopologyConfig
    network: HostNetwork
    primary: Cluster
    replica: Cluster
    database: str
    hosts: list[GatewayProcess]
    balancer: Balancer
    keys: Keys
    load: Load
    meter: ReplicaMeter
    redis_port: int
    work: Path  # the logs: PgBouncer's names the addresses its clients came from
    began: float = 0.0
    steps: list[Step] = field(default_factory=list)
    rotation: Rotation = field(default_factory=Rotation)
    cross_host: CrossHost = field(default_factory=CrossHost)
    oracle: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def name(self, index: int) -> str:
        return f"h{index + 1}"

    async def busy(self) -> None:
        """Up to a second for most clients to be waiting on an answer."""
        for _ in range(50):
            if self.load.finished or self.load.in_flight >= self.config.concurrency * 3 // 4:
                return
            await asyncio.sleep(0.02)

    def record(self, kind: str, started: float, answered: int, in_flight: int, detail: str) -> None:
        self.steps.append(
            Step(
                kind=kind,
                at_answers=answered,
                started_s=round(started - self.began, 2),
                in_flight=in_flight,
                seconds=round(time.monotonic() - started, 2),
                detail=detail,
            )
        )

    async def kill_host(self) -> None:
        """`kill -9` the host with the most requests in flight, and bring it back."""
        await self.busy()
        started, answered = time.monotonic(), self.load.answered
        busy = {name: int(row["scur"]) for name, row in self.balancer.servers().items()}
        index = max(range(len(self.hosts)), key=lambda i: busy[self.name(i)])
        host, name, in_flight = self.hosts[index], self.name(index), busy[self.name(index)]
        pid = host.process.pid if host.process else -1
        host.kill9()
        await asyncio.to_thread(host.start)
        await asyncio.to_thread(self.balancer.wait_for, name, "UP")
        detail = f"kill -9 pid {pid} on {name} ({host.host}), restarted, UP in HAProxy again"
        self.record("host-kill", started, answered, in_flight, detail)

    async def restart_replica(self) -> None:
        await self.busy()
        started, answered, in_flight = time.monotonic(), self.load.answered, self.load.in_flight
        await self.meter.restart()
        self.record("replica-restart", started, answered, in_flight, "pg_ctl restart -m fast")

    async def restart_in_turn(self, index: int) -> None:
        """A rolling restart of one host: out of HAProxy, drained, SIGTERM, started (reading
        the keys file again), back in HAProxy once its health check passes."""
        name, host = self.name(index), self.hosts[index]
        await asyncio.to_thread(self.balancer.drain, name)
        if not await asyncio.to_thread(host.terminate_gracefully):
            self.rotation.unclean_stops += 1
        await asyncio.to_thread(host.start)
        await asyncio.to_thread(self.balancer.restore, name)
        self.rotation.hosts_restarted += 1

    async def expect(
        self, index: int, trusted: tuple[SigningKey, ...], untrusted: tuple[SigningKey, ...]
    ) -> None:
        """Host `index` takes a token signed with each `trusted` key, and answers 401 to one
        signed with each `untrusted` key."""
        url, name = self.hosts[index].url, self.name(index)
        for key in trusted:
            if await accepts(url, key.token(SUB)) is not True:
                self.rotation.trusted_refused += 1
                self.problems.append(f"{name} refused key {key.kid}, which it trusts")
        for key in untrusted:
            if await accepts(url, key.token(SUB)) is not False:
                self.rotation.dropped_accepted += 1
                self.problems.append(f"{name} took key {key.kid}, which it does not trust")

    async def rotate_key(self) -> None:
        """docs/operations.md's rotation: trust both keys on every host in turn, switch the
        client to the new key, then drop the old one on every host in turn."""
        keys, load = self.keys, self.load
        started, answered = time.monotonic(), load.answered
        failed_before = sum(load.failures.values())
        for index in range(len(self.hosts)):  # the new key is refused before it is trusted
            await self.expect(index, (keys.old,), (keys.new,))
        keys.trust(keys.old, keys.new)
        for index in range(len(self.hosts)):
            await self.restart_in_turn(index)
            await self.expect(index, (keys.old, keys.new), ())
        load.token = keys.new.token(SUB)
        keys.trust(keys.new)
        for index in range(len(self.hosts)):
            await self.restart_in_turn(index)
            await self.expect(index, (keys.new,), (keys.old,))
        self.rotation.load_failures = sum(load.failures.values()) - failed_before
        self.rotation.seconds = round(time.monotonic() - started, 2)
        self.rotation.done = not load.finished
        detail = f"{self.rotation.hosts_restarted} rolling restarts, {OLD_KID} -> {NEW_KID}"
        self.record("key-rotation", started, answered, load.in_flight, detail)

    async def play(self, cross_host_chains: list[Chain], run_id: str) -> None:
        """The probes and faults, in order, while the load runs; then the load winds down."""
        config, load = self.config, self.load
        await load.reached(min(50, config.min_mutations // 10)).wait()
        urls = [h.url for h in self.hosts]
        probe = Load(config=load.config, urls=urls, token=load.token, run_id=run_id)
        self.cross_host = await same_key_everywhere(probe, cross_host_chains, run_id, load.answers)
        oracle_token = self.keys.oracle.token(ORACLE_SUB)
        self.oracle = await spend_oracle_budget(urls, oracle_token, ORACLE_BUDGET)
        for _ in range(config.host_kills):
            await self.kill_host()
        for _ in range(config.replica_restarts):
            await self.restart_replica()
        await self.rotate_key()
        await load.reached(config.min_mutations).wait()
        load.winding_down = True


# --------------------------------------------------------------------------- figures


@dataclass
class TopologyFigures:
    label: str
    passed: bool
    hosts: int
    namespaces: bool
    why_loopback: str
    subnet: str | None
    host_addresses: list[str]
    pooler: str
    pooler_clients: list[str]
    replica_reads_enabled: bool
    host_kills: int
    replica_restarts: int
    acknowledged: int
    mutations_planned: int
    acked_missing: int
    duplicates: int
    unanswered: int
    unexpected_verdicts: int
    cross_host_keys: int
    cross_host_mismatches: int
    oracle_answers: list[str]
    oracle_expected: list[str]
    oracle_failures_in_redis: int | None
    rotation_failures: int
    rotation: dict[str, Any]
    replica_reads: int
    replica_caught_up: bool
    replica_lpas: int
    primary_lpas: int
    requests_per_host: dict[str, int]
    balancer_retries: int  # HAProxy's wretr: connections retried (failed, or no response)
    balancer_redispatches: int  # HAProxy's wredis: requests sent to another host instead
    hosts_stopped_cleanly: bool
    checks: dict[str, str]
    steps: list[dict[str, Any]]
    failures_seen: dict[str, int]
    retries: int
    load_seconds: float
    mutations_per_second: float
    storm: dict[str, Any]
    problems: list[str]
    started_at: str
    seconds: float = 0.0
    command: str = ""


def verdict(ok: bool, failure: str) -> str:
    return PASSED if ok else f"FAILED: {failure}"


def replica_verdict(enabled: bool, reads: int) -> str:
    """Whether the replica served the hosts: required once they are given it; until the
    gateway can be (--replica-reads), not yet possible, with what was measured all the same."""
    if enabled:
        return verdict(reads > 0, "the hosts read nothing from the replica")
    return (
        f"{NOT_YET}: the hosts are given no replica (--replica-reads is off: the gateway has "
        f"no {READ_URL_VARIABLE} yet); {reads} replica reads measured"
    )


def judge(scene: Scene, figures: dict[str, Any]) -> dict[str, str]:
    """Each promise the run checks, and how it came out."""
    rotation = scene.rotation
    kills = sum(1 for s in scene.steps if s.kind == "host-kill")
    restarts = sum(1 for s in scene.steps if s.kind == "replica-restart")
    checks = {
        "no acknowledged write lost": verdict(figures["acked_missing"] == 0, "writes missing"),
        "no acknowledged write doubled": verdict(figures["duplicates"] == 0, "duplicates"),
        "every mutation answered as expected": verdict(
            figures["unanswered"] == 0
            and figures["unexpected_verdicts"] == 0
            and figures["acknowledged"] == figures["mutations_planned"],
            "unanswered or unexpected answers",
        ),
        "history, outbox and versions agree": verdict(
            counts_agree(figures["storm"]) and figures["storm"]["idempotency_mismatches"] == 0,
            "counts disagree",
        ),
        "idempotency holds across hosts": verdict(
            scene.cross_host.probes == scene.config.cross_host_keys
            and scene.cross_host.mismatches == 0
            and scene.cross_host.unanswered == 0,
            scene.cross_host.detail or "a key sent to every host was not answered alike",
        ),
        "the oracle budget is shared": verdict(
            scene.oracle == figures["oracle_expected"]
            and figures["oracle_failures_in_redis"] == ORACLE_BUDGET,
            f"answers {scene.oracle}, failures in Redis {figures['oracle_failures_in_redis']}",
        ),
        "no request fails during the key rotation": verdict(
            rotation.done and figures["rotation_failures"] == 0,
            f"{figures['rotation_failures']} failures"
            if rotation.done
            else "the rotation did not run to its end under load",
        ),
        "a key is refused where it is not trusted": verdict(
            rotation.done and rotation.dropped_accepted == 0,
            "a host took a key it did not trust"
            if rotation.done
            else "the rotation did not run to its end under load",
        ),
        "faults struck under load": verdict(
            kills == scene.config.host_kills and restarts == scene.config.replica_restarts,
            f"{kills} host kills, {restarts} replica restarts",
        ),
        "the replica streams and catches up": verdict(
            figures["replica_caught_up"] and figures["replica_lpas"] == figures["primary_lpas"],
            f"replica has {figures['replica_lpas']} LPAs, primary {figures['primary_lpas']}",
        ),
        "hosts shut down cleanly": verdict(
            figures["hosts_stopped_cleanly"] and rotation.unclean_stops == 0,
            "a host did not drain",
        ),
        "the replica serves reads": replica_verdict(
            scene.config.replica_reads, figures["replica_reads"]
        ),
    }
    if scene.config.pooler != "none":
        addresses = sorted(set(scene.network.host_addresses))
        checks["every host reaches the primary through PgBouncer"] = verdict(
            figures["pooler_clients"] == addresses,
            f"PgBouncer's clients came from {figures['pooler_clients']}, hosts are {addresses}",
        )
    return checks


def passed(checks: dict[str, str]) -> bool:
    return all(c == PASSED or c.startswith(NOT_YET) for c in checks.values())


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
                pgbouncer(primary, config.pooler, listen, work)
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


# --------------------------------------------------------------------------- reporting

ROWS = (
    ("hosts", "gateway hosts behind HAProxy"),
    ("acknowledged", "answers received (accepted or refused)"),
    ("acked_missing", "acknowledged writes missing from the database"),
    ("duplicates", "extra LPAs for one logical create"),
    ("cross_host_keys", "keys sent to every host at once"),
    ("cross_host_mismatches", "of those, hosts answering differently"),
    ("host_kills", "kill -9 of a host (each brought back)"),
    ("replica_restarts", "replica restarts (pg_ctl restart -m fast)"),
    ("rotation_failures", "requests failed while the key rotated"),
    ("replica_reads", "table scans the replica ran for the hosts"),
    ("retries", "extra attempts the load's clients made"),
    ("balancer_retries", "connections HAProxy retried (failed, or no response)"),
    ("balancer_redispatches", "requests HAProxy sent to another host instead"),
    ("load_seconds", "duration of the load (s)"),
    ("mutations_per_second", "answered mutations per second"),
    ("seconds", "whole run, set-up and clean-up included (s)"),
)


def render(figures: TopologyFigures) -> str:
    where = (
        f"network namespaces in {figures.subnet}"
        if figures.namespaces
        else f"LOOPBACK processes, not namespaces ({figures.why_loopback})"
    )
    lines = [
        f"topology '{figures.label}': {figures.hosts} hosts as {where}; pooler "
        f"{figures.pooler}; replica reads {'on' if figures.replica_reads_enabled else 'off'}",
        "",
        *figure_table(figures, ROWS),
        "",
    ]
    for step in figures.steps:
        lines.append(
            f"  {step['kind']:<16} after {step['at_answers']} answers, t={step['started_s']}s, "
            f"{step['in_flight']} in flight, took {step['seconds']}s ({step['detail']})"
        )
    lines.append(f"  oracle, one wrong guess per host in turn: {' '.join(figures.oracle_answers)}")
    lines.append(f"  requests per host (HAProxy): {json.dumps(figures.requests_per_host)}")
    if figures.pooler != "none":
        lines.append(f"  PgBouncer's clients came from: {' '.join(figures.pooler_clients)}")
    lines.append("  failures clients saw (each retried): " + json.dumps(figures.failures_seen))
    for problem in figures.problems[:15]:
        lines.append(f"  ! {problem}")
    lines.append("")
    lines += [f"  {name}: {outcome}" for name, outcome in figures.checks.items()]
    lines.append("")
    lines.append("PASSED" if figures.passed else "FAILED")
    return "\n".join(lines)


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
