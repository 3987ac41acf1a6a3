"""`make mutate`: mutation testing (mutmut 3) of the modules that guard the gateway.

Runs mutmut as configured in pyproject.toml ([tool.mutmut]: the modules, and the tests run
against them), then writes var/mutation/last.json: per module the mutants killed, survived
and equivalent, each equivalent named with the reason it is equivalent. The reasons are
reviewed in tests/mutation/equivalent.toml, never written into the output by hand.

Fails when a module kills fewer than KILL_SHARE of its non-equivalent mutants, or when
equivalent.toml names a mutant that does not exist or that a test kills (stale entries).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tomllib
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EQUIVALENT = Path(__file__).with_name("equivalent.toml")
OUT = ROOT / "var" / "mutation" / "last.json"
KILL_SHARE = 0.95
KILLED = {"killed", "timeout", "segfault", "caught by type check"}


def modules() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    return [path.removesuffix(".py").replace("/", ".") for path in config["only_mutate"]]


def statuses() -> dict[str, str]:
    """Every mutant's status, as `mutmut results` prints it."""
    printed = subprocess.run(
        [sys.executable, "-m", "mutmut", "results", "--all", "true"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    found = {}
    for line in printed.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if name:
            found[name] = status
    return found


def module_of(mutant: str, names: list[str]) -> str:
    return max((m for m in names if mutant.startswith(m + ".")), key=len)


def report(found: dict[str, str], names: list[str], equivalent: dict[str, str]) -> dict[str, Any]:
    problems = [f"{name}: listed as equivalent but no such mutant" for name in equivalent]
    problems = [p for p, name in zip(problems, equivalent, strict=True) if name not in found]
    by_module: dict[str, Any] = {m: defaultdict(list) for m in names}
    for mutant, status in sorted(found.items()):
        entry = by_module[module_of(mutant, names)]
        if mutant in equivalent:
            if status in KILLED:
                problems.append(f"{mutant}: listed as equivalent but a test kills it")
            entry["equivalent"].append({"mutant": mutant, "reason": equivalent[mutant]})
        elif status in KILLED:
            entry["killed"].append(mutant)
        elif status == "not checked":
            entry["not_checked"].append(mutant)
        else:
            entry["survived"].append({"mutant": mutant, "status": status})
    result: dict[str, Any] = {}
    for module, entry in by_module.items():
        killed, survived = len(entry["killed"]), len(entry["survived"])
        share = killed / (killed + survived) if killed + survived else 1.0
        if share < KILL_SHARE:
            problems.append(f"{module}: kills {share:.1%} of its non-equivalent mutants")
        if entry["not_checked"]:
            problems.append(f"{module}: {len(entry['not_checked'])} mutants not checked yet")
        result[module] = {
            "killed": killed,
            "survived": survived,
            "equivalent": len(entry["equivalent"]),
            "not_checked": len(entry["not_checked"]),
            "kill_share": round(share, 4),
            "survivors": entry["survived"],
            "equivalents": entry["equivalent"],
        }
    return {"modules": result, "problems": problems}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make mutate", description=__doc__)
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument("--report-only", action="store_true", help="read the last run's results")
    parser.add_argument("--fresh", action="store_true", help="forget mutmut's cached results")
    args = parser.parse_args(argv)
    names = modules()
    if args.fresh:
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    if not args.report_only:
        patterns = [f"{name}.*" for name in names]
        command = [sys.executable, "-m", "mutmut", "run", "--max-children", str(args.max_children)]
        subprocess.run([*command, *patterns], cwd=ROOT, check=True)  # noqa: S603 - our interpreter
    equivalent = {
        name: entry["reason"]
        for name, entry in tomllib.loads(EQUIVALENT.read_text()).get("mutant", {}).items()
    }
    outcome = report(statuses(), names, equivalent)
    outcome["when"] = datetime.now(UTC).isoformat(timespec="seconds")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(outcome, indent=2) + "\n")
    counts = Counter[str]()
    for module, entry in outcome["modules"].items():
        counts.update(killed=entry["killed"], survived=entry["survived"])
        print(
            f"{module}: killed {entry['killed']}, survived {entry['survived']}, "
            f"equivalent {entry['equivalent']}, not checked {entry['not_checked']} "
            f"({entry['kill_share']:.1%} of those checked)"
        )
    for problem in outcome["problems"]:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 1 if outcome["problems"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
