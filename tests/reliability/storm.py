"""Fault storm: prove that no acknowledged write is lost or doubled.

It starts a throwaway PostgreSQL cluster and gateway processes (`python -m app.cli serve`),
sends thousands of mutations at high concurrency as the online service would (creates, then
signatures and withdrawals with `expectedVersion`), and meanwhile `kill -9`s gateways
(restarting them), crashes PostgreSQL (`pg_ctl restart -m immediate`, crash recovery) and
stalls it until every client times out and retries (see `stall`).
Clients retry every failure (connection error, timeout, HTTP error, GraphQL error) with the
same idempotency key until they get an answer. Then it reads PostgreSQL directly and checks
that the database holds exactly what was acknowledged: nothing missing, nothing twice, one
history row and one outbox row per change, nothing orphaned.

    python -m tests.reliability.storm              # the full storm (make storm)
    python -m tests.reliability.storm --quick      # the short one (make storm QUICK=1)
    python -m tests.reliability.storm --negative   # negative control: idempotency off

Each logical create carries a unique marker as the donor's first names, so a create that ran
twice shows up as two LPAs even when nothing else links them (as with idempotency off).
Everything is bounded: per-attempt timeouts, a per-mutation deadline and a whole-storm
deadline; the cluster and every process it started are stopped even on failure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx

from tests.factories import attorney, online_lpa
from tests.reliability.cluster import Cluster, create_database, free_port, throwaway_cluster
from tests.reliability.gateways import ROOT, GatewayProcess, cli, gateway_env, mint_token

CLIENT = "opg.poas.makeregister"
SUB = "urn:opg:poas:makeregister:users:5702a000-0000-4000-8000-000000000001"
OTHERS_SIGNED = "2026-01-06T09:30:00Z"
RESULTS_DIR = ROOT / "var" / "storm"

CREATE = """mutation Create($input: CreateLpaInput!, $key: String!) {
  createLpa(input: $input, idempotencyKey: $key) { accepted uid version problems { source code } }
}"""
SIGN_CP = """mutation SignCp($uid: LpaUid!, $version: Int!, $key: String!, $at: DateTime!) {
  signCertificateProvider(uid: $uid, expectedVersion: $version, idempotencyKey: $key,
                          input: {signedAt: $at}) { accepted uid version problems { source code } }
}"""
SIGN_ATTORNEY = """mutation SignAttorney($uid: LpaUid!, $version: Int!, $key: String!,
                                         $attorney: Int!, $at: DateTime!) {
  signAttorney(uid: $uid, expectedVersion: $version, idempotencyKey: $key,
               input: {attorney: $attorney, signedAt: $at}) {
    accepted uid version problems { source code }
  }
}"""
WITHDRAW = """mutation Withdraw($uid: LpaUid!, $version: Int!, $key: String!) {
  withdrawLpa(uid: $uid, expectedVersion: $version, idempotencyKey: $key) {
    accepted uid version problems { source code }
  }
}"""

# step -> (document, result field, change type in history, extra variables)
STEPS: dict[str, tuple[str, str, str, dict[str, Any]]] = {
    "signCertificateProvider": (
        SIGN_CP,
        "signCertificateProvider",
        "CERTIFICATE_PROVIDER_SIGN",
        {"at": OTHERS_SIGNED},
    ),
    "signAttorney0": (
        SIGN_ATTORNEY,
        "signAttorney",
        "ATTORNEY_SIGN",
        {"attorney": 0, "at": OTHERS_SIGNED},
    ),
    "signAttorney1": (
        SIGN_ATTORNEY,
        "signAttorney",
        "ATTORNEY_SIGN",
        {"attorney": 1, "at": OTHERS_SIGNED},
    ),
    "withdrawLpa": (WITHDRAW, "withdrawLpa", "DONOR_WITHDRAW_LPA", {}),
}
SIGNING_ORDER = ("signCertificateProvider", "signAttorney0", "signAttorney1")


# --------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class StormConfig:
    label: str = "full"
    mutations: int = 4000
    concurrency: int = 64
    kills: int = 2
    db_restarts: int = 1
    stalls: int = 1  # the database stalls and clients time out (see `stall`)
    gateways: int = 2
    idempotency: bool = True
    seed: int = 20261124
    invalid_every: int = 20  # one create in N breaks a rule and must be refused, leaving nothing
    attempt_timeout: float = 10.0  # one HTTP attempt
    answer_deadline: float = 180.0  # one mutation, all its retries
    storm_deadline: float = 1200.0  # the whole load
    fault_window: tuple[float, float] = (0.15, 0.8)  # faults strike between these fractions

    def fault_plan(self) -> list[tuple[float, str]]:
        """(fraction of mutations answered, fault) in order, the kinds interleaved."""
        left = {"stall": self.stalls, "kill": self.kills, "db-restart": self.db_restarts}
        kinds: list[str] = []
        while any(left.values()):
            for kind in left:
                if left[kind]:
                    kinds.append(kind)
                    left[kind] -= 1
        low, high = self.fault_window
        step = (high - low) / max(len(kinds) - 1, 1)
        return [(low + i * step, kind) for i, kind in enumerate(kinds)]


FULL = StormConfig()
QUICK = StormConfig(label="quick", mutations=800, storm_deadline=600.0, fault_window=(0.1, 0.6))
IN_SUITE = StormConfig(
    label="in-suite",
    mutations=400,
    kills=1,
    db_restarts=1,
    storm_deadline=120.0,
    fault_window=(0.1, 0.4),  # each fault takes a second or two; leave load after the last
)


# --------------------------------------------------------------------------- the workload


@dataclass(frozen=True)
class Chain:
    """One LPA's life as the online service drives it: a create, then updates in order."""

    index: int
    marker: str  # the donor's first names: unique per logical create
    valid: bool
    steps: tuple[str, ...]


