"""The repository: LPA records in and out of the tables, in the caller's transaction.

It is the only writer of LPAs. A save writes the difference between the LPA a change read and
the LPA it left, the history row and outbox event of that difference, and any safeguarding
signal the LPA now shows for the first time.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast

from app.domain.anomalies import safeguarding
from app.domain.enums import AnomalyStatus
from app.domain.history import lpa_changes
from app.domain.problems import Problem
from app.domain.records import Actor, Lpa
from app.domain.verdict import Verdict

from ..fees import fee_schedule
from ..history import record_change
from ..idempotency import Remembered, recall, remember
from ..in_transaction import InTransaction
from ..mapping import actor_columns, address_columns, lpa_columns, lpa_of
from ..visibility import RowRule
from .reads import case_rows, lpa_extras, people_of_one, visible_lpa
from .store import (
    NewActor,
    allocate_number,
    anomaly_keys,
    bump_version,
    insert_actors,
    insert_anomalies,
    insert_lpa,
    insert_rows,
    put_address,
    resolve_anomalies,
    taken_actor_ids,
    update_actor,
    update_lpa,
)

CREATE = "CREATE"


@dataclass(frozen=True, slots=True)
class LpaRepository:
    """LPAs that `client` may see under `rule`, on one connection in a transaction: the
    change runner's repository (`get`, `save`), a new LPA's (`create`), and the client's
    remembered answers (`recall`, `remember`), which commit with the work they answer for."""

    tx: InTransaction
    rule: RowRule
    client: str

    async def get(self, uid: str, *, with_case: bool) -> Lpa | None:
        """Locks the LPA's row until the transaction ends, so what is read next (its people,
        its rows) belongs to this version."""
        conn = self.tx.conn
        row = await visible_lpa(conn, uid, self.rule, self.client, for_update=True)
        if row is None:
            return None
        lpa_id = row.id
        people = [p._mapping for p in await people_of_one(conn, lpa_id)]
        checks, signatories = await lpa_extras(conn, lpa_id)
        case = None
        if with_case:
            schedule = tuple(await fee_schedule(conn))
            case = replace(await case_rows(conn, lpa_id), fee_schedule=schedule)
        return lpa_of(row._mapping, people, checks, signatories, case)

    async def save(
        self, before: Lpa, after: Lpa, *, event: str, author: str, at: datetime
    ) -> int | None:
        """Write `after` over `before`; the new version, or None when another writer got
        there first."""
        if before.id is None:
            raise ValueError("only a stored LPA is saved")
        tx, lpa_id = self.tx, before.id
        if not await bump_version(tx, lpa_id, before.version, at):
            return None
        await _write_difference(tx, lpa_id, before, after, author, at)
        version = before.version + 1
        await record_change(
            tx,
            lpa_id=lpa_id,
            uid=before.uid,
            version=version,
            change_type=event,
            author=author,
            fields=cast(list[dict[str, Any]], lpa_changes(before, after)),
            at=at,
        )
        await _raise_anomalies(tx, lpa_id, after, at, await anomaly_keys(tx, lpa_id))
        return version

    async def taken_actor_ids(self, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        """Which of these actor UUIDs another LPA already holds."""
        return await taken_actor_ids(self.tx, ids)

    async def allocate_number(self) -> int:
        """A sequence number for a new LPA's UID (`app.db.repository.store.allocate_number`)."""
        return await allocate_number(self.tx)

    async def create(self, lpa: Lpa, *, author: str, anomalies: list[Problem]) -> int:
        """Store a new LPA (`create_lpa`); its database id."""
        return await create_lpa(self.tx, lpa, author=author, anomalies=anomalies)

    async def recall(self, key: str) -> Remembered | None:
        """The answer the client's first request with `key` got, if one committed."""
        return await recall(self.tx, self.client, key)

    async def remember(self, key: str, request_hash: str, verdict: Verdict, at: datetime) -> None:
        """Keep the answer to `key`; a concurrent twin makes this raise IntegrityError."""
        await remember(self.tx, self.client, key, request_hash, verdict, at)


async def create_lpa(
    tx: InTransaction,
    lpa: Lpa,
    *,
    author: str,
    anomalies: list[Problem],
    change_type: str = CREATE,
) -> int:
    """Store a new LPA with its people, its rule problems kept as anomalies, and its CREATE
    (or IMPORT) history row; its database id."""
    at = lpa.created_at
    if at is None:
        raise ValueError("a new LPA has its creation time")
    actors = [_new_actor(actor, lpa) for actor in lpa.people]
    lpa_id = await insert_lpa(tx, lpa_columns(lpa), actors)
    checks = [
        {"actor_id": actor.id, "type": check.type, "checked_at": check.checked_at}
        for actor in lpa.people
        for check in getattr(actor, "identity_checks", ())
    ]
    if checks:  # identity checked before the LPA was sent (the store's `identityCheck`)
        await insert_rows(tx, "identity_checks", checks)
    signatories = [
        {**_fields(s), "trust_corporation_id": trust.id, "position": i}
        for trust in lpa.trust_corporations
        for i, s in enumerate(trust.signatories)
    ]
    if signatories:  # signed for the trust corporation before it was imported
        await insert_rows(tx, "trust_corporation_signatories", signatories)
    raised = list(dict.fromkeys((p.source, p.code.value) for p in anomalies))  # in order, once
    await insert_anomalies(tx, lpa_id, raised, at)
    await record_change(
        tx,
        lpa_id=lpa_id,
        uid=lpa.uid,
        version=lpa.version,
        change_type=change_type,
        author=author,
        fields=cast(list[dict[str, Any]], lpa_changes(None, lpa)),
        at=at,
    )
    await _raise_anomalies(tx, lpa_id, lpa, at, set(raised))
    return lpa_id


