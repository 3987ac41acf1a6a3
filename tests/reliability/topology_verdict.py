"""The topology run's figures, the verdict on each promise it checks, and how it prints them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tests.reliability.storm import counts_agree, figure_table
from tests.reliability.topology_scene import (
    NOT_YET,
    ORACLE_BUDGET,
    PASSED,
    READ_URL_VARIABLE,
    Scene,
)


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
