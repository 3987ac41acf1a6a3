"""Two gateways alike but for `compiled_plans`: graphql-core answers in one, the compiled
plans in the other; on one database, or (for mutations, which change it) on two made alike.
Each request goes to both, and the answers and audit rows must be the same to the byte
(tests/plans/test_difference.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any

import httpx
from sqlalchemy import select
from starlette.applications import Starlette

from app.authz.tokens import mint_dev_token
from app.db.models import AuditEvent
from app.http.app import create_app
from app.settings import Settings
from tests.factories import SUBS

# what differs between two runs of one request by nature: the row's own id, its time, the
# request id and how long it took
UNIQUE_TO_A_RUN = ("id", "occurred_at", "request_id", "duration_ms")


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    content: bytes  # the body exactly as sent
    content_type: str
    request_id: str


@dataclass
class Twins:
    core: Starlette
    planned: Starlette
    settings: Settings
    asked: int = 0

    async def ask(self, app: Starlette, client: str, body: dict[str, Any]) -> Answer:
        token = mint_dev_token(self.settings, client, SUBS[client])
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
            response = await http.post(
                "/graphql", json=body, headers={"Authorization": f"Bearer {token}"}
            )
        headers = response.headers
        return Answer(
            response.status_code, response.content, headers["content-type"], headers["x-request-id"]
        )

    async def both(self, client: str, body: dict[str, Any]) -> tuple[Answer, Answer]:
        self.asked += 1
        # A gateway withholds its answer (503) while a queued audit row is over a second
        # old, and a slow moment (two writers on one SQLite file, a busy machine) can leave
        # one that old: the audit's promise, not a difference between the two. Each pair
        # starts with nothing queued, so that only the answering can differ.
        await self.flush()
        return await self.ask(self.core, client, body), await self.ask(self.planned, client, body)

    async def flush(self) -> None:
        for app in (self.core, self.planned):
            await app.state.gateway.audit.flush()

    async def audit_rows(self) -> dict[str, dict[str, Any]]:
        """Every audit row so far by request id, without what is unique to a run."""
        await self.flush()
        table = AuditEvent.__table__
        rows: list[dict[str, Any]] = []
        for app in (self.core, self.planned):  # one database, or one each (mutations)
            async with app.state.gateway.engine.connect() as conn:
                rows += [dict(r._mapping) for r in await conn.execute(select(table))]
        return {
            row["request_id"]: {k: v for k, v in row.items() if k not in UNIQUE_TO_A_RUN}
            for row in rows
        }


@asynccontextmanager
async def twins(
    core: Starlette, settings: Settings, database_url: str | None = None
) -> AsyncIterator[Twins]:
    assert not settings.compiled_plans
    planned_settings = replace(settings, compiled_plans=True)
    if database_url is not None:
        planned_settings = replace(planned_settings, database_url=database_url)
    planned = create_app(planned_settings)
    async with planned.router.lifespan_context(planned):
        yield Twins(core, planned, settings)