def _new_actor(actor: Actor, lpa: Lpa) -> NewActor:
    row = {**actor_columns(actor), "role": actor.ROLE}
    if actor is lpa.donor:
        row["channel"] = lpa.channel  # the donor is on the LPA's channel
    address = None if actor.address is None else address_columns(actor.address)
    return NewActor(row=row, address=address)


async def _write_difference(
    tx: InTransaction, lpa_id: int, before: Lpa, after: Lpa, author: str, at: datetime
) -> None:
    old_columns, new_columns = lpa_columns(before), lpa_columns(after)
    changed = {k: v for k, v in new_columns.items() if old_columns[k] != v}
    if changed:
        await update_lpa(tx, lpa_id, changed)
    await _write_people(tx, lpa_id, before, after)
    await _write_case(tx, lpa_id, before, after, author, at)


async def _write_people(tx: InTransaction, lpa_id: int, before: Lpa, after: Lpa) -> None:
    stored = {actor.id: actor for actor in before.people}
    added: list[NewActor] = []
    for actor in after.people:
        old = stored.get(actor.id)
        if old is None:
            added.append(_new_actor(actor, after))
            continue
        if old == actor:
            continue
        own, was = actor_columns(actor), actor_columns(old)
        changed = {k: v for k, v in own.items() if was[k] != v}
        if changed:
            await update_actor(tx, actor.id, changed)
        if actor.address != old.address and actor.address is not None:
            await put_address(tx, actor.id, address_columns(actor.address), old.address is None)
        await _write_extras(tx, old, actor)
    if added:
        await insert_actors(tx, lpa_id, added)


async def _write_extras(tx: InTransaction, old: Actor, new: Actor) -> None:
    """Identity checks and signatories are only ever added."""
    checks_before = getattr(old, "identity_checks", ())
    for check in getattr(new, "identity_checks", ())[len(checks_before) :]:
        row = {"actor_id": new.id, "type": check.type, "checked_at": check.checked_at}
        await insert_rows(tx, "identity_checks", [row])
    signed_before = {s.id for s in getattr(old, "signatories", ())}
    rows = [
        {
            "id": s.id,
            "trust_corporation_id": new.id,
            "position": i,
            "first_names": s.first_names,
            "last_name": s.last_name,
            "professional_title": s.professional_title,
            "signed_at": s.signed_at,
        }
        for i, s in enumerate(getattr(new, "signatories", ()))
        if s.id not in signed_before
    ]
    if rows:
        await insert_rows(tx, "trust_corporation_signatories", rows)


async def _write_case(
    tx: InTransaction, lpa_id: int, before: Lpa, after: Lpa, author: str, at: datetime
) -> None:
    old, new = before.case, after.case
    requested = {r.id for r in old.fee_reduction_requests}
    for r in new.fee_reduction_requests:
        if r.id not in requested:
            await insert_rows(tx, "fee_reduction_requests", [{**_fields(r), "lpa_id": lpa_id}])
    for d in new.fee_reduction_decisions[len(old.fee_reduction_decisions) :]:
        await insert_rows(tx, "fee_reduction_decisions", [_fields(d)])
    paid = {p.id for p in old.payments}
    for p in new.payments:
        if p.id not in paid:
            await insert_rows(tx, "payments", [{**_fields(p), "lpa_id": lpa_id}])
    detected = {(a.source, a.code) for a in old.anomalies if a.status is AnomalyStatus.DETECTED}
    resolved = [
        (a.source, a.code)
        for a in new.anomalies
        if a.status is AnomalyStatus.RESOLVED and (a.source, a.code) in detected
    ]
    if resolved:
        await resolve_anomalies(tx, lpa_id, resolved, at, author)


def _fields(record: Any) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.__dataclass_fields__}


async def _raise_anomalies(
    tx: InTransaction, lpa_id: int, lpa: Lpa, at: datetime, known: set[tuple[str, str]]
) -> None:
    """Store every safeguarding signal the LPA now shows that was never raised before."""
    found = {(p.source, p.code.value) for p in safeguarding(lpa, at.date())}
    await insert_anomalies(tx, lpa_id, sorted(found - known), at)
