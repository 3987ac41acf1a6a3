"""Seed the benchmark database fast: COPY through asyncpg, straight into the real tables.

Each LPA is a realistic record: a donor, three attorneys (some with a replacement), a
certificate provider, an address for each, its CREATE history row and outbox event. About
half are registered or cancelled. Row values follow the schema's vocabularies and the LPA
rules, so the gateway's own readers and validators see ordinary data.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from app.db.models import (
    Actor,
    Address,
    Change,
    Lpa,
    OutboxEvent,
    table,
)
from app.domain.uid import uid_for_sequence

MAKEREGISTER = "opg.poas.makeregister"
SIRIUS = "opg.poas.sirius"
FIRST = (
    "Amelia",
    "Bernard",
    "Chidi",
    "Dorothy",
    "Emrys",
    "Fatima",
    "Gareth",
    "Hannah",
    "Ifeoma",
    "James",
    "Karen",
    "Liam",
    "Megan",
    "Nia",
    "Oliver",
    "Priya",
    "Rhys",
    "Sara",
)
LAST = (
    "Okafor",
    "Llewellyn",
    "Nwosu",
    "Abbott",
    "Pritchard",
    "Rahman",
    "Jones",
    "Smith",
    "Evans",
    "Taylor",
    "Brown",
    "Williams",
    "Khan",
    "Patel",
    "Hughes",
    "Morgan",
    "Price",
)
TOWNS = ("Cardiff", "Swansea", "Leeds", "Bristol", "Norwich", "Derby", "York", "Bath", "Hull")
STATUSES = (
    ("registered", 45), ("cancelled", 5), ("in-progress", 30),
    ("statutory-waiting-period", 15), ("withdrawn", 5),
)  # fmt: skip
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Seeded:
    """What the load generator needs to know about the seeded LPAs."""

    count: int
    status_uids: list[str]  # registered or cancelled: lpaStatus answers flags for these
    own_uids: list[str]  # created by makeregister: validateLpa answers for these
    donors: list[tuple[str, str, str]]  # (uid, donor date of birth, donor postcode)
    seconds: float


POOL = 4096  # distinct people and addresses; each LPA draws from them


def _postcode(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPRSTUWYZ"
    return (
        f"{rng.choice(letters)}{rng.choice(letters)}{rng.randint(1, 29)} "
        f"{rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
    )


def _address(rng: random.Random) -> dict[str, Any]:
    return {
        "line1": f"{rng.randint(1, 250)} {rng.choice(LAST)} Road",
        "line2": rng.choice((None, "Flat 2", "The Cottage")),
        "line3": None,
        "town": rng.choice(TOWNS),
        "postcode": _postcode(rng),
        "country": "GB",
    }


def _born(rng: random.Random, low: int, high: int) -> date:
    return date(rng.randint(low, high), rng.randint(1, 12), rng.randint(1, 28))


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


class _Person:
    """One person of the pool; LPAs share them as real registers share common names."""

    def __init__(self, rng: random.Random, born: tuple[int, int], **extra: Any) -> None:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        self.fields: dict[str, Any] = {
            "first_names": first,
            "last_name": last,
            "date_of_birth": _born(rng, *born),
            "email": f"{first.lower()}.{last.lower()}{rng.randint(1, 9999)}@example.com",
            **extra,
        }
        self.address = _address(rng)


class _People:
    def __init__(self, rng: random.Random) -> None:
        def phone() -> str:
            return f"07700{rng.randint(900000, 900999)}"

        self.donors = [
            _Person(rng, (1930, 1975), contact_language_preference="en", channel="online")
            for _ in range(POOL)
        ]
        self.attorneys = [
            _Person(rng, (1950, 1995), mobile=phone(), channel="online") for _ in range(POOL)
        ]
        self.providers = [
            _Person(rng, (1960, 1995), phone=phone(), channel="online") for _ in range(POOL)
        ]
        for provider in self.providers:
            provider.fields["date_of_birth"] = None  # not asked of certificate providers


def _lpa(rng: random.Random, pool: _People, n: int) -> dict[str, Any]:
    status = rng.choices([s for s, _ in STATUSES], [w for _, w in STATUSES])[0]
    lpa_type = "property-and-affairs" if rng.random() < 0.6 else "personal-welfare"
    created = EPOCH + timedelta(minutes=n)
    signed = created + timedelta(days=rng.randint(0, 20))
    with_replacement = rng.random() < 0.5
    unsigned = status == "in-progress" and rng.random() < 0.5
    registered = status in ("registered", "cancelled")
    attorneys = rng.sample(pool.attorneys, 3)
    return {
        "uid": uid_for_sequence(n),
        "status": status,
        "lpa_type": lpa_type,
        "channel": "online",
        "language": "cy" if rng.random() < 0.05 else "en",
        "how_attorneys_make_decisions": "jointly-and-severally",
        "how_replacement_attorneys_step_in": "all-can-no-longer-act" if with_replacement else None,
        "when_the_lpa_can_be_used": (
            rng.choice(("when-has-capacity", "when-capacity-lost"))
            if lpa_type == "property-and-affairs"
            else None
        ),
        "life_sustaining_treatment_option": (
            rng.choice(("option-a", "option-b")) if lpa_type == "personal-welfare" else None
        ),
        "restrictions_and_conditions": (
            "My attorneys must not sell my house." if rng.random() < 0.2 else None
        ),
        "signed_at": signed,
        "witnessed_by_certificate_provider_at": signed,
        "registration_date": (signed + timedelta(days=30)).date() if registered else None,
        "created_by": MAKEREGISTER if rng.random() < 0.9 else SIRIUS,
        "created_at": created,
        "updated_at": signed + timedelta(days=30) if registered else created,
        "version": 1,
        "people": [
            ("donor", 0, rng.choice(pool.donors), {"signed_at": signed}),
            *(
                (
                    "attorney",
                    i,
                    attorney,
                    {
                        "appointment_type": (
                            "replacement" if with_replacement and i == 2 else "original"
                        ),
                        "status": "inactive" if with_replacement and i == 2 else "active",
                        "signed_at": None if unsigned else signed + timedelta(days=2),
                    },
                )
                for i, attorney in enumerate(attorneys)
            ),
            (
                "certificate-provider",
                0,
                rng.choice(pool.providers),
                {"signed_at": None if unsigned else signed + timedelta(days=1)},
            ),
        ],
    }


_HISTORY_FIELDS = (
    "lpa_type", "channel", "language", "how_attorneys_make_decisions",
    "how_replacement_attorneys_step_in", "when_the_lpa_can_be_used",
    "life_sustaining_treatment_option", "restrictions_and_conditions", "signed_at",
)  # fmt: skip


def _history(lpa: dict[str, Any]) -> str:
    """The CREATE change of the LPA's own fields. (The gateway also records each person's
    fields; nothing benchmarked reads history, and the full rows triple the seeding time.)"""
    return json.dumps(
        [
            {"field": f"/{k}", "old": None, "new": _jsonable(lpa[k])}
            for k in _HISTORY_FIELDS
            if lpa[k] is not None
        ]
    )


def _columns(model: Any) -> list[str]:
    """The columns the seed writes: a column with a server default keeps it."""
    return [c.name for c in table(model).c if c.server_default is None]


async def seed(dsn: str, count: int, *, rng_seed: int = 20261124) -> Seeded:
    started = time.perf_counter()
    rng = random.Random(rng_seed)
    pool = _People(rng)
    lpa_columns, actor_columns = _columns(Lpa), _columns(Actor)
    address_columns, change_columns = _columns(Address), _columns(Change)
    outbox_columns = _columns(OutboxEvent)
    lpas: list[tuple[Any, ...]] = []
    actors: list[tuple[Any, ...]] = []
    addresses: list[tuple[Any, ...]] = []
    changes: list[tuple[Any, ...]] = []
    outbox: list[tuple[Any, ...]] = []
    status_uids, own_uids, donors = [], [], []
    address_id = 0
    for n in range(1, count + 1):
        lpa = _lpa(rng, pool, n)
        lpas.append(tuple(lpa.get(c) if c != "id" else n for c in lpa_columns))
        for role, position, person, extra in lpa["people"]:
            actor_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            row = {
                **person.fields,
                **extra,
                "id": actor_id,
                "lpa_id": n,
                "role": role,
                "position": position,
            }
            actors.append(tuple(row.get(c) for c in actor_columns))
            address_id += 1
            located = {**person.address, "id": address_id, "actor_id": actor_id}
            addresses.append(tuple(located.get(c) for c in address_columns))
        change = {
            "id": n, "lpa_id": n, "lpa_version": 1, "change_type": "CREATE",
            "author": f"urn:opg:poas:makeregister:users:{uuid.UUID(int=n, version=4)}",
            "applied_at": lpa["created_at"], "fields": _history(lpa),
        }  # fmt: skip
        changes.append(tuple(change[c] for c in change_columns))
        event = {
            "id": n, "event_type": "lpa-updated", "uid": lpa["uid"], "change_type": "CREATE",
            "created_at": lpa["created_at"],
        }  # fmt: skip
        outbox.append(tuple(event[c] for c in outbox_columns))
        if lpa["status"] in ("registered", "cancelled"):
            status_uids.append(lpa["uid"])
        if lpa["created_by"] == MAKEREGISTER:
            own_uids.append(lpa["uid"])
        donor = lpa["people"][0][2]
        born, postcode = donor.fields["date_of_birth"], donor.address["postcode"]
        donors.append((lpa["uid"], born.isoformat(), postcode))

    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        async with conn.transaction():
            # Rows are consistent by construction: skip the per-row foreign-key triggers.
            await conn.execute("SET LOCAL session_replication_role = replica")
            for name, columns, records in (
                ("lpas", lpa_columns, lpas),
                ("actors", actor_columns, actors),
                ("addresses", address_columns, addresses),
                ("changes", change_columns, changes),
                ("outbox", outbox_columns, outbox),
            ):
                await conn.copy_records_to_table(name, records=records, columns=columns)
            for name in ("lpas", "addresses", "changes", "outbox"):
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
                    f"(SELECT max(id) FROM {name}))"
                )
            # The gateway's own numbering carries on after the seeded LPAs.
            await conn.execute(
                "SELECT setval(pg_get_serial_sequence('lpa_numbers', 'id'), $1)", count
            )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return Seeded(count, status_uids, own_uids, donors, time.perf_counter() - started)
