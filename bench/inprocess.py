"""`python -m bench.inprocess`: the CPU one request costs, measured without sockets.

The machine the bench runs on is shared and has two cores, so wall-clock figures move by tens
of percent from one run to the next. This harness reads process CPU instead
(`time.process_time()`: every thread of the process, the audit batch's writer included) and
leaves out the network: each request goes straight into the ASGI callable.

- PostgreSQL: a database of its own (on `LPA_GATEWAY_BENCH_POSTGRES_URL`, or a throwaway
  cluster), migrated and seeded with `--lpas` LPAs by bench/seed.py;
- the gateway: `app.http.app.create_app` with the bench's production settings
  (bench/run.py's environment, policy and keys), its JSON log line written to /dev/null, its
  lifespan run as uvicorn runs it, on uvloop where it is installed;
- the floor: bench/floor.py's app, the same way;
- with `--controls`, the controls app (bench/controls.py): the floor's answer with every
  per-request control of the gateway around it and no GraphQL, the ceiling of any gateway
  that keeps its controls (the reads: every operation but `createLpa`);
  `--controls-without host,log,...` takes the named ones out;
- each in a process of its own (`--child`), so none inherits another's heap; each warms
  up, then answers `--requests` requests of `--operation` (`lpaStatus` unless told) one at a
  time and then `--concurrency` at a time, `--repeat` times, and reports the median CPU µs per
  request.

`--operation createLpa` sends the bodies `make bench` sends (bench/operations.py's generator),
with a fresh idempotency key in place of the placeholder in each request, as the load
generators do: every request creates a new LPA.

`--callgrind` runs each child under valgrind's callgrind instead, with instrumentation
switched on only around the measured (concurrent) requests, and reports the main thread's
instructions per request: steadier than CPU time on a busy machine, for before and after of
one change. It leaves out the audit batch's writer thread, whose cost per row depends on how
many rows each timed flush finds, which callgrind's slowdown changes. Use a few hundred to a
thousand `--requests`: callgrind runs some fifty times slower.

`--sample FILE` has py-spy (`make bench-profile` installs it) sample the gateway's concurrent
requests from outside and prints the share of samples per function; `--profile FILE` runs
them under cProfile (CPU clock) instead, which counts calls exactly but inflates small ones.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import logging
import os
import pstats
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from app.http.app import create_app
from app.http.log_config import configure_logging
from app.settings import Settings

from . import controls, floor
from . import profile as profiling
from .cluster import bench_database
from .keys import ClientKeys
from .operations import KEY_PLACEHOLDER, OPERATIONS, Operation
from .run import ROOT, TOKENS, VENV_BIN, _gateway_env
from .seed import seed

HOST = "127.0.0.1"  # the bench's LPA_GATEWAY_ALLOWED_HOSTS
WARMUP = 1000
Asgi = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


def _operation(name: str) -> Operation:
    return next(op for op in OPERATIONS if op.name == name)


def _scope(path: str, body: bytes, authorization: str) -> dict[str, Any]:
    headers = [
        (b"host", f"{HOST}:8000".encode()),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"authorization", authorization.encode()),
    ]
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "server": (HOST, 8000),
        "client": (HOST, 40000),
        "scheme": "http",
        "method": "POST",
        "root_path": "",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": headers,
        "state": {},
    }


async def _request(app: Asgi, path: str, body: bytes, authorization: str) -> tuple[int, bytes]:
    sent = False
    status = 0
    parts: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            parts.append(message.get("body", b""))

    await app(_scope(path, body, authorization), receive, send)
    return status, b"".join(parts)


class Driver:
    def __init__(self, app: Asgi, spec: dict[str, Any]) -> None:
        self.app, self.path, self.expect = app, spec["path"], spec["expect"].encode()
        self.bodies = [b.encode() for b in spec["bodies"]]
        self.tokens: list[str] = spec["authorizations"]
        self.sent = 0
        placeholder = KEY_PLACEHOLDER.encode()
        self.keyed = placeholder if any(placeholder in b for b in self.bodies) else None
        self.run_id = f"{spec['server']}-{os.getpid()}-{time.time_ns()}"

    def _next(self) -> tuple[bytes, str]:
        i = self.sent
        self.sent += 1
        body = self.bodies[i % len(self.bodies)]
        if self.keyed is not None:  # a key of its own: each request creates a new LPA
            body = body.replace(self.keyed, f"{self.run_id}-{i}".encode())
        return body, self.tokens[i % len(self.tokens)]

    async def one(self) -> None:
        body, token = self._next()
        status, answer = await _request(self.app, self.path, body, token)
        if status != 200 or self.expect not in answer:
            raise RuntimeError(f"unexpected answer {status}: {answer[:300]!r}")

    async def run(self, requests: int, concurrency: int) -> None:
        left = requests

        async def lane() -> None:
            nonlocal left
            while left > 0:
                left -= 1
                await self.one()

        await asyncio.gather(*(lane() for _ in range(concurrency)))

    async def cpu_us(self, requests: int, concurrency: int) -> tuple[float, float]:
        """Process CPU per request, and the kernel's share of it (sockets to PostgreSQL)."""
        started, kernel = time.process_time(), os.times().system
        await self.run(requests, concurrency)
        spent = time.process_time() - started
        return spent / requests * 1e6, (os.times().system - kernel) / requests * 1e6


