"""`make bench PEERS=1`: two other GraphQL servers measured beside the gateway and the floor.

- **postgraphile**: PostGraphile 4 (bench/peers/postgraphile.js), serving the floor's status
  lookup as one SQL function (bench/peers/postgraphile.sql) over its generated schema;
- **mercurius**: Mercurius with graphql-jit on Fastify (bench/peers/mercurius.js), one
  resolver running the floor's SQL through `pg`.

Each is one Node process on the same seeded database, sent the same variables and tokens by
the same load generator at the same settings, in the same turns as the floor and the gateway,
and only at one worker. Their npm packages are pinned by the lock files under bench/peers/
and installed under var/peers/<name>/ by bench/peers/install.sh (`make bench PEERS=1` runs
it); without PEERS=1 nothing of npm or Node runs.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]

from . import servers
from .cluster import free_port
from .operations import LPA_STATUS, Operation, Variables, request_body

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "bench" / "peers"
INSTALLED = ROOT / "var" / "peers"
POOL_SIZE = 20  # connections per peer: the floor's pool grows to 20 too

# PostGraphile's own schema names the argument's type String; the selection is the gateway's.
POSTGRAPHILE_LPA_STATUS = (
    "query LpaStatus($uid: String!) { lpaStatus(uid: $uid) { isRegistered isCancelled "
    "hasRestrictionsAndConditions lpaType registrationDate } }"
)


class PeersUnavailable(Exception):
    """Why the peers cannot run, in one line."""


@dataclass(frozen=True, slots=True)
class Peer:
    name: str
    script: str  # under bench/peers/
    documents: Mapping[str, str]  # its own document per operation it serves
    setup_sql: str | None = None  # under bench/peers/, run on the bench database first
    packages: tuple[str, ...] = field(default=())  # shown with their pinned versions

    def serves(self, operation: Operation) -> bool:
        return operation.name in self.documents

    def bodies(self, operation: Operation, variables: list[Variables]) -> list[str]:
        shape = {"query": self.documents[operation.name]}
        return [request_body(shape, v, operation.operation_name) for v in variables]

    def argv(self, node: str) -> list[str]:
        return [node, str(SOURCES / self.script)]

    def env(
        self, dsn: str, port: int, base: Mapping[str, str], installed: Path = INSTALLED
    ) -> dict[str, str]:
        return {
            **base,
            "NODE_PATH": str(installed / self.name / "node_modules"),
            "NODE_ENV": "production",
            "BENCH_PEER_DSN": dsn,
            "BENCH_PEER_PORT": str(port),
            "BENCH_PEER_POOL_SIZE": str(POOL_SIZE),
        }

    def versions(self, sources: Path = SOURCES) -> dict[str, str]:
        manifest = json.loads((sources / self.name / "package.json").read_text())
        return {name: manifest["dependencies"][name] for name in self.packages}


PEERS = (
    Peer(
        "postgraphile",
        "postgraphile.js",
        {"lpaStatus": POSTGRAPHILE_LPA_STATUS},
        setup_sql="postgraphile.sql",
        packages=("postgraphile",),
    ),
    # Its schema declares the gateway's LpaUid scalar: it is sent the gateway's own text.
    Peer("mercurius", "mercurius.js", {"lpaStatus": LPA_STATUS}, packages=("mercurius", "fastify")),
)


def served(operations: tuple[Operation, ...]) -> list[str]:
    """The operations at least one peer serves."""
    return [op.name for op in operations if any(peer.serves(op) for peer in PEERS)]


def node_binary() -> str:
    found = shutil.which("node")
    if found is None:
        raise PeersUnavailable("bench: --peers needs Node.js 20 or newer (`node`) on PATH")
    return found


def check_installed(installed: Path | None = None) -> None:
    """PeersUnavailable unless every peer's packages are installed (under var/peers/)."""
    installed = installed or INSTALLED
    for peer in PEERS:
        if not (installed / peer.name / "node_modules").is_dir():
            raise PeersUnavailable(
                f"bench: the {peer.name} peer is not installed under {installed / peer.name}; "
                "`make bench PEERS=1` installs it"
            )


async def _run_sql(dsn: str, sql: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def serving_peers(
    dsn: str, scratch: Path, keep: Path
) -> Iterator[list[tuple[Peer, servers.Server]]]:
    """Every peer, ready on a port of its own, stopped on the way out."""
    node = node_binary()
    check_installed()
    with ExitStack() as stack:
        running = []
        for peer in PEERS:
            if peer.setup_sql is not None:
                asyncio.run(_run_sql(dsn, (SOURCES / peer.setup_sql).read_text()))
            port = free_port()
            log = scratch / f"{peer.name}.log"
            env = peer.env(dsn, port, os.environ)
            server = stack.enter_context(
                servers.serving(peer.name, peer.argv(node), env, port, 1, log, keep)
            )
            running.append((peer, server))
        yield running
