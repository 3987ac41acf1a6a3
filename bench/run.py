"""`python -m bench [--quick] [--peers]`: one table comparing the gateway with its floor, per
operation, document shape (trusted or ad-hoc) and worker count, and with --peers PostGraphile
and Mercurius too, printed and saved as var/bench/<time>.json and var/bench/last.json."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from . import load, peer_servers, servers, validation
from . import profile as profiling
from .cluster import Database, bench_database, free_port, pooled_url
from .keys import ClientKeys
from .operations import DOCUMENTS, KEY_PLACEHOLDER, OPERATIONS, Document, Operation, Variables
from .policy import bench_policy
from .report import Row, print_table, targets
from .seed import Seeded, seed

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
TOKENS = 200  # distinct tokens (people) per operation; each request picks one


@dataclass(frozen=True, slots=True)
class Plan:
    seconds: float
    warmup: float
    connections: int
    workers: tuple[int, ...]
    lpas: int
    operations: tuple[Operation, ...]
    generator: str
    wrk_threads: int
    quick: bool
    deadline_seconds: int
    profile: bool
    repeat: int
    gateway_settings: dict[str, str]
    pooler: bool  # the gateway through PgBouncer in transaction mode; the floor direct
    peers: bool  # PostGraphile and Mercurius too, at one worker (bench/peer_servers.py)


def _plan(argv: list[str] | None) -> Plan:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short runs: about 4 minutes")
    parser.add_argument("--seconds", type=float, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, help="warm-up seconds before each run")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", default="1,2", help="worker counts, e.g. 1,2")
    parser.add_argument("--lpas", type=int, default=100_000, help="LPAs to seed (>= 100000)")
    parser.add_argument("--only", help="operations to run, e.g. lpaStatus,createLpa")
    parser.add_argument("--generator", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument(
        "--repeat", type=int, help="runs per operation and server; the fastest is kept"
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a gateway setting for this run, e.g. LPA_GATEWAY_DB_POOL_SIZE=32",
    )
    parser.add_argument(
        "--profile", action="store_true", help="py-spy the gateway's first worker while measured"
    )
    parser.add_argument(
        "--pooler",
        choices=("none", "transaction"),
        default="none",
        help="transaction: the gateway reaches PostgreSQL through PgBouncer in transaction mode "
        "(LPA_GATEWAY_DATABASE_POOLER=transaction); the floor stays direct",
    )
    parser.add_argument(
        "--peers",
        action="store_true",
        help="also PostGraphile 4 and Mercurius (graphql-jit), one process each, at one worker; "
        "installed under var/peers/ by `make bench PEERS=1`",
    )
    args = parser.parse_args(argv)
    names = args.only.split(",") if args.only else [op.name for op in OPERATIONS]
    unknown = set(names) - {op.name for op in OPERATIONS}
    if unknown:
        parser.error(f"unknown operation(s): {', '.join(sorted(unknown))}")
    operations = tuple(op for op in OPERATIONS if op.name in names)
    workers = tuple(int(w) for w in args.workers.split(","))
    if args.peers and 1 not in workers:
        parser.error("--peers runs at one worker: --workers must include 1")
    if args.peers and not peer_servers.served(operations):
        parser.error("--peers: the peers serve lpaStatus only, and --only leaves it out")
    generator = args.generator
    if generator == "auto":
        generator = "wrk" if load.wrk_available() else "python"
    elif generator == "wrk" and not load.wrk_available():
        parser.error("wrk is not installed (apt-get install -y wrk)")
    return Plan(
        seconds=args.seconds or (4.0 if args.quick else 10.0),
        warmup=args.warmup or (1.5 if args.quick else 3.0),
        connections=args.connections,
        workers=workers,
        lpas=args.lpas,
        operations=operations,
        generator=generator,
        wrk_threads=args.wrk_threads,
        quick=args.quick,
        deadline_seconds=330 if args.quick else 2400,
        profile=args.profile,
        repeat=args.repeat or (1 if args.quick else 2),
        gateway_settings=dict(s.split("=", 1) for s in args.set),
        pooler=args.pooler == "transaction",
        peers=args.peers,
    )


class Deadline(Exception):
    pass


def _on_signal(signum: int, _frame: FrameType | None) -> None:
    raise Deadline("time limit reached" if signum == signal.SIGALRM else f"signal {signum}")


def _machine() -> dict[str, Any]:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
        check=False,
    ).stdout.strip()  # fmt: skip
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "commit": commit,
    }


def _post(port: int, path: str, body: str, authorization: str) -> str:
    request = urllib.request.Request(  # loopback only
        f"http://127.0.0.1:{port}{path}",
        data=body.encode(),
        headers={"Content-Type": "application/json", "Authorization": authorization},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        return str(answer.read().decode())


@dataclass(frozen=True, slots=True)
class Contender:
    """One server sent one shape of one operation's bodies: a row of the table (or the floor)."""

    server: servers.Server
    document: Document
    path: str
    bodies: list[str]
    authorizations: list[str]
    script: Path | None  # wrk's, or None for the Python generator


