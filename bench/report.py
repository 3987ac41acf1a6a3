"""The table: the gateway against its floor, per operation and worker count."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from .operations import OPERATIONS

if TYPE_CHECKING:
    from .run import Measured

READS = tuple(op.name for op in OPERATIONS if op.reads)  # their p99 has a target
# (operation, least ratio to its floor) at one worker and 64 connections, from the issue.
RATIO_TARGETS = (("lpaStatus", 0.35), ("createLpa", 0.30))
READ_P99_MS = 50.0
RSS_MB = 200.0


@dataclass(frozen=True, slots=True)
class Row:
    operation: str
    workers: int
    rps: float
    p50_ms: float
    p99_ms: float
    floor_rps: float
    floor_p50_ms: float
    floor_p99_ms: float
    ratio_to_floor: float
    cpu_us_per_request: float
    floor_cpu_us_per_request: float
    postgres_cpu_us_per_request: float | None
    floor_postgres_cpu_us_per_request: float | None
    generator_cpu_share: float  # of one CPU, while driving the gateway
    peak_rss_mb_per_worker: float
    floor_peak_rss_mb_per_worker: float
    requests: int
    errors: int
    unavailable: int  # the gateway's 503s: answers withheld (must be 0)
    floor_errors: int
    foreign_cpu_share: float  # of all CPUs, used by other processes on the machine

    @classmethod
    def of(cls, operation: str, workers: int, gateway: Measured, floor: Measured) -> Row:
        g, f = gateway.result, floor.result
        return cls(
            operation=operation,
            workers=workers,
            rps=round(g.rps, 1),
            p50_ms=round(g.p50_ms, 2),
            p99_ms=round(g.p99_ms, 2),
            floor_rps=round(f.rps, 1),
            floor_p50_ms=round(f.p50_ms, 2),
            floor_p99_ms=round(f.p99_ms, 2),
            ratio_to_floor=round(g.rps / f.rps, 3) if f.rps else 0.0,
            cpu_us_per_request=round(gateway.server_cpu_us),
            floor_cpu_us_per_request=round(floor.server_cpu_us),
            postgres_cpu_us_per_request=_round(gateway.postgres_cpu_us),
            floor_postgres_cpu_us_per_request=_round(floor.postgres_cpu_us),
            generator_cpu_share=round(g.generator_cpu_s / g.seconds, 2) if g.seconds else 0.0,
            peak_rss_mb_per_worker=round(gateway.peak_rss_mb, 1),
            floor_peak_rss_mb_per_worker=round(floor.peak_rss_mb, 1),
            requests=g.requests,
            errors=g.errors,
            unavailable=g.unavailable,
            floor_errors=f.errors,
            foreign_cpu_share=round(max(gateway.foreign_cpu_share, floor.foreign_cpu_share), 2),
        )

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def progress_line(self) -> str:
        return (
            f"bench: {self.operation} x{self.workers}: {self.rps:.0f} req/s "
            f"(floor {self.floor_rps:.0f}, ratio {self.ratio_to_floor:.2f}), "
            f"p50 {self.p50_ms:.1f} ms, p99 {self.p99_ms:.1f} ms, errors {self.errors}, "
            f"503s {self.unavailable}"
        )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value)


HEADER = (
    "| operation | workers | req/s | p50 ms | p99 ms | floor req/s | floor p50 | floor p99 "
    "| ratio | CPU µs/req | floor CPU µs/req | PG CPU µs/req | peak RSS MB/worker | errors "
    "| 503s | other load |"
)


def markdown(rows: list[Row]) -> str:
    lines = [HEADER, _rule()]
    for r in rows:
        pg = (
            "-" if r.postgres_cpu_us_per_request is None else f"{r.postgres_cpu_us_per_request:.0f}"
        )
        lines.append(
            f"| {r.operation} | {r.workers} | {r.rps:.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} "
            f"| {r.floor_rps:.0f} | {r.floor_p50_ms:.1f} | {r.floor_p99_ms:.1f} "
            f"| {r.ratio_to_floor:.2f} | {r.cpu_us_per_request:.0f} "
            f"| {r.floor_cpu_us_per_request:.0f} | {pg} | {r.peak_rss_mb_per_worker:.0f} "
            f"| {r.errors + r.floor_errors} | {r.unavailable} | {r.foreign_cpu_share:.0%} |"
        )
    return "\n".join(lines)


def _rule() -> str:
    return "|" + "---|" * (HEADER.count("|") - 1)


def print_table(rows: list[Row]) -> None:
    print()
    print(markdown(rows))
    print()


def targets(rows: list[Row]) -> list[str]:
    """Each target of the issue, met or missed, in words."""
    verdicts = []
    one = {r.operation: r for r in rows if r.workers == 1}
    for operation, least in RATIO_TARGETS:
        row = one.get(operation)
        if row is not None:
            met = "met" if row.ratio_to_floor >= least else "MISSED"
            verdicts.append(
                f"target {operation} >= {least}x floor at 1 worker: "
                f"{row.ratio_to_floor:.2f} ({met})"
            )
    reads = [r for r in rows if r.workers == 1 and r.operation in READS]
    if reads:
        worst = max(reads, key=lambda r: r.p99_ms)
        met = "met" if worst.p99_ms <= READ_P99_MS else "MISSED"
        verdicts.append(
            f"target read p99 <= {READ_P99_MS:.0f} ms at 1 worker: worst {worst.operation} "
            f"{worst.p99_ms:.1f} ms ({met})"
        )
    if rows:
        peak = max(r.peak_rss_mb_per_worker for r in rows)
        met = "met" if peak < RSS_MB else "MISSED"
        verdicts.append(f"target peak RSS < {RSS_MB:.0f} MB per worker: {peak:.0f} MB ({met})")
    if rows:
        withheld = sum(r.unavailable for r in rows)
        met = "met" if withheld == 0 else "MISSED"
        verdicts.append(f"target no answer withheld (503) by the gateway: {withheld} ({met})")
    errors = sum(r.errors + r.floor_errors for r in rows)
    if errors:
        verdicts.append(f"WARNING: {errors} error answers during measured runs")
    return verdicts
