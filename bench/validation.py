"""The slowest hostile document to validate, timed in process: every shape of
tests/security/hostile_shapes.py (ladders, diamonds, fan-outs) filled to each client's token
limit, with short names and with names filling the 64 KiB body, through that client's own
executor (parse and every validation rule). The best of REPEAT runs of each is kept, and the
worst of those reported. Takes a few seconds."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

from app.authz.policy import load_policy
from app.graphql.client_view import client_view
from app.graphql.schema import build_schema
from app.http.graphql_endpoint import MAX_BODY_BYTES
from tests.security.hostile_shapes import SHAPES, build, tokens

REPEAT = 3
PREFIXES = ("F", "F" * 1000)


@dataclass(frozen=True, slots=True)
class Worst:
    ms: float
    shape: str
    client: str
    tokens: int
    bytes: int

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def line(self) -> str:
        return (
            f"validation: worst generated document {self.ms:.1f} ms to parse and validate "
            f"({self.shape}, {self.client}, {self.tokens} tokens, {self.bytes} bytes)"
        )


def worst() -> Worst:
    full, clients = build_schema()._schema, load_policy().clients
    found = Worst(0.0, "-", "-", 0, 0)
    for client in clients.values():
        executor = client_view(full, client).executor
        executor._prepare("{ __typename }")  # graphql-core checks the schema once, first
        for shape in SHAPES:
            for prefix in PREFIXES:
                document = build(shape, prefix, client.limits.tokens, MAX_BODY_BYTES)
                best = min(_seconds(executor._prepare, document) for _ in range(REPEAT))
                if best * 1000 > found.ms:
                    size = tokens(document), len(document)
                    found = Worst(round(best * 1000, 2), shape.name, client.id, *size)
    return found


def _seconds(prepare: Any, document: str) -> float:
    started = time.perf_counter()
    prepare(document)
    return time.perf_counter() - started