def _check_answers(op: Operation, contender: Contender) -> None:
    """One request before the load: a run that measures error answers measures nothing."""
    c = contender
    body = c.bodies[0].replace(KEY_PLACEHOLDER, uuid.uuid4().hex)
    answer = _post(c.server.port, c.path, body, c.authorizations[0])
    if op.expect not in answer or '"errors"' in answer:
        raise RuntimeError(
            f"{c.server.name} answers {op.name} ({c.document}) wrongly: {answer[:500]}"
        )


@dataclass(frozen=True, slots=True)
class Measured:
    result: load.LoadResult
    server_cpu_us: float
    postgres_cpu_us: float | None
    foreign_cpu_share: float  # of all CPUs, used by processes outside this run
    peak_rss_mb: float


def _measure(
    plan: Plan, op: Operation, contender: Contender, db: Database, profile: Path | None = None
) -> Measured:
    server = contender.server
    url = f"http://127.0.0.1:{server.port}{contender.path}"

    def drive(seconds: float) -> load.LoadResult:
        if plan.generator == "wrk" and contender.script is not None:
            return load.run_wrk(
                url, contender.script, seconds=seconds, connections=plan.connections,
                threads=plan.wrk_threads,
            )  # fmt: skip
        return load.run_python(
            url, contender.bodies, op.expect, contender.authorizations, uuid.uuid4().hex[:8],
            seconds=seconds, connections=plan.connections,
        )  # fmt: skip

    drive(plan.warmup)

    def postgres() -> list[int]:
        pid = db.postmaster_pid
        return [pid, *servers.children(pid)] if pid else []

    server_before = servers.cpu_by_pid(server.all_pids)
    pg_before = servers.cpu_by_pid(postgres())
    busy_before, wall_before = servers.machine_busy_seconds(), time.monotonic()
    spy = None
    if profile is not None:
        spy = profiling.start(server.workers[0], plan.seconds, profile)
    result = drive(plan.seconds)
    if spy is not None:
        spy.wait(timeout=60)
    server_cpu = servers.cpu_since(server_before, server.all_pids)
    pg_cpu = servers.cpu_since(pg_before, postgres())
    busy = servers.machine_busy_seconds() - busy_before
    wall = time.monotonic() - wall_before
    ours = server_cpu + pg_cpu + result.generator_cpu_s
    requests = max(result.requests, 1)
    return Measured(
        result=result,
        server_cpu_us=server_cpu / requests * 1e6,
        postgres_cpu_us=pg_cpu / requests * 1e6 if db.postmaster_pid else None,
        foreign_cpu_share=max(0.0, busy - ours) / (wall * (os.cpu_count() or 1)),
        peak_rss_mb=server.peak_rss_mb(),
    )