def plan(config: StormConfig, run_id: str) -> list[Chain]:
    rng = random.Random(config.seed)  # noqa: S311 - a reproducible workload, not a secret
    chains: list[Chain] = []
    total = 0
    while total < config.mutations:
        index = len(chains)
        valid = index % config.invalid_every != config.invalid_every // 2
        steps: tuple[str, ...] = ()
        if valid:
            signed = rng.randrange(len(SIGNING_ORDER) + 1)
            steps = SIGNING_ORDER[:signed]
            if signed == len(SIGNING_ORDER) or rng.random() < 0.15:
                steps += ("withdrawLpa",)
        chains.append(Chain(index, f"Storm-{run_id}-{index:06d}", valid, steps))
        total += 1 + len(steps)
    return chains


def lpa_input(chain: Chain) -> dict[str, Any]:
    """The tests' valid online LPA with two attorneys acting jointly, the donor named by the
    chain's marker; an invalid chain's first attorney is born in 2020, under 18, so an online
    create with it is refused."""
    lpa = online_lpa(
        attorneys=[
            attorney(dateOfBirth="1980-02-03" if chain.valid else "2020-02-03"),
            attorney(firstNames="Bea", email="bea@example.com", dateOfBirth="1982-04-05"),
        ],
        howAttorneysMakeDecisions="JOINTLY",
    )
    lpa["donor"]["firstNames"] = chain.marker
    return lpa


@dataclass
class Answer:
    chain: int
    step: str  # "create" or a key of STEPS
    key: str
    accepted: bool
    uid: str | None
    version: int | None
    problems: list[str]
    attempts: int
    wait: float  # from the first attempt to the answer
    last_attempt_at: float  # wall clock (time.time()) when the answering attempt was sent


class GaveUp(Exception):
    """No answer within the per-mutation deadline."""


