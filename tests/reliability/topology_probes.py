"""What the topology run asks the hosts and the servers directly, beside the load it drives
through the balancer: one idempotency key sent to every host at once, the identity oracle's
failure budget spent across hosts, which keys each host accepts, and how many transactions
the replica served."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx

from tests.reliability.cluster import Cluster
from tests.reliability.storm import CREATE, Answer, Chain, Load, lpa_input

ORACLE = (
    "query Oracle($uid: LpaUid!, $dob: Date!, $postcode: String!) "
    "{ donorIdentityMatches(uid: $uid, dateOfBirth: $dob, postcode: $postcode) }"
)
ORACLE_UID = "M-7890-0400-4000"  # a valid UID no LPA of the run has: unknown counts as failed
KEY_PROBE = '{ validateLpa(uid: "M-7890-0400-4000") { valid } }'
PROBE_DEADLINE = 60.0
REPLAY_TIMEOUT = 30.0


# --------------------------------------------------------------- idempotency across hosts


@dataclass
class CrossHost:
    probes: int = 0
    mismatches: int = 0  # keys whose hosts gave different answers
    unanswered: int = 0
    detail: str = ""


async def same_key_everywhere(
    probe: Load, chains: list[Chain], run_id: str, into: list[Answer]
) -> CrossHost:
    """Each chain's create, with one idempotency key, sent to every host of `probe.urls` at
    the same moment (a client's retries landing on different hosts, racing): every host
    must give the same answer, and the check afterwards finds one LPA per key. One answer per
    key is added to `into`, the load's answers, for that check."""
    found = CrossHost()
    async with httpx.AsyncClient(timeout=probe.config.attempt_timeout) as client:
        for chain in chains:
            key = f"{run_id}-{chain.index:06d}-create"
            body = {"query": CREATE, "variables": {"input": lpa_input(chain), "key": key}}
            sent_at, started = time.time(), time.monotonic()
            results = await asyncio.gather(
                *(_answer(probe, client, url, body) for url in probe.urls)
            )
            found.probes += 1
            answered = [r for r in results if r is not None]
            if len(answered) < len(results):
                found.unanswered += 1
                continue
            told = {(r["accepted"], r["uid"], r["version"]) for r in answered}
            if len(told) != 1:
                found.mismatches += 1
                found.detail = f"key {key}: the hosts answered {sorted(map(str, told))}"
            first = answered[0]
            into.append(
                Answer(
                    chain=chain.index,
                    step="create",
                    key=key,
                    accepted=bool(first["accepted"]),
                    uid=first["uid"],
                    version=first["version"],
                    problems=[f"{p['source']} {p['code']}" for p in first["problems"]],
                    attempts=len(results),
                    wait=time.monotonic() - started,
                    last_attempt_at=sent_at,
                )
            )
    return found


async def _answer(
    probe: Load, client: httpx.AsyncClient, url: str, body: dict[str, Any]
) -> dict[str, Any] | None:
    """The mutation's result from `url`, retried there until it answers (bounded)."""
    started = time.monotonic()
    while time.monotonic() - started < PROBE_DEADLINE:
        # The storm's own single attempt: it counts why an attempt got no answer.
        result = await probe._attempt(client, url, body, "createLpa")
        if result is not None:
            return result
        await asyncio.sleep(0.2)
    return None


# --------------------------------------------------------------- the oracle's shared budget


async def spend_oracle_budget(urls: list[str], token: str, limit: int) -> list[str]:
    """`limit` + 2 wrong guesses about one LPA, each on the next host in turn: what each
    answered (`false`, `true`, or an error code), tagged with the host's position."""
    outcomes: list[str] = []
    headers = {"Authorization": f"Bearer {token}"}
    variables = {"uid": ORACLE_UID, "dob": "1900-01-01", "postcode": "ZZ9 9ZZ"}
    async with httpx.AsyncClient(timeout=10, headers=headers) as client:
        for ask in range(limit + 2):
            host = ask % len(urls)
            response = await client.post(
                f"{urls[host]}/graphql", json={"query": ORACLE, "variables": variables}
            )
            payload = response.json()
            errors = payload.get("errors") or []
            if errors:
                outcome = str(errors[0].get("extensions", {}).get("code"))
            else:
                outcome = str(payload["data"]["donorIdentityMatches"]).lower()
            outcomes.append(f"h{host + 1}:{outcome}")
    return outcomes


def oracle_expected(urls: list[str], limit: int) -> list[str]:
    return [
        f"h{ask % len(urls) + 1}:{'false' if ask < limit else 'RATE_LIMITED'}"
        for ask in range(limit + 2)
    ]


# --------------------------------------------------------------- which keys a host accepts


async def accepts(url: str, token: str) -> bool | None:
    """True if the host takes the token, False if it answers 401, None for anything else."""
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.post(
            f"{url}/graphql",
            json={"query": KEY_PROBE},
            headers={"Authorization": f"Bearer {token}"},
        )
    if response.status_code == 401:
        return False
    return True if response.status_code == 200 else None


# --------------------------------------------------------------- the replica


async def _one(cluster: Cluster, database: str, sql: str, *args: Any) -> Any:
    conn = await asyncpg.connect(cluster.dsn(database), timeout=10)
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


async def reads_served(replica: Cluster, database: str) -> int:
    """Scans of the gateway's tables (sequential and index) the replica ran in `database`, as
    its statistics count them: reads of LPA data, not connections or health checks."""
    return int(
        await _one(
            replica,
            database,
            "SELECT coalesce(sum(coalesce(seq_scan, 0) + coalesce(idx_scan, 0)), 0) "
            "FROM pg_stat_user_tables WHERE relname <> 'alembic_version'",
        )
    )


async def caught_up(primary: Cluster, replica: Cluster) -> bool:
    """Whether the replica replays everything the primary has written now (bounded wait)."""
    target = await _one(primary, "postgres", "SELECT pg_current_wal_lsn()::text")
    deadline = time.monotonic() + REPLAY_TIMEOUT
    while time.monotonic() < deadline:
        replayed = await _one(
            replica, "postgres", "SELECT pg_last_wal_replay_lsn() >= $1::text::pg_lsn", target
        )
        if replayed:
            return True
        await asyncio.sleep(0.2)
    return False


async def lpa_count(cluster: Cluster, database: str) -> int:
    return int(await _one(cluster, database, "SELECT count(*) FROM lpas"))