@asynccontextmanager
async def _lifespan(app: Any) -> Any:
    async with app.router.lifespan_context(app):
        yield


def _settings(spec: dict[str, Any]) -> Settings:
    """The gateway's settings, its logging configured, its log lines written to /dev/null."""
    os.environ.update(spec["env"])
    settings = Settings.from_env()
    configure_logging(settings)
    sink = open(os.devnull, "w")  # noqa: SIM115  # open for the life of the process
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(sink)
    return settings


def _app(spec: dict[str, Any]) -> Any:
    if spec["server"] == "gateway":
        return create_app(_settings(spec))
    if spec["server"] == "controls":
        return controls.create_app(_settings(spec), spec["floor_dsn"], spec["without"])
    os.environ["BENCH_FLOOR_DSN"] = spec["floor_dsn"]
    return floor.create_app()


async def _child(spec: dict[str, Any]) -> dict[str, Any]:
    app = _app(spec)
    results: dict[str, Any] = {"server": spec["server"]}
    async with _lifespan(app):
        driver = Driver(app, spec)
        await driver.run(WARMUP, 16)
        if spec.get("callgrind"):
            return await _under_callgrind(driver, spec, results)
        for concurrency in spec["concurrency"]:
            runs = [
                await driver.cpu_us(spec["requests"], concurrency) for _ in range(spec["repeat"])
            ]
            results[f"c{concurrency}"] = {
                "median": statistics.median(r[0] for r in runs),
                "kernel": statistics.median(r[1] for r in runs),
                "runs": [r[0] for r in runs],
            }
        if spec.get("sample"):
            await _sampled(driver, spec)
        if spec.get("profile"):
            profiler = cProfile.Profile(time.process_time)  # CPU, not time spent waiting
            profiler.enable()
            await driver.run(spec["requests"], max(spec["concurrency"]))
            profiler.disable()
            profiler.dump_stats(spec["profile"])
    return results


async def _sampled(driver: Driver, spec: dict[str, Any]) -> None:
    """py-spy samples this process (from outside, without pausing it) while the measured
    concurrent requests run; its collapsed stacks go to `spec["sample"]`."""
    spy = profiling.start(os.getpid(), 600, Path(spec["sample"]))
    await asyncio.sleep(1)  # py-spy attaches
    await driver.run(spec["requests"], max(spec["concurrency"]))
    spy.send_signal(signal.SIGINT)  # py-spy writes what it has and stops
    await asyncio.to_thread(spy.wait, 60)


