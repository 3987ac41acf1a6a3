"""Load generators, each a separate process: wrk (with a Lua script that picks a random body
per request and checks every answer), or, where wrk is missing, a Python generator whose own
CPU use is reported so that a generator-bound run shows up as one."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from .operations import KEY_PLACEHOLDER

LUA = r"""
local bodies = {
%(bodies)s
}
local expect = %(expect)s
local keyed = %(keyed)s
local placeholder = %(placeholder)s
local run = %(run)s  -- replaced per wrk invocation by its first argument
local tokens = {
%(authorizations)s
}
wrk.method = "POST"

local threads = {}
local next_id = 1
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local parts = {}
local counter = 0
function init(args)
  if args[1] then run = args[1] end
  math.randomseed(id * 7919 + os.time())
  bad_status, unavailable, gql_errors, unexpected = 0, 0, 0, 0
  for i, body in ipairs(bodies) do
    local s, e = string.find(body, placeholder, 1, true)
    if s then parts[i] = { string.sub(body, 1, s - 1), string.sub(body, e + 1) } end
  end
end

function request()
  local i = math.random(#bodies)
  local body = bodies[i]
  if keyed then
    counter = counter + 1
    body = parts[i][1] .. run .. "-" .. id .. "-" .. counter .. parts[i][2]
  end
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = tokens[math.random(#tokens)],
  }
  return wrk.format(nil, nil, headers, body)
end

function response(status, headers, body)
  local wrong = true
  if status == 503 then unavailable = unavailable + 1 end
  if status ~= 200 then
    bad_status = bad_status + 1
  elseif string.find(body, '"errors"', 1, true) then
    gql_errors = gql_errors + 1
  elseif not string.find(body, expect, 1, true) then
    unexpected = unexpected + 1
  else
    wrong = false
  end
  if wrong and not first_wrong then first_wrong = status .. " " .. string.sub(body, 1, 300) end
end

function done(summary, latency, requests)
  local bad, withheld, errs, odd = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    bad = bad + t:get("bad_status")
    withheld = withheld + t:get("unavailable")
    errs = errs + t:get("gql_errors")
    odd = odd + t:get("unexpected")
    local sample = t:get("first_wrong")
    if sample then io.write("\nBENCH-WRONG " .. sample .. "\n") end
  end
  local e = summary.errors
  io.write(string.format(
    '\nBENCH-JSON {"requests":%%d,"duration_us":%%d,"p50_us":%%d,"p90_us":%%d,"p99_us":%%d,' ..
    '"max_us":%%d,"mean_us":%%.1f,"socket_errors":%%d,"timeouts":%%d,"bad_status":%%d,' ..
    '"graphql_errors":%%d,"unexpected":%%d,"unavailable":%%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean,
    e.connect + e.read + e.write, e.timeout, bad, errs, odd, withheld))
end
"""


@dataclass(frozen=True, slots=True)
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int  # socket errors, timeouts, non-200, GraphQL errors, unexpected answers
    unavailable: int  # of which 503: answers withheld (audit behind, database out of reach)
    generator_cpu_s: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _lua_string(text: str) -> str:
    level = "=" * 4
    if f"]{level}]" in text:
        raise ValueError("text would end the Lua long string early")
    return f"[{level}[{text}]{level}]"


def write_script(
    folder: Path, name: str, bodies: list[str], expect: str, authorizations: list[str], run: str
) -> Path:
    script = folder / f"{name}.lua"
    script.write_text(
        LUA
        % {
            "bodies": ",\n".join(_lua_string(b) for b in bodies),
            "expect": _lua_string(expect),
            "keyed": "true" if KEY_PLACEHOLDER in bodies[0] else "false",
            "placeholder": _lua_string(KEY_PLACEHOLDER),
            "run": _lua_string(run),
            "authorizations": ",\n".join(_lua_string(a) for a in authorizations),
        }
    )
    return script


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_wrk(
    url: str, script: Path, *, seconds: float, connections: int, threads: int
) -> LoadResult:
    before = _children_cpu()
    done = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
         "--timeout", "5s", "-s", str(script), url, "--", uuid.uuid4().hex[:12]],
        capture_output=True, text=True, timeout=seconds + 60, check=False,
    )  # fmt: skip
    cpu = _children_cpu() - before
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH-JSON ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    stats = json.loads(line.removeprefix("BENCH-JSON "))
    for wrong in (ln for ln in done.stdout.splitlines() if ln.startswith("BENCH-WRONG ")):
        print(f"bench: wrong answer from {url}: {wrong.removeprefix('BENCH-WRONG ')}")
    errors = sum(
        stats[k]
        for k in ("socket_errors", "timeouts", "bad_status", "graphql_errors", "unexpected")
    )
    return LoadResult(
        requests=stats["requests"],
        seconds=stats["duration_us"] / 1e6,
        p50_ms=stats["p50_us"] / 1000,
        p99_ms=stats["p99_us"] / 1000,
        errors=errors,
        unavailable=stats["unavailable"],
        generator_cpu_s=cpu,
    )


def run_python(
    url: str, bodies: list[str], expect: str, authorizations: list[str], run: str, *,
    seconds: float, connections: int,
) -> LoadResult:  # fmt: skip
    """The fallback generator (bench/pyload.py) in its own process."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as spec:
        json.dump(
            {"url": url, "bodies": bodies, "expect": expect, "authorizations": authorizations,
             "run": run, "seconds": seconds, "connections": connections,
             "placeholder": KEY_PLACEHOLDER},
            spec,
        )  # fmt: skip
    try:
        before = _children_cpu()
        done = subprocess.run(
            [sys.executable, "-m", "bench.pyload", spec.name],
            capture_output=True, text=True, timeout=seconds + 60, check=False,
            cwd=Path(__file__).resolve().parents[1],
        )  # fmt: skip
        cpu = _children_cpu() - before
    finally:
        os.unlink(spec.name)
    if done.returncode != 0:
        raise RuntimeError(f"python load generator failed: {done.stderr}")
    stats = json.loads(done.stdout)
    return LoadResult(
        requests=stats["requests"],
        seconds=stats["seconds"],
        p50_ms=stats["p50_ms"],
        p99_ms=stats["p99_ms"],
        errors=stats["errors"],
        unavailable=stats["unavailable"],
        generator_cpu_s=cpu,
    )
