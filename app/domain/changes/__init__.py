"""Every change type, one class each, and the one registry of them.

A change type is a frozen record of what it reads, with `decide(lpa, now, actor)` and its
event name (`app.domain.change.Change`). `REGISTRY` maps each GraphQL mutation to its type;
`EVENTS` holds every event name a change may record.
"""

from __future__ import annotations

from ..change import Change
from .access import AttorneyAccessOnline, CertificateProviderAccessOnline
from .attorneys import ChangeAttorneys
from .correction import CorrectLpa, CorrectRegisteredLpa
from .decisions import RecordAttorneyDecisions
from .fee_reductions import DecideFeeReduction, RequestFeeReduction
from .identity import EVENTS as IDENTITY_EVENTS
from .identity import ConfirmIdentity
from .lifecycle import (
    AttorneyOptOut,
    CertificateProviderOptOut,
    ChangeStatus,
    Register,
    StartStatutoryWaitingPeriod,
    TrustCorporationOptOut,
    Withdraw,
)
from .payments import RecordPayment
from .resolution import ResolveAnomaly
from .restrictions import SeverRestrictions
from .signing import SignAttorney, SignCertificateProvider, SignTrustCorporation

CHANGE_TYPES: tuple[type[Change], ...] = (
    SignCertificateProvider,
    SignAttorney,
    SignTrustCorporation,
    ConfirmIdentity,
    CertificateProviderOptOut,
    AttorneyOptOut,
    Withdraw,
    StartStatutoryWaitingPeriod,
    Register,
    ChangeStatus,
    RequestFeeReduction,
    DecideFeeReduction,
    RecordPayment,
    CorrectLpa,
    CorrectRegisteredLpa,
    ChangeAttorneys,
    SeverRestrictions,
    ResolveAnomaly,
    TrustCorporationOptOut,
    RecordAttorneyDecisions,
    CertificateProviderAccessOnline,
    AttorneyAccessOnline,
)
REGISTRY: dict[str, type[Change]] = {change.operation: change for change in CHANGE_TYPES}
# ConfirmIdentity records whose identity in its event; every other type its own `event`.
EVENTS = frozenset(
    {c.event for c in CHANGE_TYPES if c is not ConfirmIdentity} | set(IDENTITY_EVENTS.values())
)