async def _under_callgrind(
    driver: Driver, spec: dict[str, Any], results: dict[str, Any]
) -> dict[str, Any]:
    """Instrumentation on for the measured requests only: the totals callgrind writes at exit
    are theirs."""
    concurrency = max(spec["concurrency"])
    await _callgrind_control("--instr=on")
    await driver.run(spec["requests"], concurrency)
    await _callgrind_control("--instr=off")
    results["callgrind_requests"] = spec["requests"]
    return results


async def _callgrind_control(option: str) -> None:
    control = await asyncio.create_subprocess_exec(
        "callgrind_control", option, str(os.getpid()), stdout=subprocess.DEVNULL
    )
    if await control.wait() != 0:
        raise RuntimeError(f"callgrind_control {option} failed")


def _run_child(spec: dict[str, Any], scratch: Path, callgrind: bool) -> dict[str, Any]:
    path = scratch / f"spec-{spec['server']}.json"
    path.write_text(json.dumps(spec))
    module = __spec__.name if __spec__ else "bench.inprocess"
    argv = [sys.executable, "-m", module, "--child", str(path)]
    out = scratch / "callgrind.out"
    if callgrind:
        argv = ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--separate-threads=yes",
                f"--callgrind-out-file={out}", *argv]  # fmt: skip
    answer = subprocess.run(argv, cwd=ROOT, capture_output=True, check=False)
    if answer.returncode != 0:
        tail = answer.stderr.decode(errors="replace")[-3000:]
        raise SystemExit(f"bench.inprocess: the {spec['server']} child failed:\n{tail}")
    result: dict[str, Any] = json.loads(answer.stdout.decode().strip().splitlines()[-1])
    if callgrind:  # the main thread's: the audit batch's writer thread is left out
        main_thread = out.with_name(f"{out.name}-01")
        result["instructions_per_request"] = _total_instructions(main_thread) / spec["requests"]
    return result


def _total_instructions(dump: Path) -> int:
    # `summary:` reads 0 once instrumentation was switched on and off; `totals:` is the sum.
    for line in dump.read_text(errors="replace").splitlines():
        if line.startswith("totals:"):
            return int(line.split()[1])
    raise RuntimeError(f"callgrind: no totals in {dump}")


