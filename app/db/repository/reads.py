"""Reading LPAs. One short statement per question; no ORM session on the hot path."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Row, Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.domain.records import CaseFile
from app.domain.records import Lpa as LpaRecord

from ..mapping import case_of, lpa_of, nested_held
from ..models import (
    Actor,
    Address,
    Anomaly,
    FeeReductionDecision,
    FeeReductionRequest,
    IdentityCheck,
    Lpa,
    OutboxEvent,
    Payment,
    TrustCorporationSignatory,
    table,
)
from ..prepared import Prepared, Reads, Statements
from ..visibility import RowRule, visible

lpas = table(Lpa)
actors = table(Actor)
addresses = table(Address)
identity_checks = table(IdentityCheck)
signatories = table(TrustCorporationSignatory)
fee_requests = table(FeeReductionRequest)
fee_decisions = table(FeeReductionDecision)
payments = table(Payment)
anomalies_table = table(Anomaly)
outbox = table(OutboxEvent)

CASE_PARTS = ("fee_reduction_requests", "fee_reduction_decisions", "payments", "anomalies")
# The caller, for row rules in prepared statements.
_CLIENT: BindParameter[str] = bindparam("client")
_STATUS = select(
    lpas.c.status,
    lpas.c.lpa_type,
    lpas.c.restrictions_and_conditions,
    lpas.c.registration_date,
)


_STATUS_BY_RULE = {
    rule: Prepared(_STATUS.where(lpas.c.uid == bindparam("uid"), visible(rule, _CLIENT)))
    for rule in RowRule
}


async def status_row(
    statements: Statements, uid: str, rule: RowRule, client: str
) -> dict[str, Any] | None:
    """Status, type, restrictions and registration date of a visible LPA, in one round trip."""
    return await statements.first(_STATUS_BY_RULE[rule], {"uid": uid, "client": client})


async def count_with_uids(conn: AsyncConnection, uids: list[str]) -> int:
    query = select(func.count()).select_from(lpas).where(lpas.c.uid.in_(uids))
    return int((await conn.execute(query)).scalar_one())


async def visible_lpa(
    conn: AsyncConnection, uid: str, rule: RowRule, client: str, *, for_update: bool = False
) -> Row[*tuple[Any, ...]] | None:
    """The LPA's row if the rule lets `client` see it. `for_update` locks the row until the
    transaction ends, so what is read next (its people, its rows) belongs to this version."""
    query = select(lpas).where(lpas.c.uid == uid, visible(rule, client))
    if for_update:
        query = query.with_for_update()
    return (await conn.execute(query)).first()


def people_select() -> Select[Any]:
    """Actors with their address columns (prefixed `address_`)."""
    address_columns = [c.label(f"address_{c.name}") for c in addresses.c if c.name != "actor_id"]
    return select(actors, *address_columns).select_from(
        actors.outerjoin(addresses, addresses.c.actor_id == actors.c.id)
    )


def _people(which: ColumnElement[bool]) -> Select[Any]:
    """The people `which` selects, in order."""
    return people_select().where(which).order_by(actors.c.lpa_id, actors.c.role, actors.c.position)


_LPA_BY_RULE = {
    rule: Prepared(select(lpas).where(lpas.c.uid == bindparam("uid"), visible(rule, _CLIENT)))
    for rule in RowRule
}
_PEOPLE_OF_ONE = Prepared(_people(actors.c.lpa_id == bindparam("lpa_id")))


async def visible_lpa_row(
    statements: Statements, uid: str, rule: RowRule, client: str
) -> dict[str, Any] | None:
    """`visible_lpa` in one round trip, outside any transaction."""
    return await statements.first(_LPA_BY_RULE[rule], {"uid": uid, "client": client})


_CHECKS_OF_ONE = Prepared(
    select(identity_checks)
    .join(actors, actors.c.id == identity_checks.c.actor_id)
    .where(actors.c.lpa_id == bindparam("lpa_id"))
)
_SIGNATORIES_OF_ONE = Prepared(
    select(signatories)
    .join(actors, actors.c.id == signatories.c.trust_corporation_id)
    .where(actors.c.lpa_id == bindparam("lpa_id"))
)


# The people of one LPA as `_PEOPLE_OF_ONE` gives them, each with whether it has identity
# checks: an LPA with none (most) needs no read of them.
_PEOPLE_OF_ONE_CHECKED = Prepared(
    _people(actors.c.lpa_id == bindparam("lpa_id")).add_columns(
        select(identity_checks.c.id)
        .where(identity_checks.c.actor_id == actors.c.id)
        .exists()
        .label("has_identity_checks")
    )
)


async def lpa_record(
    statements: Statements, uid: str, rule: RowRule, client: str
) -> LpaRecord | None:
    """A visible LPA as a record, outside any transaction: its row, its people, then their
    identity checks and signatories, one after another on one pooled connection. A read
    that could find nothing `lpa_of` keeps is not sent: identity checks where no person has
    one or none could hold one, signatories where there is no trust corporation."""
    async with statements.held() as reads:
        lpa = await reads.first(_LPA_BY_RULE[rule], {"uid": uid, "client": client})
        if lpa is None:
            return None
        key = {"lpa_id": lpa["id"]}
        people = await reads.all(_PEOPLE_OF_ONE_CHECKED, key)
        checked, signed = nested_held(people)
        checked = checked and any(p["has_identity_checks"] for p in people)
        checks = await reads.all(_CHECKS_OF_ONE, key) if checked else []
        signatories = await reads.all(_SIGNATORIES_OF_ONE, key) if signed else []
    return lpa_of(lpa, people, checks, signatories)


async def lpa_with_people(
    statements: Statements, uid: str, rule: RowRule, client: str
) -> tuple[dict[str, Any], list[dict[str, Any]] | Exception] | None:
    """A visible LPA's row and its people (as `people_of_one` gives them), one after the other
    on one pooled connection. Where the people's read fails, its error stands in their place:
    what asks for the people answers it, and what asks only for the LPA's own fields does not
    see it."""
    async with statements.held() as reads:
        lpa = await reads.first(_LPA_BY_RULE[rule], {"uid": uid, "client": client})
        if lpa is None:
            return None
        try:
            return lpa, await reads.all(_PEOPLE_OF_ONE, {"lpa_id": lpa["id"]})
        except Exception as error:
            return lpa, error


def _related_queries(lpa_id: int) -> dict[str, Select[Any]]:
    of_lpa = select(actors.c.id).where(actors.c.lpa_id == lpa_id)
    requests = select(fee_requests.c.id).where(fee_requests.c.lpa_id == lpa_id)
    return {
        "identity_checks": select(identity_checks).where(identity_checks.c.actor_id.in_(of_lpa)),
        "trust_corporation_signatories": select(signatories).where(
            signatories.c.trust_corporation_id.in_(of_lpa)
        ),
        "fee_reduction_requests": select(fee_requests)
        .where(fee_requests.c.lpa_id == lpa_id)
        .order_by(fee_requests.c.requested_at),
        "fee_reduction_decisions": select(fee_decisions)
        .where(fee_decisions.c.request_id.in_(requests))
        .order_by(fee_decisions.c.id),
        "payments": select(payments).where(payments.c.lpa_id == lpa_id),
        "anomalies": select(anomalies_table).where(anomalies_table.c.lpa_id == lpa_id),
    }


async def related_rows(
    conn: AsyncConnection, lpa_id: int, needs: Iterable[str]
) -> dict[str, list[dict[str, Any]]]:
    queries = _related_queries(lpa_id)
    return {
        name: [dict(row._mapping) for row in await conn.execute(queries[name])] for name in needs
    }


async def lpa_extras(
    conn: AsyncConnection, lpa_id: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The identity checks of the LPA's actors, and its trust corporations' signatories."""
    found = await related_rows(conn, lpa_id, ("identity_checks", "trust_corporation_signatories"))
    return found["identity_checks"], found["trust_corporation_signatories"]


