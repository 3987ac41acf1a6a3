"""Profiles of the gateway under load: py-spy attached to a worker for the measured run,
saved as collapsed stacks (var/bench/profile-<operation>-<document>-<workers>.txt, readable by
speedscope or flamegraph.pl) and summarised here as the share of samples per function."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path


def py_spy() -> str | None:
    return shutil.which("py-spy") or (
        str(Path(sys.executable).parent / "py-spy")
        if (Path(sys.executable).parent / "py-spy").exists()
        else None
    )


def start(pid: int, seconds: float, out: Path) -> subprocess.Popen[bytes]:
    binary = py_spy()
    if binary is None:
        raise SystemExit("bench --profile needs py-spy: .venv/bin/pip install py-spy")
    return subprocess.Popen(
        [binary, "record", "--pid", str(pid), "--duration", str(max(1, round(seconds))),
         "--rate", "250", "--nonblocking", "--format", "raw", "--output", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def summary(path: Path, top: int = 40) -> str:
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    by_package: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        total += count
        frames = [_short(f) for f in stack.split(";")]
        for frame in set(frames):
            inclusive[frame] += count
        own[frames[-1]] += count
        by_package[_package(stack.split(";")[-1])] += count
    lines = [f"{total} samples; inclusive share (own share) per function:"]
    for frame, count in inclusive.most_common(top):
        lines.append(f"{count / total:6.1%} ({own[frame] / total:5.1%})  {frame}")
    lines.append("top own time:")
    for frame, count in own.most_common(top // 2):
        lines.append(f"{count / total:6.1%}  {frame}")
    lines.append("own time by package:")
    for package, count in by_package.most_common(20):
        lines.append(f"{count / total:6.1%}  {package}")
    return "\n".join(lines)


def _package(frame: str) -> str:
    """The library (or app/ subpackage) a frame's code lives in."""
    where = frame.partition(" (")[2].rsplit(":", 1)[0]
    parts = Path(where).parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1]
    if "app" in parts:
        return "/".join(parts[parts.index("app") : parts.index("app") + 2])
    return parts[0] if len(parts) > 1 else where


def _short(frame: str) -> str:
    # "function (path/to/module.py:123)" -> "function (module.py)"
    name, _, where = frame.partition(" (")
    file = where.rsplit(":", 1)[0]
    parts = Path(file).parts
    short = "/".join(parts[-2:]) if parts else file
    return f"{name} ({short})"


if __name__ == "__main__":
    print(summary(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 40))