def _specs(args: argparse.Namespace, scratch: Path) -> Iterator[dict[str, Any]]:
    with bench_database() as db:
        keys = ClientKeys(scratch / "keys")
        env = _gateway_env(db, keys, scratch, dict(s.split("=", 1) for s in args.setting))
        subprocess.run(
            [str(VENV_BIN / "lpa-gateway"), "migrate"], env=env, check=True, timeout=120,
            cwd=ROOT, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        seeded = asyncio.run(seed(db.dsn, args.lpas))
        op = _operation(args.operation)
        variables = op.variables(seeded, random.Random(7), count=500)
        tokens = [f"Bearer {keys.token(op.client)}" for _ in range(TOKENS)]
        common = {
            "requests": args.requests, "concurrency": args.concurrency, "repeat": args.repeat,
            "expect": op.expect, "authorizations": tokens,
        }  # fmt: skip
        gateway_env = {k: v for k, v in env.items() if k.startswith("LPA_GATEWAY_")}
        trusted = op.bodies(variables, "trusted")
        yield {
            **common, "server": "floor", "path": f"/floor/{op.name}", "floor_dsn": db.dsn,
            "bodies": trusted,
        }  # fmt: skip
        yield {
            **common, "server": "controls", "path": "/graphql", "env": gateway_env,
            "floor_dsn": db.dsn, "bodies": trusted, "without": args.controls_without,
        }  # fmt: skip
        yield {
            **common, "server": "gateway", "path": "/graphql", "env": gateway_env,
            "bodies": op.bodies(variables, args.document), "profile": args.profile,
            "sample": args.sample,
        }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.inprocess", description=__doc__)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument(
        "--concurrency", type=lambda s: [int(c) for c in s.split(",")], default=[1, 16]
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lpas", type=int, default=300)
    parser.add_argument("--document", choices=("trusted", "ad-hoc"), default="trusted")
    parser.add_argument("--operation", choices=[op.name for op in OPERATIONS], default="lpaStatus")
    parser.add_argument("--no-floor", action="store_true", help="leave the floor out")
    parser.add_argument("--no-gateway", action="store_true", help="leave the gateway out")
    parser.add_argument(
        "--controls", action="store_true", help="measure the controls app (bench/controls.py)"
    )
    parser.add_argument(
        "--controls-without",
        type=lambda s: [c for c in s.split(",") if c],
        default=[],
        metavar="CONTROL,...",
        help=f"the controls app with these taken out: {', '.join(controls.CONTROLS)}",
    )
    parser.add_argument("--profile", metavar="FILE", help="cProfile the gateway into FILE")
    parser.add_argument(
        "--sample", metavar="FILE", help="py-spy's collapsed stacks of the gateway into FILE"
    )
    parser.add_argument("--callgrind", action="store_true", help="instructions per request")
    parser.add_argument("--setting", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--child", metavar="SPEC", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        spec = json.loads(Path(args.child).read_text())
        try:
            import uvloop
        except ImportError:
            result = asyncio.run(_child(spec))
        else:
            result = uvloop.run(_child(spec))
        print(json.dumps(result), flush=True)
        return 0
    if args.operation not in controls.READS and (args.controls or args.controls_without):
        parser.error(
            f"the controls app answers reads only ({', '.join(controls.READS)}), "
            f"not {args.operation}"
        )
    servers = {
        "floor": not args.no_floor,
        "controls": args.controls or bool(args.controls_without),
        "gateway": not args.no_gateway,
    }
    scratch = Path(tempfile.mkdtemp(prefix="lpa-inprocess-"))
    try:
        results = {}
        for spec in _specs(args, scratch):
            if not servers[spec["server"]]:
                continue
            spec["callgrind"] = args.callgrind
            results[spec["server"]] = _run_child(spec, scratch, spec["callgrind"])
        _print(results, args)
        if args.profile:
            _print_profile(Path(args.profile))
        if args.sample:
            print(profiling.summary(Path(args.sample), 60))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


def _print(results: dict[str, Any], args: argparse.Namespace) -> None:
    """Each app's figure, and beside it the floor's over it: the throughput ratio it allows
    when CPU is the limit (the floor's CPU per request over its own)."""
    without = f" (the controls app without {', '.join(args.controls_without)})"
    if args.callgrind:
        print(
            f"{args.operation}, {args.document} document, instructions per request on the main "
            f"thread ({args.requests} requests, concurrency {max(args.concurrency)})"
            f"{without if args.controls_without else ''}:"
        )
        for server, result in results.items():
            ours = result["instructions_per_request"]
            print(f"  {server:<8} {ours:11,.0f}{_over_floor(results, server, ours, None)}")
        return
    taken_out = without if args.controls_without else ""
    print(f"{args.operation}, {args.document} document, CPU µs per request (median of "
          f"{args.repeat} runs of {args.requests}){taken_out}:")  # fmt: skip
    for concurrency in args.concurrency:
        key = f"c{concurrency}"
        print(f"  concurrency {concurrency}:")
        for server, result in results.items():
            ours = result[key]
            runs = ", ".join(f"{r:.1f}" for r in ours["runs"])
            line = f"    {server:<8} {ours['median']:6.1f} (kernel {ours['kernel']:5.1f}; "
            print(f"{line}runs {runs})" + _over_floor(results, server, ours["median"], key))


def _over_floor(results: dict[str, Any], server: str, ours: float, key: str | None) -> str:
    if server == "floor" or "floor" not in results:
        return ""
    floor_result = results["floor"]
    base = floor_result[key]["median"] if key else floor_result["instructions_per_request"]
    return f"  x{ours / base:.2f} the floor's, floor/{server} {base / ours:.2f}"


def _print_profile(path: Path, top: int = 45) -> None:
    stats = pstats.Stats(str(path))
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


if __name__ == "__main__":
    raise SystemExit(main())
