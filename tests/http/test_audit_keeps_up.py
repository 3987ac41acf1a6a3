"""The audit trail keeps up with a busy worker: four clients sending at once to one gateway
process (`make run`'s embedded SQLite, and PostgreSQL) get no 503, and every request they
sent has its audit row once the process has stopped.

The load is what an attacker's tooling sends: the developer client asks for the whole schema
(CPU-bound validation and execution, the worker's event loop busy for tens of milliseconds at
a time), the others send documents refused at validation and status lookups, four requests
in flight per client. Before the audit batch wrote from a thread of its own, and before
SQLite writes stopped holding the write lock across trips through the event loop, most
answers of this load were withheld.
"""

from __future__ import annotations

import asyncio
import collections

import httpx
from sqlalchemy import func, select

from app.authz.tokens import mint_dev_token
from app.db.engine import engine_for_url
from app.db.models import AuditEvent, table
from app.settings import Settings
from tests.factories import SUBS
from tests.processes import gateway

CLIENTS = ("developer", "opg.poas.use", "opg.poas.sirius", "opg.poas.makeregister")
IN_FLIGHT = 4  # per client
REQUESTS = 40  # per connection: 640 in all
SCHEMA = (
    "query { __schema { types { name fields { name args { name type { name ofType { name "
    "ofType { name } } } } type { name ofType { name ofType { name } } } } } } }"
)
DOCUMENTS = {
    "developer": {"query": SCHEMA},
    "opg.poas.use": {"query": '{ lpaStatus(uid: "M-1234-5678-9018") { isRegistered } }'},
    "opg.poas.sirius": {"query": '{ lpa(uid: "M-1234-5678-9018") { guessedField } }'},
    "opg.poas.makeregister": {"query": '{ lpa(uid: "M-1234-5678-9018") { uid } }'},
}
EXPECTED = {
    "developer": 200,
    "opg.poas.use": 200,
    "opg.poas.sirius": 400,
    "opg.poas.makeregister": 400,
}


async def _load(url: str, settings: Settings) -> collections.Counter[tuple[str, int]]:
    answers: collections.Counter[tuple[str, int]] = collections.Counter()
    tokens = {c: mint_dev_token(settings, c, SUBS[c]) for c in CLIENTS}
    limits = httpx.Limits(max_connections=len(CLIENTS) * IN_FLIGHT)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:

        async def client(name: str) -> None:
            for _ in range(REQUESTS):
                response = await http.post(
                    "/graphql",
                    json=DOCUMENTS[name],
                    headers={"Authorization": f"Bearer {tokens[name]}"},
                )
                answers[(name, response.status_code)] += 1

        await asyncio.gather(*(client(c) for c in CLIENTS for _ in range(IN_FLIGHT)))
    return answers


async def _audit_rows(database_url: str) -> int:
    engine = engine_for_url(database_url)
    try:
        async with engine.connect() as conn:
            return int(
                (await conn.scalar(select(func.count()).select_from(table(AuditEvent)))) or 0
            )
    finally:
        await engine.dispose()


def test_four_busy_clients_get_no_503_and_every_request_its_audit_row(
    settings: Settings,
) -> None:
    with gateway(settings) as url:
        answers = asyncio.run(_load(url, settings))
    assert answers == collections.Counter(
        {(c, EXPECTED[c]): IN_FLIGHT * REQUESTS for c in CLIENTS}
    ), answers
    assert asyncio.run(_audit_rows(settings.database_url)) == len(CLIENTS) * IN_FLIGHT * REQUESTS
