"""`lpa(uid)` reads the LPA's people with its row, on one pooled connection, where its
selection reaches them; its people's fields answer from them without a DataLoader.

Held to the read it replaced: the LPA's row by `lpa_row`, then its people by the statement the
`people` DataLoader ran (the people of many LPAs, `IN` their ids, by role and position), each
on a connection of its own. The whole record, every field, is the same JSON for every kind of
LPA the demo and the draft strategies make, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from graphql import GraphQLField, GraphQLObjectType, get_named_type, is_leaf_type
from hypothesis import HealthCheck, given, settings
from sqlalchemy import Select, literal_column, select
from sqlalchemy import table as sql_table
from starlette.applications import Starlette

from app.db.demo import demo_uids, seed_demo
from app.db.in_transaction import InTransaction
from app.db.prepared import Prepared
from app.db.repository import CallerRepository, create_lpa
from app.db.repository import reads as reads_module
from app.db.repository.reads import actors, identity_checks, people_select, signatories
from app.domain.assemble import new_lpa
from app.domain.create import decide_create
from app.domain.draft import LpaDraft
from app.domain.uid import uid_for_sequence
from app.graphql.casework.record import PEOPLE_FIELDS
from app.graphql.schema import build_schema
from tests.domain.strategies import lpa_drafts
from tests.factories import CREATE_LPA, address, online_lpa
from tests.rows import two_signatories

pytestmark = pytest.mark.anyio
CASEWORKER = "opg.poas.sirius"
DRAFTS = 12


def _selection(kind: GraphQLObjectType) -> str:
    """Every field of `kind`, and of every object below it."""
    return " ".join(_field(name, field) for name, field in kind.fields.items())


def _field(name: str, field: GraphQLField) -> str:
    named = get_named_type(field.type)
    if is_leaf_type(named):
        return name
    assert isinstance(named, GraphQLObjectType)
    return f"{name} {{ {_selection(named)} }}"


LPA_TYPE = build_schema()._schema.get_type("Lpa")
assert isinstance(LPA_TYPE, GraphQLObjectType)


def _record(selection: str) -> str:
    return f"query R($uid: LpaUid!) {{ lpa(uid: $uid) {{ {selection} }} }}"


# The whole record, every field below it, in parts that each keep within the query cost limit:
# the LPA's own fields together, and each field with fields of its own alone.
_LEAVES = [n for n, f in LPA_TYPE.fields.items() if is_leaf_type(get_named_type(f.type))]
WHOLE = [
    _record(" ".join(_LEAVES)),
    *(_record(_field(n, f)) for n, f in LPA_TYPE.fields.items() if n not in _LEAVES),
]


# The `people` DataLoader's statement, as it was: SQLAlchemy ran it on a connection of its own.
def _people_batch(lpa_id: int) -> Select[Any]:
    return (
        people_select()
        .where(actors.c.lpa_id.in_([lpa_id]))
        .order_by(actors.c.role, actors.c.position)
    )


async def _as_before(
    self: CallerRepository, uid: str
) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """The row and the people as read before: two reads, each on a connection of its own."""
    row = await self.lpa_row(uid)
    if row is None:
        return None
    async with self.lagging.reads.connect() as conn:
        people = [dict(r._mapping) for r in await conn.execute(_people_batch(row["id"]))]
    return row, people


def _drafts(count: int) -> list[LpaDraft]:
    found: list[LpaDraft] = []

    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(lpa_drafts())
    def collect(draft: LpaDraft) -> None:
        found.append(draft)

    collect()
    return found[:count]


# the tests' factory's LPA, on paper, signed for the donor before an independent witness
SIGNED_FOR = online_lpa(
    channel="PAPER",
    authorisedSignatory={"firstNames": "Ann", "lastName": "Signer"},
    independentWitness={
        "firstNames": "Wyn",
        "lastName": "Witness",
        "phone": "07700900002",
        "address": address("WI1 1TN"),
    },
)


async def _store_every_kind(app: Starlette, gql: Any) -> list[str]:
    """The demo's LPAs, the tests' factory's (online, and on paper signed for the donor) and
    some drawn by the draft strategies, with identity checks and trust corporations'
    signatories on some of their people; their UIDs."""
    engine = app.state.gateway.engine
    await seed_demo(engine)
    now = datetime.now(UTC)
    uids = list(demo_uids())
    for key, lpa in (("online", online_lpa()), ("signed-for", SIGNED_FOR)):
        variables = {"input": lpa, "key": key}
        created = (await gql("opg.poas.makeregister", CREATE_LPA, variables)).json()
        uids.append(created["data"]["createLpa"]["uid"])
    async with engine.begin() as conn:
        tx = await InTransaction.of(conn)
        for n, draft in enumerate(_drafts(DRAFTS)):
            decision = decide_create(draft, now)
            uid = uid_for_sequence(900_000 + n)
            lpa = new_lpa(
                decision.draft, uid=uid, client="test", at=now, defaulted=decision.defaulted
            )
            await create_lpa(tx, lpa, author="test", anomalies=list(decision.problems))
            uids.append(uid)
        people = (await conn.execute(select(actors.c.id, actors.c.role))).all()
        for n, (actor, role) in enumerate(people):
            if role == "trust-corporation":
                await conn.execute(signatories.insert(), two_signatories(actor))
            elif n % 3 == 0:
                check = {"actor_id": actor, "type": "one-login", "checked_at": now}
                await conn.execute(identity_checks.insert(), [check])
    return uids


async def test_the_whole_record_reads_as_it_did_for_every_kind_of_lpa(
    app: Starlette, gql: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    uids = await _store_every_kind(app, gql)

    async def read() -> list[bytes]:
        return [(await gql(CASEWORKER, q, {"uid": uid})).content for uid in uids for q in WHOLE]

    now = await read()
    monkeypatch.setattr(CallerRepository, "lpa_with_people", _as_before)
    assert now == await read()
    answers = [json.loads(body) for body in now]
    assert [a for a in answers if "errors" in a] == []
    lpas: list[dict[str, Any]] = []
    for n in range(len(uids)):  # each LPA's parts, as one record
        lpas.append({})
        for answer in answers[n * len(WHOLE) : (n + 1) * len(WHOLE)]:
            lpas[-1].update(answer["data"]["lpa"])
    # every kind of person is there somewhere, and somewhere not
    assert all(lpa["attorneys"] for lpa in lpas)
    for field in ("trustCorporations", "peopleToNotify"):
        assert any(lpa[field] for lpa in lpas), field
        assert any(not lpa[field] for lpa in lpas), field
    for field in ("independentWitness", "authorisedSignatory"):
        assert any(lpa[field] for lpa in lpas), field
        assert any(lpa[field] is None for lpa in lpas), field
    assert any(t["signatories"] for lpa in lpas for t in lpa["trustCorporations"])
    assert any(lpa["donor"]["identityChecks"] for lpa in lpas)


@pytest.mark.parametrize("field", sorted(LPA_TYPE.fields))
async def test_each_field_of_the_record_answers_alone(app: Starlette, gql: Any, field: str) -> None:
    """A field whose resolver reads the people but is missing from PEOPLE_FIELDS would find
    them unread, and answer an error here."""
    await seed_demo(app.state.gateway.engine)
    query = (
        f"query F($uid: LpaUid!) {{ lpa(uid: $uid) {{ {_field(field, LPA_TYPE.fields[field])} }} }}"
    )
    for uid in demo_uids():
        body = (await gql(CASEWORKER, query, {"uid": uid})).json()
        assert "errors" not in body, (field, body)
        assert body["data"]["lpa"] is not None


@pytest.fixture
def people_read_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """The people's statement fails on either database: its table does not exist."""
    broken = Prepared(select(literal_column("1").label("x")).select_from(sql_table("no_such")))
    monkeypatch.setattr(reads_module, "_PEOPLE_OF_ONE", broken)


