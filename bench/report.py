"""The table: the gateway (and, with --peers, other servers) against the floor, per operation,
server, document shape and worker count."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from .operations import OPERATIONS

if TYPE_CHECKING:
    from .run import Measured

READS = tuple(op.name for op in OPERATIONS if op.reads)  # their p99 has a target
GATEWAY = "gateway"
# (operation, document, least ratio to its floor) at one worker and 64 connections: issue 14.
RATIO_TARGETS = (
    ("lpaStatus", "trusted", 0.80),
    ("lpaStatus", "ad-hoc", 0.50),
    ("validateLpa", "trusted", 0.60),
    ("donorIdentityMatches", "trusted", 0.70),
    ("createLpa", "trusted", 0.50),
    ("lpa", "trusted", 0.40),
)
STATUS_CPU_US = 170.0  # trusted lpaStatus, CPU per request (issue 14)
STATUS_P99_MS = 30.0  # trusted lpaStatus (issue 14)
READ_P99_MS = 50.0
RSS_MB = 200.0


@dataclass(frozen=True, slots=True)
class Row:
    operation: str
    server: str  # gateway, postgraphile or mercurius
    document: str  # trusted (by documentId) or ad-hoc (the text as `query`)
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
    unavailable: int  # this server's 503s: answers withheld (must be 0)
    floor_errors: int
    foreign_cpu_share: float  # of all CPUs, used by other processes on the machine

    @classmethod
    def of(
        cls,
        operation: str,
        server: str,
        document: str,
        workers: int,
        measured: Measured,
        floor: Measured,
    ) -> Row:
        """`measured`: this row's server; `floor`: the floor, measured in the same turns."""
        g, f = measured.result, floor.result
        return cls(
            operation=operation,
            server=server,
            document=document,
            workers=workers,
            rps=round(g.rps, 1),
            p50_ms=round(g.p50_ms, 2),
            p99_ms=round(g.p99_ms, 2),
            floor_rps=round(f.rps, 1),
            floor_p50_ms=round(f.p50_ms, 2),
            floor_p99_ms=round(f.p99_ms, 2),
            ratio_to_floor=round(g.rps / f.rps, 3) if f.rps else 0.0,
            cpu_us_per_request=round(measured.server_cpu_us),
            floor_cpu_us_per_request=round(floor.server_cpu_us),
            postgres_cpu_us_per_request=_round(measured.postgres_cpu_us),
            floor_postgres_cpu_us_per_request=_round(floor.postgres_cpu_us),
            generator_cpu_share=round(g.generator_cpu_s / g.seconds, 2) if g.seconds else 0.0,
            peak_rss_mb_per_worker=round(measured.peak_rss_mb, 1),
            floor_peak_rss_mb_per_worker=round(floor.peak_rss_mb, 1),
            requests=g.requests,
            errors=g.errors,
            unavailable=g.unavailable,
            floor_errors=f.errors,
            foreign_cpu_share=round(max(measured.foreign_cpu_share, floor.foreign_cpu_share), 2),
        )

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def progress_line(self) -> str:
        return (
            f"bench: {self.operation} {self.server} {self.document} x{self.workers}: "
            f"{self.rps:.0f} req/s "
            f"(floor {self.floor_rps:.0f}, ratio {self.ratio_to_floor:.2f}), "
            f"p50 {self.p50_ms:.1f} ms, p99 {self.p99_ms:.1f} ms, errors {self.errors}, "
            f"503s {self.unavailable}"
        )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value)


HEADER = (
    "| operation | server | document | workers | req/s | p50 ms | p99 ms | floor req/s "
    "| floor p50 | floor p99 | ratio | CPU µs/req | floor CPU µs/req | PG CPU µs/req "
    "| peak RSS MB/worker | errors | 503s | floor errors | other load |"
)


def markdown(rows: list[Row]) -> str:
    lines = [HEADER, _rule()]
    for r in rows:
        pg = (
            "-" if r.postgres_cpu_us_per_request is None else f"{r.postgres_cpu_us_per_request:.0f}"
        )
        lines.append(
            f"| {r.operation} | {r.server} | {r.document} | {r.workers} | {r.rps:.0f} "
            f"| {r.p50_ms:.1f} | {r.p99_ms:.1f} | {r.floor_rps:.0f} | {r.floor_p50_ms:.1f} "
            f"| {r.floor_p99_ms:.1f} "
            f"| {r.ratio_to_floor:.2f} | {r.cpu_us_per_request:.0f} "
            f"| {r.floor_cpu_us_per_request:.0f} | {pg} | {r.peak_rss_mb_per_worker:.0f} "
            f"| {r.errors} | {r.unavailable} | {r.floor_errors} | {r.foreign_cpu_share:.0%} |"
        )
    return "\n".join(lines)


def _rule() -> str:
    return "|" + "---|" * (HEADER.count("|") - 1)


def print_table(rows: list[Row]) -> None:
    print()
    print(markdown(rows))
    print()


def targets(rows: list[Row]) -> list[str]:
    """Each target of the issue, met or missed, in words: the gateway's rows only."""
    gateway = [r for r in rows if r.server == GATEWAY]
    one = {(r.operation, r.document): r for r in gateway if r.workers == 1}
    verdicts = [
        _verdict(
            f"{operation} {document} >= {least:.2f}x floor at 1 worker",
            f"{row.ratio_to_floor:.2f}",
            row.ratio_to_floor >= least,
        )
        for operation, document, least in RATIO_TARGETS
        if (row := one.get((operation, document))) is not None
    ]
    status = one.get(("lpaStatus", "trusted"))
    if status is not None:
        verdicts.append(
            _verdict(
                f"lpaStatus trusted CPU <= {STATUS_CPU_US:.0f} µs/request at 1 worker",
                f"{status.cpu_us_per_request:.0f} µs",
                status.cpu_us_per_request <= STATUS_CPU_US,
            )
        )
        verdicts.append(
            _verdict(
                f"lpaStatus trusted p99 <= {STATUS_P99_MS:.0f} ms at 1 worker",
                f"{status.p99_ms:.1f} ms",
                status.p99_ms <= STATUS_P99_MS,
            )
        )
    reads = [r for r in gateway if r.workers == 1 and r.operation in READS]
    if reads:
        worst = max(reads, key=lambda r: r.p99_ms)
        verdicts.append(
            _verdict(
                f"read p99 <= {READ_P99_MS:.0f} ms at 1 worker",
                f"worst {worst.operation} {worst.document} {worst.p99_ms:.1f} ms",
                worst.p99_ms <= READ_P99_MS,
            )
        )
    if gateway:
        peak = max(r.peak_rss_mb_per_worker for r in gateway)
        verdicts.append(
            _verdict(f"peak RSS < {RSS_MB:.0f} MB per worker", f"{peak:.0f} MB", peak < RSS_MB)
        )
        withheld = sum(r.unavailable for r in gateway)
        errors = sum(r.errors for r in gateway)
        verdicts.append(_verdict("no 503 from the gateway", str(withheld), withheld == 0))
        verdicts.append(_verdict("no error answer from the gateway", str(errors), errors == 0))
    floors = {(r.operation, r.workers): r.floor_errors for r in rows}  # one floor, many rows
    others = sum(floors.values()) + sum(r.errors for r in rows if r.server != GATEWAY)
    if others:
        verdicts.append(f"WARNING: {others} error answers from the floor or the peers")
    return verdicts


def _verdict(target: str, measured: str, met: bool) -> str:
    return f"target {target}: {measured} ({'met' if met else 'MISSED'})"