@dataclass
class Load:
    config: StormConfig
    urls: list[str]
    token: str
    run_id: str
    answered: int = 0
    in_flight: int = 0
    in_flight_at: Counter[str] = field(default_factory=Counter)  # per gateway URL
    answers: list[Answer] = field(default_factory=list)
    unanswered: list[tuple[int, str, str]] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)
    ambiguous: int = 0  # attempts whose fate the client could not know (sent, no answer)
    unexpected: list[str] = field(default_factory=list)
    finished: bool = False
    # Set to end the load early: each client finishes its chain and takes no new one. The
    # chains begun are in `begun` (the topology run's load lasts as long as its faults).
    winding_down: bool = False
    begun: list[Chain] = field(default_factory=list)
    # Once `hold_at` mutations are answered (the last fault's point), no new chain begins until
    # every fault has struck: a fast load cannot end before its faults do, and the chains
    # after the last fault show the gateways recovered under load.
    hold_at: int | None = None
    faults_over: asyncio.Event = field(default_factory=asyncio.Event)
    _watchers: list[tuple[int, asyncio.Event]] = field(default_factory=list)
    _live: set[asyncio.Task[dict[str, Any] | None]] = field(default_factory=set)
    _abandoned: set[asyncio.Task[dict[str, Any] | None]] = field(default_factory=set)

    def abandon_in_flight(self) -> int:
        """Every client gives up on the attempt it is waiting for, as when its timeout fires:
        the request may still be executed by the gateway; the client retries it."""
        live = list(self._live)
        self._abandoned.update(live)
        for post in live:
            post.cancel()
        return len(live)

    def reached(self, answers: float) -> asyncio.Event:
        """An event set once `answers` mutations are answered, or the load has ended."""
        event = asyncio.Event()
        self._watchers.append((int(answers), event))
        self._notify()
        return event

    def _notify(self) -> None:
        for count, event in self._watchers:
            if self.finished or self.answered >= count:
                event.set()

    async def run(self, chains: list[Chain]) -> None:
        try:
            await self._run(chains)
        finally:
            self.finished = True
            self._notify()

    async def _run(self, chains: list[Chain]) -> None:
        queue = list(reversed(chains))
        limits = httpx.Limits(
            max_connections=self.config.concurrency * 2,
            max_keepalive_connections=self.config.concurrency,
        )
        async with httpx.AsyncClient(limits=limits, timeout=self.config.attempt_timeout) as client:

            async def worker() -> None:
                while queue and not self.winding_down:
                    if self.hold_at is not None and self.answered >= self.hold_at:
                        await self.faults_over.wait()
                        if not queue:
                            break
                    chain = queue.pop()
                    self.begun.append(chain)
                    await self._chain(client, chain)

            await asyncio.gather(*(worker() for _ in range(self.config.concurrency)))

    async def _chain(self, client: httpx.AsyncClient, chain: Chain) -> None:
        key = f"{self.run_id}-{chain.index:06d}-create"
        try:
            created = await self._mutate(
                client, chain, "create", key, CREATE, "createLpa", {"input": lpa_input(chain)}
            )
        except GaveUp:
            self.unanswered.append((chain.index, "create", key))
            return
        if created.accepted != chain.valid:
            self.unexpected.append(f"create {key}: accepted={created.accepted} {created.problems}")
        if not created.accepted:
            return
        uid, version = created.uid, created.version
        for step in chain.steps:
            document, name, _change, extra = STEPS[step]
            key = f"{self.run_id}-{chain.index:06d}-{step}"
            variables = {"uid": uid, "version": version, "key": key, **extra}
            try:
                answer = await self._mutate(client, chain, step, key, document, name, variables)
            except GaveUp:
                self.unanswered.append((chain.index, step, key))
                return
            if not answer.accepted or answer.version != (version or 0) + 1:
                self.unexpected.append(
                    f"{step} {key}: accepted={answer.accepted} version={answer.version} "
                    f"expected {version}+1 {answer.problems}"
                )
                return  # the chain's idea of the version is now unreliable
            version = answer.version

    async def _mutate(
        self,
        client: httpx.AsyncClient,
        chain: Chain,
        step: str,
        key: str,
        document: str,
        name: str,
        variables: dict[str, Any],
    ) -> Answer:
        if step == "create":
            variables = {**variables, "key": key}
        body = {"query": document, "variables": variables}
        started = time.monotonic()
        attempt = 0
        while time.monotonic() - started < self.config.answer_deadline:
            attempt += 1
            url = self.urls[(chain.index + attempt - 1) % len(self.urls)]
            self.in_flight += 1
            self.in_flight_at[url] += 1
            sent_at = time.time()
            post = asyncio.create_task(self._attempt(client, url, body, name))
            self._live.add(post)
            try:
                result = await post
            except asyncio.CancelledError:
                if post not in self._abandoned:
                    raise  # the storm itself is being cancelled
                self.failures["timeout (given up while the database stalled)"] += 1
                self.ambiguous += 1
                result = None
            finally:
                self._live.discard(post)
                self._abandoned.discard(post)
                self.in_flight -= 1
                self.in_flight_at[url] -= 1
            if result is not None:
                self.answered += 1
                self._notify()
                answer = Answer(
                    chain=chain.index,
                    step=step,
                    key=key,
                    accepted=bool(result["accepted"]),
                    uid=result["uid"],
                    version=result["version"],
                    problems=[f"{p['source']} {p['code']}" for p in result["problems"]],
                    attempts=attempt,
                    wait=time.monotonic() - started,
                    last_attempt_at=sent_at,
                )
                self.answers.append(answer)
                return answer
            pause = min(1.0, 0.05 * 2 ** min(attempt - 1, 6))
            await asyncio.sleep(pause * random.uniform(0.5, 1.0))  # noqa: S311 - jitter
        raise GaveUp(key)

    async def _attempt(
        self, client: httpx.AsyncClient, url: str, body: dict[str, Any], name: str
    ) -> dict[str, Any] | None:
        """The mutation's result, or None (after counting why) when there is no answer."""
        headers = {"Authorization": f"Bearer {self.token}"}  # the token of the moment
        try:
            response = await client.post(f"{url}/graphql", json=body, headers=headers)
        except httpx.ConnectError:
            self.failures["connection refused"] += 1
            return None
        except httpx.TimeoutException as error:
            self.failures[f"timeout ({type(error).__name__})"] += 1
            self.ambiguous += 1
            return None
        except httpx.HTTPError as error:
            self.failures[f"connection dropped ({type(error).__name__})"] += 1
            self.ambiguous += 1
            return None
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        errors = payload.get("errors") if isinstance(payload, dict) else None
        codes = sorted({str(e.get("extensions", {}).get("code")) for e in errors or []})
        result = (payload.get("data") or {}).get(name) if isinstance(payload, dict) else None
        if response.status_code == 200 and not errors and isinstance(result, dict):
            return result
        self.failures[f"HTTP {response.status_code} {','.join(codes) or '-'}"] += 1
        self.ambiguous += 1
        return None