def _gateway_env(
    db: Database, keys: ClientKeys, scratch: Path, extra: dict[str, str]
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LPA_GATEWAY_")}
    env.update(
        LPA_GATEWAY_ENV="production",
        LPA_GATEWAY_DATABASE_URL=db.sqlalchemy_url,
        LPA_GATEWAY_CLIENT_KEYS_FILE=str(keys.file),
        LPA_GATEWAY_DEV_KEYS_DIR=str(scratch / "no-dev-keys"),
        # Large enough that half the oracle's callers failing never locks an LPA.
        LPA_GATEWAY_ORACLE_FAILURE_BUDGET="1000000000",
        LPA_GATEWAY_ALLOWED_HOSTS="127.0.0.1",  # the load generators' Host
        LPA_GATEWAY_POLICY_DIR=str(bench_policy(scratch)),
    )
    env.update(extra)
    return env


def run(plan: Plan, scratch: Path) -> list[Row]:
    rows: list[Row] = []
    keep = ROOT / "var" / "bench"
    with bench_database() as db, contextlib.ExitStack() as stack:
        print(f"bench: PostgreSQL ready ({'own cluster' if db.postmaster_pid else 'given server'})")
        keys = ClientKeys(scratch / "keys")
        env = _gateway_env(db, keys, scratch, plan.gateway_settings)
        subprocess.run(
            [str(VENV_BIN / "lpa-gateway"), "migrate"], env=env, check=True, timeout=120, cwd=ROOT
        )
        if plan.pooler:
            pooled = stack.enter_context(pooled_url(db.sqlalchemy_url, scratch))
            env |= {
                "LPA_GATEWAY_DATABASE_URL": pooled,
                "LPA_GATEWAY_DATABASE_POOLER": "transaction",
            }
            print("bench: the gateway goes through PgBouncer in transaction mode", flush=True)
        seeded: Seeded = asyncio.run(seed(db.dsn, plan.lpas))
        print(f"bench: seeded {seeded.count} LPAs in {seeded.seconds:.1f}s", flush=True)
        rng = random.Random(7)
        run_id = uuid.uuid4().hex[:8]
        for workers in plan.workers:
            floor_port, gateway_port = free_port(), free_port()
            floor_argv = [
                str(VENV_BIN / "uvicorn"), "bench.floor:create_app", "--factory",
                "--host", "127.0.0.1", "--port", str(floor_port), "--workers", str(workers),
                "--no-access-log", "--log-level", "warning", "--no-server-header",
            ]  # fmt: skip
            gateway_argv = [
                str(VENV_BIN / "lpa-gateway"), "serve", "--host", "127.0.0.1",
                "--port", str(gateway_port), "--workers", str(workers),
            ]  # fmt: skip
            floor_env = {**os.environ, "BENCH_FLOOR_DSN": db.dsn, "PYTHONPATH": str(ROOT)}
            with (
                servers.serving(
                    "floor", floor_argv, floor_env, floor_port, workers,
                    scratch / f"floor-{workers}.log", keep,
                ) as floor,
                servers.serving(
                    "gateway", gateway_argv, env, gateway_port, workers,
                    scratch / f"gateway-{workers}.log", keep,
                ) as gateway,
                _peers(plan, workers, db, scratch, keep) as peers,
            ):  # fmt: skip
                session = Session(plan, workers, floor, gateway, peers, keys, db, scratch, run_id)
                for op in plan.operations:
                    for row in session.compare(op, op.variables(seeded, rng)):
                        rows.append(row)
                        print(row.progress_line(), flush=True)
    return rows


@contextlib.contextmanager
def _peers(
    plan: Plan, workers: int, db: Database, scratch: Path, keep: Path
) -> Iterator[list[tuple[peer_servers.Peer, servers.Server]]]:
    """The peers, at one worker only (each is one process)."""
    if not (plan.peers and workers == 1):
        yield []
        return
    with peer_servers.serving_peers(db.dsn, scratch, keep) as running:
        print(f"bench: peers ready: {', '.join(p.name for p, _ in running)}", flush=True)
        yield running


@dataclass(frozen=True, slots=True)
class Session:
    """The servers of one worker count, and what every operation's turns share."""

    plan: Plan
    workers: int
    floor: servers.Server
    gateway: servers.Server
    peers: list[tuple[peer_servers.Peer, servers.Server]]
    keys: ClientKeys
    db: Database
    scratch: Path
    run_id: str

    def contenders(
        self, op: Operation, variables: list[Variables], tokens: list[str]
    ) -> list[Contender]:
        """The gateway sent each shape, then each peer serving `op` its own document."""
        found = [
            self._contender(op, self.gateway, document, "/graphql", op.bodies(variables, document),
                            tokens)
            for document in DOCUMENTS
        ]  # fmt: skip
        found += [
            self._contender(op, server, "ad-hoc", "/graphql", peer.bodies(op, variables), tokens)
            for peer, server in self.peers
            if peer.serves(op)
        ]
        return found

    def floor_contender(
        self, op: Operation, variables: list[Variables], tokens: list[str]
    ) -> Contender:
        """The floor reads only the variables; it is sent the trusted bodies, the smallest."""
        return self._contender(
            op, self.floor, "trusted", f"/floor/{op.name}", op.bodies(variables, "trusted"), tokens
        )

    def _contender(
        self,
        op: Operation,
        server: servers.Server,
        document: Document,
        path: str,
        bodies: list[str],
        tokens: list[str],
    ) -> Contender:
        script = None
        if self.plan.generator == "wrk":
            script = load.write_script(
                self.scratch, f"{op.name}-{server.name}-{document}-{self.workers}", bodies,
                op.expect, tokens, f"{self.run_id}-{self.workers}",
            )  # fmt: skip
        contender = Contender(server, document, path, bodies, tokens, script)
        _check_answers(op, contender)
        return contender

    def compare(self, op: Operation, variables: list[Variables]) -> list[Row]:
        """Rows for `op`: every contender sent the same variables and tokens as the floor."""
        plan = self.plan
        # A token per simulated user: every request carries one, verified in full each time.
        tokens = [f"Bearer {self.keys.token(op.client)}" for _ in range(TOKENS)]
        floor = self.floor_contender(op, variables, tokens)
        contenders = self.contenders(op, variables, tokens)
        floors: list[Measured] = []
        measured: list[list[Measured]] = [[] for _ in contenders]
        # The floor and every contender take turns, so a burst of other load on a shared
        # machine hits them all; the fastest run of each is kept.
        for turn in range(plan.repeat):
            floors.append(_measure(plan, op, floor, self.db))
            for runs, contender in zip(measured, contenders, strict=True):
                spied = self._spied(op, contender, turn)
                runs.append(_measure(plan, op, contender, self.db, spied))
        for contender in contenders:
            spied = self._spied(op, contender, 0)
            if spied is not None and spied.exists():
                print(profiling.summary(spied, 45))
        fastest_floor = max(floors, key=lambda m: m.result.rps)
        return [
            Row.of(op.name, c.server.name, c.document, self.workers,
                   max(runs, key=lambda m: m.result.rps), fastest_floor)
            for c, runs in zip(contenders, measured, strict=True)
        ]  # fmt: skip

    def _spied(self, op: Operation, contender: Contender, turn: int) -> Path | None:
        """py-spy's output for the gateway's first turn of each shape, with --profile."""
        if not self.plan.profile or turn or contender.server is not self.gateway:
            return None
        return ROOT / "var" / "bench" / f"profile-{op.name}-{contender.document}-{self.workers}.txt"


def main(argv: list[str] | None = None) -> int:
    plan = _plan(argv)
    if plan.peers:
        try:
            peer_servers.node_binary()
            peer_servers.check_installed()
        except peer_servers.PeersUnavailable as missing:
            print(missing, file=sys.stderr)
            return 2
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGALRM, _on_signal)
    signal.alarm(plan.deadline_seconds)
    started = time.monotonic()
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    print(
        f"bench: {'QUICK ' if plan.quick else ''}{len(plan.operations)} operations x workers "
        f"{list(plan.workers)}, {plan.connections} connections, {plan.seconds:g}s runs after "
        f"{plan.warmup:g}s warm-up, best of {plan.repeat}, generator {plan.generator}"
        f"{', peers at 1 worker' if plan.peers else ''}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="lpa-bench-") as folder:
        try:
            rows = run(plan, Path(folder))
        except (Deadline, KeyboardInterrupt) as stop:
            print(f"bench: stopped: {stop}", file=sys.stderr)
            return 1
        finally:
            signal.alarm(0)
    verdicts = targets(rows)
    hostile = validation.worst()
    report: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": plan.quick,
        "machine": _machine(),
        "settings": {
            "connections": plan.connections,
            "seconds": plan.seconds,
            "warmup": plan.warmup,
            "generator": plan.generator,
            "wrk_threads": plan.wrk_threads,
            "repeat": plan.repeat,
            "seeded_lpas": plan.lpas,
            "gateway": "lpa-gateway serve (LPA_GATEWAY_ENV=production, default pool and limits; "
            "policy: rate limits at their ceiling, documents = any for every client)",
            "documents": "trusted: documentId of the registered text; ad-hoc: the same "
            "operation pretty-printed, as query",
            "peers": {p.name: p.versions() for p in peer_servers.PEERS} if plan.peers else {},
            "gateway_settings": plan.gateway_settings,
            "pooler": "transaction" if plan.pooler else "none",
        },
        "elapsed_seconds": round(time.monotonic() - started, 1),
        "results": [row.as_json() for row in rows],
        "validation": hostile.as_json(),
        "targets": verdicts,
    }
    print_table(rows)
    print(hostile.line())
    for line in verdicts:
        print(line)
    text = json.dumps(report, indent=2)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (out / f"{stamp}{'-quick' if plan.quick else ''}.json").write_text(text)
    (out / "last.json").write_text(text)
    print(f"bench: saved var/bench/last.json ({report['elapsed_seconds']}s)")
    return 0
