"""An LPA read from OPG's LPA store becomes the record the gateway stores.

The draft goes through `new_lpa`, as a created LPA does; then the store's own state is laid
over it: its uid and status, its dates, the UIDs of its people, their signatures, statuses and
identity checks. Nothing here judges: the create decision already has.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from .assemble import new_lpa
from .draft import LpaDraft
from .enums import Channel
from .records import Lpa
from .store_format import StoreRecord

# Who imported it: the author of every IMPORT history row.
IMPORTER = "urn:opg:poas:gateway:users:importer"
# Which client an imported LPA belongs to (the row rule `own` reads it): online LPAs are made
# by Modernising LPA; paper ones are keyed in by case management.
OWNERS = {Channel.ONLINE: "opg.poas.makeregister", Channel.PAPER: "opg.poas.sirius"}


def imported_lpa(
    record: StoreRecord, draft: LpaDraft, at: datetime, defaulted: frozenset[str] = frozenset()
) -> Lpa:
    """`draft` is the create decision's draft of `record`, `defaulted` the fields its defaults
    filled; `at` is when it is imported."""
    held = record.held
    lpa = new_lpa(
        draft,
        uid=held.uid,
        client=OWNERS[draft["channel"]],
        at=at,
        status=held.status,
        registration_date=held.registration_date,
        defaulted=defaulted,
    )
    return replace(
        lpa,
        donor=held.donor.over_donor(lpa.donor),
        attorneys=tuple(
            h.over_appointee(a) for a, h in zip(lpa.attorneys, held.attorneys, strict=True)
        ),
        trust_corporations=tuple(
            h.over_trust_corporation(t)
            for t, h in zip(lpa.trust_corporations, held.trust_corporations, strict=True)
        ),
        certificate_provider=held.certificate_provider.over_certificate_provider(
            lpa.certificate_provider
        ),
        people_to_notify=tuple(
            h.over(p) for p, h in zip(lpa.people_to_notify, held.people_to_notify, strict=True)
        ),
        updated_at=held.updated_at or at,
        witnessed_by_independent_witness_at=held.witnessed_by_independent_witness_at,
        certificate_provider_not_related_confirmed_at=(
            held.certificate_provider_not_related_confirmed_at
        ),
        independent_witness=held.independent_witness,
        authorised_signatory=held.authorised_signatory,
    )
