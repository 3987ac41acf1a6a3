"""The floor: a bare Starlette + asyncpg endpoint per operation, running the same SQL as the
gateway and answering the same JSON shape, with none of its controls (no token, no schema,
no view, no row-rule plumbing beyond the SQL itself, no audit, no limits) and no domain rules.

Served by uvicorn exactly as the gateway is (same loop, same HTTP parser, same worker count),
and sent the very same request bodies, so the ratio gateway/floor is what the gateway's
GraphQL layer, its controls and its domain logic cost. The pool skips asyncpg's reset on
release: nothing here changes session state, and the floor is meant to be the best case.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.domain.uid import uid_for_sequence

MAKEREGISTER = "opg.poas.makeregister"
USE = "opg.poas.use"
ORACLE_WINDOW = timedelta(days=1)

STATUS = (
    "SELECT status, lpa_type, restrictions_and_conditions, registration_date FROM lpas "
    "WHERE uid = $1 AND status IN ('registered', 'cancelled')"
)
LPA_COLUMNS = (
    "id, uid, status, lpa_type, channel, language, how_attorneys_make_decisions, "
    "how_attorneys_make_decisions_details, how_replacement_attorneys_make_decisions, "
    "how_replacement_attorneys_make_decisions_details, how_replacement_attorneys_step_in, "
    "how_replacement_attorneys_step_in_details, when_the_lpa_can_be_used, "
    "life_sustaining_treatment_option, restrictions_and_conditions, signed_at, "
    "witnessed_by_certificate_provider_at, witnessed_by_independent_witness_at, "
    "certificate_provider_not_related_confirmed_at, registration_date, created_by, "
    "created_at, updated_at, version"
)
OWN_LPA = f"SELECT {LPA_COLUMNS} FROM lpas WHERE uid = $1 AND created_by = $2"  # noqa: S608
ANY_LPA = f"SELECT {LPA_COLUMNS} FROM lpas WHERE uid = $1"  # noqa: S608
PEOPLE = (
    "SELECT actors.id, actors.lpa_id, actors.role, actors.position, actors.first_names, "
    "actors.last_name, actors.name, actors.company_number, actors.date_of_birth, actors.email, "
    "actors.mobile, actors.phone, actors.other_names_known_by, "
    "actors.contact_language_preference, actors.channel, actors.status, "
    "actors.appointment_type, actors.signed_at, actors.opted_out_at, addresses.id AS address_id, "
    "addresses.line1 AS address_line1, addresses.line2 AS address_line2, "
    "addresses.line3 AS address_line3, addresses.town AS address_town, "
    "addresses.postcode AS address_postcode, addresses.country AS address_country "
    "FROM actors LEFT OUTER JOIN addresses ON addresses.actor_id = actors.id "
    "WHERE actors.lpa_id IN ($1) ORDER BY actors.role, actors.position"
)
BUDGET_SPENT = (
    "SELECT failures FROM oracle_budgets "
    "WHERE client = $1 AND lpa_uid = $2 AND window_started_at > $3"
)
DONOR = (
    "SELECT actors.date_of_birth, addresses.postcode FROM lpas "
    "JOIN actors ON actors.lpa_id = lpas.id "
    "LEFT OUTER JOIN addresses ON addresses.actor_id = actors.id "
    "WHERE lpas.uid = $1 AND actors.role = 'donor' AND lpas.status IN ('registered', 'cancelled')"
)
BUDGET_FAIL = (
    "INSERT INTO oracle_budgets (client, lpa_uid, window_started_at, failures) "
    "VALUES ($1, $2, $3, 1) ON CONFLICT (client, lpa_uid) DO UPDATE SET "
    "failures = CASE WHEN (oracle_budgets.window_started_at <= $4) THEN 1 "
    "ELSE oracle_budgets.failures + 1 END, "
    "window_started_at = CASE WHEN (oracle_budgets.window_started_at <= $4) THEN $3 "
    "ELSE oracle_budgets.window_started_at END RETURNING oracle_budgets.failures"
)
RECALL = "SELECT request_hash, response FROM idempotency_records WHERE client = $1 AND key = $2"
NEW_NUMBER = "INSERT INTO lpa_numbers DEFAULT VALUES RETURNING id"
DROP_NUMBER = "DELETE FROM lpa_numbers WHERE id = $1"
INSERT_LPA = (
    "INSERT INTO lpas (uid, status, lpa_type, channel, language, how_attorneys_make_decisions, "
    "how_replacement_attorneys_step_in, when_the_lpa_can_be_used, "
    "life_sustaining_treatment_option, restrictions_and_conditions, signed_at, "
    "witnessed_by_certificate_provider_at, created_by, created_at, updated_at, version) "
    "VALUES ($1, 'in-progress', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, 1) "
    "RETURNING id"
)
INSERT_ACTOR = (
    "INSERT INTO actors (id, lpa_id, role, position, first_names, last_name, date_of_birth, "
    "email, mobile, phone, channel, status, appointment_type) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
)
INSERT_ADDRESS = (
    "INSERT INTO addresses (actor_id, line1, line2, line3, town, postcode, country) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)"
)
INSERT_CHANGE = (
    "INSERT INTO changes (lpa_id, lpa_version, change_type, author, applied_at, fields) "
    "VALUES ($1, 1, 'CREATE', $2, $3, $4)"
)
INSERT_EVENT = (
    "INSERT INTO outbox (event_type, uid, change_type, created_at) "
    "VALUES ('lpa-updated', $1, 'CREATE', $2)"
)
REMEMBER = (
    "INSERT INTO idempotency_records (client, key, request_hash, response, created_at) "
    "VALUES ($1, $2, $3, $4, $5)"
)


async def _no_reset(_conn: asyncpg.Connection) -> None:
    return None


def _wire(value: str | None) -> str | None:
    """GraphQL enum value -> stored vocabulary: PROPERTY_AND_AFFAIRS -> property-and-affairs."""
    return None if value is None else value.lower().replace("_", "-")


def _enum(value: str | None) -> str | None:
    return None if value is None else value.upper().replace("-", "_")


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def _address(row: asyncpg.Record) -> dict[str, Any] | None:
    if row["address_id"] is None:
        return None
    names = ("line1", "line2", "line3", "town", "postcode", "country")
    return {n: row[f"address_{n}"] for n in names}


class Floor:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def lpa_status(self, variables: dict[str, Any]) -> dict[str, Any]:
        row = await self.pool.fetchrow(STATUS, variables["uid"])
        if row is None:
            return {"lpaStatus": None}
        return {
            "lpaStatus": {
                "isRegistered": row["status"] == "registered",
                "isCancelled": row["status"] == "cancelled",
                "hasRestrictionsAndConditions": bool(row["restrictions_and_conditions"]),
                "lpaType": _enum(row["lpa_type"]),
                "registrationDate": _iso(row["registration_date"]),
            }
        }

    async def validate_lpa(self, variables: dict[str, Any]) -> dict[str, Any]:
        async with self.pool.acquire() as conn:
            lpa = await conn.fetchrow(OWN_LPA, variables["uid"], MAKEREGISTER)
            if lpa is None:
                return {"validateLpa": None}
            people = await conn.fetch(PEOPLE, lpa["id"])
        unsigned = [p for p in people if p["signed_at"] is None and p["role"] != "donor"]
        return {"validateLpa": {"valid": not unsigned, "problems": []}}

    async def donor_identity_matches(self, variables: dict[str, Any]) -> dict[str, Any]:
        uid, now = variables["uid"], datetime.now(UTC)
        async with self.pool.acquire() as conn:
            failures = await conn.fetchval(BUDGET_SPENT, USE, uid, now - ORACLE_WINDOW)
            if failures is not None and failures >= 1_000_000_000:
                return {"donorIdentityMatches": None}
            donor = await conn.fetchrow(DONOR, uid)
            if (
                donor is not None
                and donor["date_of_birth"].isoformat() == variables["dob"]
                and donor["postcode"].replace(" ", "").upper()
                == variables["postcode"].replace(" ", "").upper()
            ):
                return {"donorIdentityMatches": True}
            await conn.fetchval(BUDGET_FAIL, USE, uid, now, now - ORACLE_WINDOW)
        return {"donorIdentityMatches": False}

    async def create_lpa(self, variables: dict[str, Any]) -> dict[str, Any]:
        draft, key, now = variables["input"], variables["key"], datetime.now(UTC)
        request_hash = hashlib.sha256(json.dumps(draft, sort_keys=True).encode()).hexdigest()
        async with self.pool.acquire() as conn, conn.transaction():
            seen = await conn.fetchrow(RECALL, MAKEREGISTER, key)
            if seen is not None:
                return {"createLpa": json.loads(seen["response"])}
            number = await conn.fetchval(NEW_NUMBER)
            await conn.execute(DROP_NUMBER, number)
            uid = uid_for_sequence(number)
            lpa_id = await conn.fetchval(
                INSERT_LPA,
                uid,
                _wire(draft["lpaType"]),
                _wire(draft["channel"]),
                _wire(draft["language"]),
                _wire(draft.get("howAttorneysMakeDecisions")),
                _wire(draft.get("howReplacementAttorneysStepIn")),
                _wire(draft.get("whenTheLpaCanBeUsed")),
                _wire(draft.get("lifeSustainingTreatmentOption")),
                draft.get("restrictionsAndConditions"),
                datetime.fromisoformat(draft["signedAt"]),
                datetime.fromisoformat(draft["witnessedByCertificateProviderAt"]),
                MAKEREGISTER,
                now,
            )
            people = [("donor", 0, draft["donor"])]
            people += [("attorney", i, a) for i, a in enumerate(draft["attorneys"])]
            people.append(("certificate-provider", 0, draft["certificateProvider"]))
            actors, addresses = [], []
            for role, position, person in people:
                actor_id = uuid.uuid4()
                born = person.get("dateOfBirth")
                appointment = _wire(person.get("appointmentType"))
                actors.append(
                    (
                        actor_id, lpa_id, role, position, person["firstNames"],
                        person["lastName"], date.fromisoformat(born) if born else None,
                        person.get("email"), person.get("mobile"), person.get("phone"),
                        _wire(person.get("channel")),
                        ("active" if appointment == "original" else "inactive")
                        if appointment else None,
                        appointment,
                    )
                )  # fmt: skip
                a = person["address"]
                addresses.append(
                    (actor_id, a["line1"], a.get("line2"), a.get("line3"), a.get("town"),
                     a.get("postcode"), a.get("country"))
                )  # fmt: skip
            await conn.executemany(INSERT_ACTOR, actors)
            await conn.executemany(INSERT_ADDRESS, addresses)
            fields = [{"field": f"/{k}", "old": None, "new": v} for k, v in _leaves(draft)]
            await conn.execute(INSERT_CHANGE, lpa_id, "urn:opg:poas:makeregister:users:1", now,
                               json.dumps(fields))  # fmt: skip
            await conn.execute(INSERT_EVENT, uid, now)
            answer = {"accepted": True, "uid": uid, "version": 1, "problems": []}
            await conn.execute(REMEMBER, MAKEREGISTER, key, request_hash, json.dumps(answer), now)
        return {"createLpa": answer}

    async def lpa(self, variables: dict[str, Any]) -> dict[str, Any]:
        async with self.pool.acquire() as conn:
            lpa = await conn.fetchrow(ANY_LPA, variables["uid"])
            if lpa is None:
                return {"lpa": None}
            people = await conn.fetch(PEOPLE, lpa["id"])

        def person(row: asyncpg.Record, *names: str) -> dict[str, Any]:
            base = {"uid": str(row["id"]), "firstNames": row["first_names"],
                    "lastName": row["last_name"], "email": row["email"],
                    "address": _address(row)}  # fmt: skip
            for name in names:
                value = row[name]
                key = "".join(p.capitalize() if i else p for i, p in enumerate(name.split("_")))
                base[key] = _iso(value) if isinstance(value, date) else _enum(value)
            return base

        return {
            "lpa": {
                "uid": lpa["uid"],
                "status": _enum(lpa["status"]),
                "lpaType": _enum(lpa["lpa_type"]),
                "channel": _enum(lpa["channel"]),
                "language": _enum(lpa["language"]),
                "howAttorneysMakeDecisions": _enum(lpa["how_attorneys_make_decisions"]),
                "whenTheLpaCanBeUsed": _enum(lpa["when_the_lpa_can_be_used"]),
                "signedAt": _iso(lpa["signed_at"]),
                "registrationDate": _iso(lpa["registration_date"]),
                "version": lpa["version"],
                "donor": next(
                    (person(p, "date_of_birth") for p in people if p["role"] == "donor"), None
                ),
                "attorneys": [
                    person(p, "date_of_birth", "status", "appointment_type", "signed_at")
                    for p in people
                    if p["role"] == "attorney"
                ],
                "certificateProvider": next(
                    (
                        {**person(p, "signed_at"), "phone": p["phone"]}
                        for p in people
                        if p["role"] == "certificate-provider"
                    ),
                    None,
                ),
            }
        }


def _leaves(value: Any, at: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [leaf for k in sorted(value) for leaf in _leaves(value[k], f"{at}/{k}")]
    if isinstance(value, list):
        return [leaf for i, item in enumerate(value) for leaf in _leaves(item, f"{at}/{i}")]
    return [(at.lstrip("/"), value)]


Handler = Callable[[Floor, dict[str, Any]], Awaitable[dict[str, Any]]]
HANDLERS: dict[str, Handler] = {  # by the operation's root field, as the bench names it
    "lpaStatus": Floor.lpa_status,
    "validateLpa": Floor.validate_lpa,
    "donorIdentityMatches": Floor.donor_identity_matches,
    "createLpa": Floor.create_lpa,
    "lpa": Floor.lpa,
}


def _endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        payload = json.loads(await request.body())
        data = await handler(request.app.state.floor, payload.get("variables") or {})
        return JSONResponse({"data": data})

    return endpoint


@asynccontextmanager
async def floor_of(dsn: str) -> AsyncIterator[Floor]:
    """The floor's handlers on a pool of their own (BENCH_FLOOR_POOL_SIZE, 10 by default)."""
    size = int(os.environ.get("BENCH_FLOOR_POOL_SIZE", "10"))
    pool = await asyncpg.create_pool(dsn, min_size=size, max_size=2 * size, reset=_no_reset)
    try:
        yield Floor(pool)
    finally:
        await pool.close()


def create_app() -> Starlette:
    dsn = os.environ["BENCH_FLOOR_DSN"]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with floor_of(dsn) as app.state.floor:
            yield

    routes = [
        *(Route(f"/floor/{name}", _endpoint(h), methods=["POST"]) for name, h in HANDLERS.items()),
        Route("/health/ready", _ready, methods=["GET"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


async def _ready(request: Request) -> Response:
    await request.app.state.floor.pool.fetchval("SELECT 1")
    return JSONResponse({"status": "ready"})