async def case_rows(conn: AsyncConnection, lpa_id: int) -> CaseFile:
    """The case file of one LPA: fee reduction requests and decisions, payments, anomalies."""
    found = await related_rows(conn, lpa_id, CASE_PARTS)
    return case_of(*(found[name] for name in CASE_PARTS))


async def people_of_one(conn: AsyncConnection, lpa_id: int) -> list[Row[*tuple[Any, ...]]]:
    """Every actor of one LPA with its address columns (prefixed `address_`), in order."""
    return list((await conn.execute(_PEOPLE_OF_ONE.statement, {"lpa_id": lpa_id})).all())


_DONOR_BY_RULE = {
    rule: Prepared(
        select(actors.c.date_of_birth, addresses.c.postcode)
        .select_from(
            lpas.join(actors, actors.c.lpa_id == lpas.c.id).outerjoin(
                addresses, addresses.c.actor_id == actors.c.id
            )
        )
        .where(lpas.c.uid == bindparam("uid"), actors.c.role == "donor", visible(rule, _CLIENT))
    )
    for rule in RowRule
}


async def donor_identity(
    reads: Reads, uid: str, rule: RowRule, client: str
) -> dict[str, Any] | None:
    """The donor's date of birth and postcode, for the oracle's comparison only."""
    return await reads.first(_DONOR_BY_RULE[rule], {"uid": uid, "client": client})


async def events_after(
    conn: AsyncConnection, cursor: int, limit: int
) -> list[Row[*tuple[Any, ...]]]:
    query = select(outbox).where(outbox.c.id > cursor).order_by(outbox.c.id).limit(limit)
    return list((await conn.execute(query)).all())
