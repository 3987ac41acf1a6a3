"""`python -m bench [--quick]`: one table comparing the gateway with its floor, per operation
and worker count, printed and saved as var/bench/<time>.json and var/bench/last.json."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from app.authz.policy import MAX_RATE
from app.settings import DEFAULT_POLICY_DIR

from . import load, servers, validation
from . import profile as profiling
from .cluster import Database, bench_database, free_port, pooled_url
from .keys import ClientKeys
from .operations import KEY_PLACEHOLDER, OPERATIONS, Operation
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


def _plan(argv: list[str] | None) -> Plan:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short runs: under 3 minutes")
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
    args = parser.parse_args(argv)
    names = args.only.split(",") if args.only else [op.name for op in OPERATIONS]
    unknown = set(names) - {op.name for op in OPERATIONS}
    if unknown:
        parser.error(f"unknown operation(s): {', '.join(sorted(unknown))}")
    generator = args.generator
    if generator == "auto":
        generator = "wrk" if load.wrk_available() else "python"
    elif generator == "wrk" and not load.wrk_available():
        parser.error("wrk is not installed (apt-get install -y wrk)")
    return Plan(
        seconds=args.seconds or (4.0 if args.quick else 10.0),
        warmup=args.warmup or (1.5 if args.quick else 3.0),
        connections=args.connections,
        workers=tuple(int(w) for w in args.workers.split(",")),
        lpas=args.lpas,
        operations=tuple(op for op in OPERATIONS if op.name in names),
        generator=generator,
        wrk_threads=args.wrk_threads,
        quick=args.quick,
        deadline_seconds=175 if args.quick else 1800,
        profile=args.profile,
        repeat=args.repeat or (1 if args.quick else 2),
        gateway_settings=dict(s.split("=", 1) for s in args.set),
        pooler=args.pooler == "transaction",
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


def _check_answers(op: Operation, server: servers.Server, path: str, body: str, auth: str) -> None:
    """One request before the load: a run that measures error answers measures nothing."""
    answer = _post(server.port, path, body.replace(KEY_PLACEHOLDER, uuid.uuid4().hex), auth)
    if op.expect not in answer or '"errors"' in answer:
        raise RuntimeError(f"{server.name} answers {op.name} wrongly: {answer[:500]}")


@dataclass(frozen=True, slots=True)
class Measured:
    result: load.LoadResult
    server_cpu_us: float
    postgres_cpu_us: float | None
    foreign_cpu_share: float  # of all CPUs, used by processes outside this run
    peak_rss_mb: float


def _measure(
    plan: Plan,
    op: Operation,
    server: servers.Server,
    path: str,
    script: Path | None,
    bodies: list[str],
    authorizations: list[str],
    db: Database,
    profile: Path | None = None,
) -> Measured:
    url = f"http://127.0.0.1:{server.port}{path}"

    def drive(seconds: float) -> load.LoadResult:
        if plan.generator == "wrk" and script is not None:
            return load.run_wrk(
                url, script, seconds=seconds, connections=plan.connections,
                threads=plan.wrk_threads,
            )  # fmt: skip
        return load.run_python(
            url, bodies, op.expect, authorizations, uuid.uuid4().hex[:8],
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


def unthrottled_policy(scratch: Path) -> Path:
    """The policy with every client's rate limit at its ceiling: the limiter still runs on
    every request (its leases are measured), but never refuses one."""
    folder = scratch / "permissions"
    shutil.copytree(DEFAULT_POLICY_DIR, folder, dirs_exist_ok=True)
    for path in folder.glob("*.toml"):
        text = re.sub(
            r"\[rate\]\nper_second = [^\n]*\nburst = [^\n]*\n",
            f"[rate]\nper_second = {MAX_RATE}\nburst = {MAX_RATE}\n",
            path.read_text(),
        )
        path.write_text(text)
    return folder


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
        LPA_GATEWAY_POLICY_DIR=str(unthrottled_policy(scratch)),
    )
    env.update(extra)
    return env


def run(plan: Plan, scratch: Path) -> list[Row]:
    rows: list[Row] = []
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
                    scratch / f"floor-{workers}.log", ROOT / "var" / "bench",
                ) as floor,
                servers.serving(
                    "gateway", gateway_argv, env, gateway_port, workers,
                    scratch / f"gateway-{workers}.log", ROOT / "var" / "bench",
                ) as gateway,
            ):  # fmt: skip
                for op in plan.operations:
                    rows.append(_compare(plan, op, workers, floor, gateway, seeded, rng, keys,
                                         db, scratch, run_id))  # fmt: skip
                    print(rows[-1].progress_line(), flush=True)
    return rows


def _compare(
    plan: Plan,
    op: Operation,
    workers: int,
    floor: servers.Server,
    gateway: servers.Server,
    seeded: Seeded,
    rng: random.Random,
    keys: ClientKeys,
    db: Database,
    scratch: Path,
    run_id: str,
) -> Row:
    bodies = op.bodies(seeded, rng)
    # A token per simulated user: every request carries one, verified in full each time.
    authorizations = [f"Bearer {keys.token(op.client)}" for _ in range(TOKENS)]
    floor_path, gateway_path = f"/floor/{op.name}", "/graphql"
    script = None
    if plan.generator == "wrk":
        script = load.write_script(
            scratch, f"{op.name}-{workers}", bodies, op.expect, authorizations,
            f"{run_id}-{workers}",
        )  # fmt: skip
    _check_answers(op, floor, floor_path, bodies[0], authorizations[0])
    _check_answers(op, gateway, gateway_path, bodies[0], authorizations[0])
    spied = ROOT / "var" / "bench" / f"profile-{op.name}-{workers}.txt" if plan.profile else None
    floors, gateways = [], []
    # Floor and gateway take turns, so a burst of other load on a shared machine hits both;
    # the fastest run of each is kept.
    for turn in range(plan.repeat):
        floors.append(_measure(plan, op, floor, floor_path, script, bodies, authorizations, db))
        gateways.append(
            _measure(
                plan, op, gateway, gateway_path, script, bodies, authorizations, db,
                spied if turn == 0 else None,
            )
        )  # fmt: skip
    if spied is not None and spied.exists():
        print(profiling.summary(spied, 45))
    fastest_floor = max(floors, key=lambda m: m.result.rps)
    return Row.of(op.name, workers, max(gateways, key=lambda m: m.result.rps), fastest_floor)


def main(argv: list[str] | None = None) -> int:
    plan = _plan(argv)
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGALRM, _on_signal)
    signal.alarm(plan.deadline_seconds)
    started = time.monotonic()
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    print(
        f"bench: {'QUICK ' if plan.quick else ''}{len(plan.operations)} operations x workers "
        f"{list(plan.workers)}, {plan.connections} connections, {plan.seconds:g}s runs after "
        f"{plan.warmup:g}s warm-up, best of {plan.repeat}, generator {plan.generator}",
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
            "gateway": "lpa-gateway serve (LPA_GATEWAY_ENV=production, default pool and limits)",
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
