"""An LPA read from OPG's LPA store becomes the record the gateway stores.

The draft goes through `new_lpa`, as a created LPA does; then the store's own state is laid
over it: its uid and status, its dates, the UIDs of its people, their signatures, statuses and
identity checks. Nothing here judges: the create decision already has.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar

from .assemble import new_lpa
from .draft import LpaDraft
from .enums import Channel
from .records import Actor, Lpa
from .store_format import StoreRecord

# Who imported it: the author of every IMPORT history row.
IMPORTER = "urn:opg:poas:gateway:users:importer"
# Which client an imported LPA belongs to (the row rule `own` reads it): online LPAs are made
# by Modernising LPA; paper ones are keyed in by case management.
OWNERS = {Channel.ONLINE: "opg.poas.makeregister", Channel.PAPER: "opg.poas.sirius"}

A = TypeVar("A", bound=Actor)
_LPA_STATE = (
    "witnessed_by_independent_witness_at",
    "certificate_provider_not_related_confirmed_at",
    "independent_witness",
    "authorised_signatory",
)


def imported_lpa(
    record: StoreRecord, draft: LpaDraft, at: datetime, defaulted: frozenset[str] = frozenset()
) -> Lpa:
    """`draft` is the create decision's draft of `record`, `defaulted` the fields its defaults
    filled; `at` is when it is imported."""
    held = record.held
    lpa = new_lpa(
        draft,
        uid=record.uid,
        client=OWNERS[draft["channel"]],
        at=at,
        status=held["status"],
        registration_date=held["registration_date"],
        defaulted=defaulted,
    )
    return replace(
        lpa,
        donor=_keep(lpa.donor, held["donor"]),
        attorneys=_keep_all(lpa.attorneys, held["attorneys"]),
        trust_corporations=_keep_all(lpa.trust_corporations, held["trust_corporations"]),
        certificate_provider=_keep(lpa.certificate_provider, held["certificate_provider"]),
        people_to_notify=_keep_all(lpa.people_to_notify, held["people_to_notify"]),
        updated_at=held["updated_at"] or at,
        **{name: held[name] for name in _LPA_STATE},
    )


def _keep(actor: A, held: Mapping[str, Any]) -> A:
    """The actor with what the store held of it; an unset value keeps what `new_lpa` gave."""
    return replace(actor, **{k: v for k, v in held.items() if v is not None})


def _keep_all(actors: tuple[A, ...], held: Sequence[Mapping[str, Any]]) -> tuple[A, ...]:
    return tuple(_keep(actor, h) for actor, h in zip(actors, held, strict=True))