OWN_AND_PEOPLE = """query($uid: LpaUid!) {
  lpa(uid: $uid) { uid status donor { lastName } certificateProvider { lastName } }
}"""


@pytest.mark.usefixtures("people_read_fails")
async def test_a_failed_read_of_the_people_fails_each_field_that_asks_for_them(
    app: Starlette, gql: Any
) -> None:
    """As when the DataLoader's one read of them failed: each field that asks for the people
    answers that error, the LPA's own fields answer."""
    await seed_demo(app.state.gateway.engine)
    uid = demo_uids()[0]
    body = (await gql(CASEWORKER, OWN_AND_PEOPLE, {"uid": uid})).json()
    assert body["data"] == {
        "lpa": {"uid": uid, "status": "REGISTERED", "donor": None, "certificateProvider": None}
    }
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [
        (["lpa", "donor"], "INTERNAL"),
        (["lpa", "certificateProvider"], "INTERNAL"),
    ]
    # attorneys cannot be null: the error nulls the LPA, as it did
    query = "query($uid: LpaUid!) { lpa(uid: $uid) { uid attorneys { lastName } } }"
    body = (await gql(CASEWORKER, query, {"uid": uid})).json()
    assert body["data"] == {"lpa": None}
    assert [e["path"] for e in body["errors"]] == [["lpa", "attorneys"]]


@pytest.mark.usefixtures("people_read_fails")
async def test_a_selection_without_the_people_does_not_read_them(app: Starlette, gql: Any) -> None:
    await seed_demo(app.state.gateway.engine)
    uid = demo_uids()[0]
    query = """query($uid: LpaUid!) {
      lpa(uid: $uid) { uid ... on Lpa { status } ...Own history { version } feeDue }
    }
    fragment Own on Lpa { version lpaType }"""
    body = (await gql(CASEWORKER, query, {"uid": uid})).json()
    assert "errors" not in body, body
    assert body["data"]["lpa"]["status"] == "REGISTERED"


async def test_people_reached_through_fragments_are_read(app: Starlette, gql: Any) -> None:
    await seed_demo(app.state.gateway.engine)
    uid = demo_uids()[0]
    query = """query($uid: LpaUid!) {
      lpa(uid: $uid) { uid ... on Lpa { donor { lastName } } ...People }
    }
    fragment People on Lpa { attorneys { lastName } progress { donorSigned } }"""
    body = (await gql(CASEWORKER, query, {"uid": uid})).json()
    assert "errors" not in body, body
    assert body["data"]["lpa"]["donor"]["lastName"]
    assert body["data"]["lpa"]["attorneys"]


def test_people_fields_are_fields_of_the_record() -> None:
    assert set(LPA_TYPE.fields) >= PEOPLE_FIELDS
