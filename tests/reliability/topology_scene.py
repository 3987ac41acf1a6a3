"""The topology run's settings, and what it does to the topology while the load runs: it
sends one idempotency key to every host at once, spends the oracle's budget across hosts,
kills the busiest host and brings it back, restarts the replica, and rotates the online
service's key host by host (see topology.py)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path

from app.settings import Settings
from tests.reliability.balancer import Balancer
from tests.reliability.client_keys import SigningKey, write_keys_file
from tests.reliability.cluster import Cluster
from tests.reliability.gateways import GatewayProcess
from tests.reliability.network import HostNetwork
from tests.reliability.storm import CLIENT, SUB, Chain, Load, StormConfig
from tests.reliability.topology_probes import (
    CrossHost,
    accepts,
    reads_served,
    same_key_everywhere,
    spend_oracle_budget,
)

POOLERS = ("transaction", "session", "none")
# The hosts run behind PgBouncer in transaction mode and read from the replica (issue 15,
# sections 1 and 2); --pooler and --no-replica-reads try the other ways.
DEFAULT_POOLER = "transaction"
DEFAULT_REPLICA_READS = True
POOLER_VARIABLE = "LPA_GATEWAY_DATABASE_POOLER"  # set on the hosts with --pooler transaction
READ_URL_VARIABLE = "LPA_GATEWAY_READ_DATABASE_URL"  # set on the hosts with --replica-reads
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