# --------------------------------------------------------------------------- faults


@dataclass
class Fault:
    kind: str
    at_fraction: float
    started_s: float  # seconds since the load started
    in_flight: int  # at the victim for a kill; everywhere for a database restart
    recovery_s: float  # until the gateway was ready again / the server accepted connections
    detail: str = ""


async def strike(
    config: StormConfig,
    load: Load,
    total: int,
    gateways: list[GatewayProcess],
    cluster: Cluster,
    dsn: str,
    began: float,
) -> list[Fault]:
    faults: list[Fault] = []
    kills = 0
    for fraction, kind in config.fault_plan():
        await load.reached(fraction * total).wait()
        if load.finished:
            break
        # Strike while the gateways are busy: up to a second for most clients to be waiting.
        for _ in range(50):
            if load.finished or load.in_flight >= config.concurrency * 3 // 4:
                break
            await asyncio.sleep(0.02)
        if load.finished:
            break  # too late: a fault after the load proves nothing (reported as not struck)
        started = time.monotonic()
        in_flight, answered = load.in_flight, load.answered
        if kind == "kill":
            # the gateway with the most requests in flight (the first of equals in turn)
            turn = gateways[kills % len(gateways) :] + gateways[: kills % len(gateways)]
            victim = max(turn, key=lambda g: load.in_flight_at[g.url])
            in_flight = load.in_flight_at[victim.url]
            kills += 1
            old_pid = victim.process.pid if victim.process else -1
            victim.kill9()
            await asyncio.to_thread(victim.start)
            detail = f"kill -9 pid {old_pid} on port {victim.port}, restarted"
        elif kind == "db-restart":
            await asyncio.to_thread(cluster.restart_immediate)
            detail = "pg_ctl restart -m immediate"
        else:
            detail = await stall(load, dsn)
        faults.append(
            Fault(
                kind=kind,
                at_fraction=round(answered / total, 3),
                started_s=round(started - began, 2),
                in_flight=in_flight,
                recovery_s=round(time.monotonic() - started, 2),
                detail=detail,
            )
        )
    return faults


STALL_MAX_SECONDS = 5.0  # creates pile up behind the lock until enough wait, at most this long
STALL_WAITING = 8  # transactions waiting on the lock before clients give up
RETRY_SECONDS = 0.5  # then their retries pile up behind it too, before it is released


async def stall(load: Load, dsn: str) -> str:
    """The database stalls and clients time out: creates wait on a lock (the LPA number table,
    held by another session) mid-transaction; every client then abandons its attempt, as when
    its timeout fires, and retries with the same key while the abandoned request is still
    running. When the lock goes, each abandoned request and its retry both try to commit: the
    idempotency key must let exactly one of them write."""
    locker = await asyncpg.connect(dsn, timeout=10)
    try:
        await locker.execute("SET lock_timeout = '10s'")
        held = locker.transaction()
        await held.start()
        await locker.execute("LOCK TABLE lpa_numbers IN ACCESS EXCLUSIVE MODE")
        locked = time.monotonic()
        enough = min(STALL_WAITING, max(1, load.config.concurrency // 4))
        waiting = 0
        for _ in range(int(STALL_MAX_SECONDS / 0.05)):
            waiting = int(
                await locker.fetchval(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
            if waiting >= enough or load.finished:
                break
            await asyncio.sleep(0.05)
        abandoned = load.abandon_in_flight()
        await asyncio.sleep(RETRY_SECONDS)
        await held.rollback()
    finally:
        await locker.close()
    return (
        f"LPA number table locked {time.monotonic() - locked:.1f}s; {waiting} creates waiting "
        f"mid-transaction; {abandoned} attempts abandoned as timed out and retried"
    )


# --------------------------------------------------------------------------- the check


@dataclass
class Figures:
    label: str
    passed: bool
    idempotency: bool
    mutations_planned: int
    acknowledged: int
    acknowledged_creates: int
    acknowledged_updates: int
    accepted_creates: int
    accepted_updates: int
    refused_creates: int
    unanswered: int
    acked_missing: int
    acked_creates_missing: int
    acked_updates_missing: int
    duplicates: int
    duplicated_creates: int
    refused_but_written: int
    unexpected_verdicts: int
    idempotency_mismatches: int
    replayed_answers: int
    lpas: int
    lpas_unaccounted: int
    change_rows: int
    expected_change_rows: int
    data_changes: int
    history_gaps: int
    outbox_rows: int
    outbox_mismatches: int
    orphans: int
    orphans_by_kind: dict[str, int]
    retries: int
    ambiguous_attempts: int
    failures_seen: dict[str, int]
    longest_wait_s: float
    p99_wait_s: float
    kills: int
    db_restarts: int
    stalls: int
    crash_recoveries: int
    faults: list[dict[str, Any]]
    concurrency: int
    gateways: int
    load_seconds: float
    mutations_per_second: float
    problems: list[str]
    started_at: str
    command: str = ""


ORPHAN_QUERIES = {
    "actors without LPA": "SELECT count(*) FROM actors a LEFT JOIN lpas l ON l.id = a.lpa_id "
    "WHERE l.id IS NULL",
    "addresses without actor": "SELECT count(*) FROM addresses x LEFT JOIN actors a "
    "ON a.id = x.actor_id WHERE a.id IS NULL",
    "changes without LPA": "SELECT count(*) FROM changes c LEFT JOIN lpas l ON l.id = c.lpa_id "
    "WHERE l.id IS NULL",
    "outbox rows without LPA": "SELECT count(*) FROM outbox o LEFT JOIN lpas l ON l.uid = o.uid "
    "WHERE l.id IS NULL",
    "anomalies without LPA": "SELECT count(*) FROM anomalies x LEFT JOIN lpas l "
    "ON l.id = x.lpa_id WHERE l.id IS NULL",
    "LPAs without a donor": "SELECT count(*) FROM lpas l WHERE NOT EXISTS (SELECT 1 FROM actors a "
    "WHERE a.lpa_id = l.id AND a.role = 'donor')",
    "LPAs without a CREATE change": "SELECT count(*) FROM lpas l WHERE NOT EXISTS (SELECT 1 FROM "
    "changes c WHERE c.lpa_id = l.id AND c.lpa_version = 1 AND c.change_type = 'CREATE')",
    "idempotency answers naming no LPA": "SELECT count(*) FROM idempotency_records r "
    "WHERE r.response->>'uid' IS NOT NULL AND NOT EXISTS "
    "(SELECT 1 FROM lpas l WHERE l.uid = r.response->>'uid')",
}


async def check(dsn: str, load: Load, chains: list[Chain]) -> tuple[dict[str, Any], list[str]]:
    """Read the database directly and compare it with what the clients were told."""
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        lpas = await conn.fetch(
            "SELECT l.id, l.uid, l.version, l.status, d.first_names AS marker FROM lpas l "
            "LEFT JOIN actors d ON d.lpa_id = l.id AND d.role = 'donor'"
        )
        signers = await conn.fetch(
            "SELECT lpa_id, role, position, signed_at IS NOT NULL AS signed FROM actors "
            "WHERE role IN ('certificate-provider', 'attorney')"
        )
        changes = await conn.fetch("SELECT lpa_id, lpa_version, change_type FROM changes")
        outbox = await conn.fetch("SELECT uid, change_type FROM outbox")
        records = await conn.fetch(
            "SELECT key, response::text AS response, created_at FROM idempotency_records "
            "WHERE client = $1",
            CLIENT,
        )
        orphans = {name: int(await conn.fetchval(sql)) for name, sql in ORPHAN_QUERIES.items()}
    finally:
        await conn.close()

    problems: list[str] = []
    by_marker: dict[str, list[asyncpg.Record]] = defaultdict(list)
    by_uid = {r["uid"]: r for r in lpas}
    for row in lpas:
        by_marker[row["marker"]].append(row)
    signed = {(r["lpa_id"], r["role"], r["position"]): r["signed"] for r in signers}
    changes_of: dict[int, dict[int, str]] = defaultdict(dict)
    for row in changes:
        changes_of[row["lpa_id"]][row["lpa_version"]] = row["change_type"]
    outbox_of: dict[str, Counter[str]] = defaultdict(Counter)
    for row in outbox:
        outbox_of[row["uid"]][row["change_type"]] += 1
    remembered = {r["key"]: json.loads(r["response"]) for r in records}
    stored_at = {r["key"]: r["created_at"].timestamp() for r in records}

    creates_missing = updates_missing = refused_written = mismatches = replayed = 0
    for answer in load.answers:
        record = remembered.get(answer.key)
        if answer.key in stored_at and stored_at[answer.key] < answer.last_attempt_at:
            replayed += 1  # stored before the answering attempt was sent: an earlier one wrote it
        told = (answer.accepted, answer.uid, answer.version)
        if record is None or (record["accepted"], record["uid"], record["version"]) != told:
            mismatches += 1
        if answer.step == "create":
            marker = chains[answer.chain].marker
            found = by_marker.get(marker, [])
            if answer.accepted and not any(r["uid"] == answer.uid for r in found):
                creates_missing += 1
                problems.append(f"acknowledged create {answer.key} ({answer.uid}) is missing")
            if not answer.accepted and found:
                refused_written += 1
                problems.append(f"refused create {answer.key} left {len(found)} LPA(s)")
            continue
        if not answer.accepted:
            continue
        lpa = by_uid.get(answer.uid or "")
        _doc, _name, change_type, extra = STEPS[answer.step]
        reflected = (
            lpa is not None
            and answer.version is not None
            and changes_of[lpa["id"]].get(answer.version) == change_type
            and _effect_visible(answer.step, lpa, extra, signed)
        )
        if not reflected:
            updates_missing += 1
            problems.append(f"acknowledged {answer.step} {answer.key} is not reflected")

    duplicated = {m: len(rows) for m, rows in by_marker.items() if len(rows) > 1}
    duplicates = sum(n - 1 for n in duplicated.values())
    for marker, count in sorted(duplicated.items())[:10]:
        problems.append(f"logical create {marker} exists {count} times")
    known_markers = {c.marker for c in chains}
    unaccounted = sum(1 for r in lpas if r["marker"] not in known_markers)

    history_gaps = sum(
        1 for lpa in lpas if sorted(changes_of[lpa["id"]]) != list(range(1, lpa["version"] + 1))
    )
    outbox_mismatches = sum(
        1
        for lpa in lpas
        if outbox_of.get(lpa["uid"], Counter()) != Counter(changes_of[lpa["id"]].values())
    )
    accepted = [a for a in load.answers if a.accepted]
    accepted_creates = sum(1 for a in accepted if a.step == "create")
    # Each accepted answer is one change (a create or an update); the history must hold exactly
    # those. (A mutation left without an answer fails the run by itself.)
    expected_change_rows = len(accepted)
    figures = {
        "accepted_creates": accepted_creates,
        "accepted_updates": len(accepted) - accepted_creates,
        "acked_creates_missing": creates_missing,
        "acked_updates_missing": updates_missing,
        "acked_missing": creates_missing + updates_missing,
        "duplicates": duplicates,
        "duplicated_creates": len(duplicated),
        "refused_but_written": refused_written,
        "idempotency_mismatches": mismatches,
        "replayed_answers": replayed,
        "lpas": len(lpas),
        "lpas_unaccounted": unaccounted,
        "change_rows": len(changes),
        "expected_change_rows": expected_change_rows,
        "data_changes": sum(int(r["version"]) for r in lpas),
        "history_gaps": history_gaps,
        "outbox_rows": len(outbox),
        "outbox_mismatches": outbox_mismatches,
        "orphans": sum(orphans.values()),
        "orphans_by_kind": {k: v for k, v in orphans.items() if v},
    }
    return figures, problems


def _effect_visible(
    step: str, lpa: asyncpg.Record, extra: dict[str, Any], signed: dict[tuple[Any, ...], bool]
) -> bool:
    if step == "withdrawLpa":
        return bool(lpa["status"] == "withdrawn")
    if step == "signCertificateProvider":
        return signed.get((lpa["id"], "certificate-provider", 0), False)
    return signed.get((lpa["id"], "attorney", extra["attorney"]), False)


# --------------------------------------------------------------------------- the run


@contextmanager
def _work_dir(config: StormConfig, work_dir: Path | None) -> Iterator[Path]:
    if work_dir is not None:
        shutil.rmtree(work_dir, ignore_errors=True)  # logs of this run only
        work_dir.mkdir(parents=True)
        yield work_dir
        return
    made = Path(tempfile.mkdtemp(prefix=f"lpa-storm-{config.label}-"))
    try:
        yield made
    finally:
        shutil.rmtree(made, ignore_errors=True)


async def run_storm(config: StormConfig, cluster: Cluster, work_dir: Path | None = None) -> Figures:
    """Run one storm against `cluster` (a database of its own in it) and return its figures."""
    run_id = uuid.uuid4().hex[:8]
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    database = f"storm_{config.label.replace('-', '_')}_{run_id}"
    url = await create_database(cluster, database)
    with _work_dir(config, work_dir) as work:
        extra = {} if config.idempotency else {"LPA_GATEWAY_UNSAFE_DISABLE_IDEMPOTENCY": "true"}
        env = gateway_env(url, work / "dev-keys", extra)
        await asyncio.to_thread(cli, env, "migrate")
        token = await asyncio.to_thread(mint_token, env, CLIENT, SUB)
        gateways = [
            GatewayProcess(env=env, port=free_port(), log_path=work / f"gateway-{i}.log")
            for i in range(config.gateways)
        ]
        try:
            for gateway in gateways:  # one at a time: each makes missing dev keys on start
                await asyncio.to_thread(gateway.start)
            dsn = cluster.dsn(database)
            return await _storm(config, cluster, gateways, token, run_id, started_at, dsn)
        finally:
            for gateway in gateways:
                gateway.stop()


async def _storm(
    config: StormConfig,
    cluster: Cluster,
    gateways: list[GatewayProcess],
    token: str,
    run_id: str,
    started_at: str,
    dsn: str,
) -> Figures:
    chains = plan(config, run_id)
    total = sum(1 + len(c.steps) for c in chains)
    load = Load(config=config, urls=[g.url for g in gateways], token=token, run_id=run_id)
    load.hold_at = int(config.fault_window[1] * total)
    recoveries_before = cluster.crash_recoveries()
    began = time.monotonic()
    faults_task = asyncio.create_task(strike(config, load, total, gateways, cluster, dsn, began))
    faults_task.add_done_callback(lambda _: load.faults_over.set())  # however it ends
    problems: list[str] = []
    try:
        async with asyncio.timeout(config.storm_deadline):
            await load.run(chains)
    except TimeoutError:
        problems.append(f"the load did not finish within {config.storm_deadline}s")
    load_seconds = time.monotonic() - began
    faults = await faults_task
    for gateway in gateways:
        if not gateway.terminate_gracefully():
            problems.append(
                f"gateway on port {gateway.port} did not shut down cleanly: {gateway.tail(5)}"
            )

    checked, found = await check(dsn, load, chains)
    problems.extend(found)
    problems.extend(load.unexpected[:20])
    for index, step, key in load.unanswered[:10]:
        problems.append(f"no answer for {step} {key} (chain {index})")
    waits = sorted(a.wait for a in load.answers) or [0.0]
    kills = sum(1 for f in faults if f.kind == "kill")
    restarts = sum(1 for f in faults if f.kind == "db-restart")
    stalls = sum(1 for f in faults if f.kind == "stall")
    recoveries = cluster.crash_recoveries() - recoveries_before
    if kills < config.kills or restarts < config.db_restarts or stalls < config.stalls:
        problems.append(f"faults struck: {kills} kills, {restarts} restarts, {stalls} stalls")
    if recoveries < restarts:
        problems.append("PostgreSQL's log shows fewer crash recoveries than immediate restarts")
    consistent = counts_agree(checked)
    if not consistent:
        problems.append("counts disagree: " + json.dumps({k: checked[k] for k in _COUNTS}))
    passed = (
        consistent
        and checked["acked_missing"] == 0
        and checked["duplicates"] == 0
        and checked["refused_but_written"] == 0
        and checked["idempotency_mismatches"] == 0
        and not load.unexpected
        and not load.unanswered
        and len(load.answers) == total
        and kills >= config.kills
        and restarts >= config.db_restarts
        and stalls >= config.stalls
        and recoveries >= restarts
        and not any("did not finish" in p or "exited with" in p for p in problems)
    )
    creates = [a for a in load.answers if a.step == "create"]
    return Figures(
        label=config.label,
        passed=passed,
        idempotency=config.idempotency,
        mutations_planned=total,
        acknowledged=len(load.answers),
        acknowledged_creates=len(creates),
        acknowledged_updates=len(load.answers) - len(creates),
        refused_creates=sum(1 for a in creates if not a.accepted),
        unanswered=len(load.unanswered),
        unexpected_verdicts=len(load.unexpected),
        retries=sum(a.attempts - 1 for a in load.answers),
        ambiguous_attempts=load.ambiguous,
        failures_seen=dict(load.failures.most_common()),
        longest_wait_s=round(waits[-1], 3),
        p99_wait_s=round(waits[min(len(waits) - 1, int(len(waits) * 0.99))], 3),
        kills=kills,
        db_restarts=restarts,
        stalls=stalls,
        crash_recoveries=recoveries,
        faults=[asdict(f) for f in faults],
        concurrency=config.concurrency,
        gateways=config.gateways,
        load_seconds=round(load_seconds, 2),
        mutations_per_second=round(len(load.answers) / load_seconds, 1) if load_seconds else 0.0,
        problems=problems[:40],
        started_at=started_at,
        **checked,
    )


def counts_agree(checked: dict[str, Any]) -> bool:
    """History rows = accepted answers = sum of versions = outbox rows, LPA by LPA; one LPA
    per accepted create; nothing orphaned or unaccounted for."""
    return bool(
        checked["change_rows"] == checked["expected_change_rows"] == checked["data_changes"]
        and checked["outbox_rows"] == checked["change_rows"]
        and checked["outbox_mismatches"] == 0
        and checked["history_gaps"] == 0
        and checked["orphans"] == 0
        and checked["lpas_unaccounted"] == 0
        and checked["lpas"] == checked["accepted_creates"]
    )


_COUNTS = (
    "lpas",
    "accepted_creates",
    "change_rows",
    "expected_change_rows",
    "data_changes",
    "outbox_rows",
    "outbox_mismatches",
    "history_gaps",
    "orphans",
    "lpas_unaccounted",
)


# --------------------------------------------------------------------------- reporting

ROWS = (
    ("acknowledged", "answers received (accepted or refused)"),
    ("acked_missing", "acknowledged writes missing from the database"),
    ("duplicates", "extra LPAs for one logical create"),
    ("refused_but_written", "refused creates that left rows"),
    ("idempotency_mismatches", "answers unlike the stored idempotent answer"),
    ("unexpected_verdicts", "verdicts other than the workload expects"),
    ("unanswered", "mutations that never got an answer"),
    ("change_rows", "history rows"),
    ("expected_change_rows", "accepted creates + accepted updates"),
    ("data_changes", "sum of LPA versions (changes applied to data)"),
    ("outbox_rows", "outbox rows"),
    ("outbox_mismatches", "LPAs whose outbox events differ from their history"),
    ("history_gaps", "LPAs whose history versions are not 1..version"),
    ("orphans", "rows without their parent"),
    ("retries", "extra attempts clients made"),
    ("ambiguous_attempts", "attempts sent whose outcome the client could not know"),
    ("replayed_answers", "answers an earlier, unanswered attempt had already committed"),
    ("longest_wait_s", "longest wait for an answer, retries included (s)"),
    ("p99_wait_s", "99th percentile wait (s)"),
    ("kills", "kill -9 of a gateway (each restarted)"),
    ("db_restarts", "pg_ctl restart -m immediate"),
    ("stalls", "database stalls that made every client time out and retry"),
    ("crash_recoveries", "crash recoveries in PostgreSQL's log"),
    ("load_seconds", "duration of the load (s)"),
    ("mutations_per_second", "answered mutations per second"),
)


def figure_table(figures: Any, rows: tuple[tuple[str, str], ...]) -> list[str]:
    """One line per (figure, what it counts) of `rows`, the value of `figures` first."""
    data = asdict(figures)
    return [f"  {data[name]!s:>10}  {name:<24} {text}" for name, text in rows]


def render(figures: Figures) -> str:
    mode = "idempotency ON" if figures.idempotency else "NEGATIVE CONTROL: idempotency OFF"
    lines = [
        f"fault storm '{figures.label}' ({mode}): {figures.mutations_planned} mutations, "
        f"concurrency {figures.concurrency}, {figures.gateways} gateway processes",
        "",
        *figure_table(figures, ROWS),
    ]
    lines.append("")
    for fault in figures.faults:
        lines.append(
            f"  fault {fault['kind']:<10} at {fault['at_fraction']:.0%} of answers, "
            f"t={fault['started_s']}s, {fault['in_flight']} requests in flight there, "
            f"recovered in {fault['recovery_s']}s ({fault['detail']})"
        )
    lines.append("  failures clients saw (each retried): " + json.dumps(figures.failures_seen))
    if figures.orphans_by_kind:
        lines.append("  orphans: " + json.dumps(figures.orphans_by_kind))
    for problem in figures.problems[:15]:
        lines.append(f"  ! {problem}")
    lines.append("")
    lines.append(
        "PASSED: 0 lost, 0 duplicated, every count consistent" if figures.passed else "FAILED"
    )
    return "\n".join(lines)


def write_results(figures: Figures, directory: Path = RESULTS_DIR) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    text = json.dumps(asdict(figures), indent=2) + "\n"
    (directory / f"{figures.label}.json").write_text(text)
    last = directory / "last.json"
    last.write_text(text)
    return last


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.reliability.storm",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="the short storm")
    parser.add_argument(
        "--negative",
        action="store_true",
        help="negative control: idempotency switched off; succeeds only if duplicates are seen",
    )
    parser.add_argument("--mutations", type=int)
    parser.add_argument("--concurrency", type=int)
    args = parser.parse_args(argv)
    config = QUICK if args.quick else FULL
    overrides: dict[str, Any] = {}
    if args.negative:
        overrides.update(idempotency=False, label=f"negative-{config.label}")
    if args.mutations:
        overrides["mutations"] = args.mutations
    if args.concurrency:
        overrides["concurrency"] = args.concurrency
    config = StormConfig(**{**asdict(config), **overrides})
    command = (
        "make storm" + (" QUICK=1" if args.quick else "") + (" NEGATIVE=1" if args.negative else "")
    )

    async def run() -> Figures:
        with throwaway_cluster() as cluster:
            return await run_storm(config, cluster, RESULTS_DIR / f"{config.label}-logs")

    # SIGTERM unwinds like ^C, so the cluster and the gateways are stopped on the way out.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        figures = asyncio.run(run())
    except KeyboardInterrupt:
        print("interrupted: the cluster and the gateways were stopped", file=sys.stderr)
        return 130
    figures.command = command
    print(render(figures))
    print(f"\nfigures written to {write_results(figures).relative_to(ROOT)}")
    if args.negative:
        seen = figures.duplicates > 0
        print(
            "negative control: the checker "
            + ("SAW the duplicates idempotency prevents" if seen else "saw NO duplicates")
        )
        return 0 if seen else 1
    return 0 if figures.passed else 1


if __name__ == "__main__":
    sys.exit(main())
