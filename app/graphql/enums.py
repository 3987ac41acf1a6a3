"""The domain vocabularies, registered as GraphQL enums (names SCREAMING_SNAKE, DESIGN 3a).

`strawberry.enum` marks the domain class itself, so inputs and results annotate with the
names exported here and get the very same Python enum members the domain rules compare.
"""

from typing import TypeAlias

import strawberry

from app.domain import enums

LpaType: TypeAlias = enums.LpaType
Channel: TypeAlias = enums.Channel
Language: TypeAlias = enums.Language
HowAttorneysMakeDecisions: TypeAlias = enums.HowAttorneysMakeDecisions
HowReplacementAttorneysStepIn: TypeAlias = enums.HowReplacementAttorneysStepIn
WhenTheLpaCanBeUsed: TypeAlias = enums.WhenTheLpaCanBeUsed
LifeSustainingTreatmentOption: TypeAlias = enums.LifeSustainingTreatmentOption
AppointmentType: TypeAlias = enums.AppointmentType
AttorneyStatus: TypeAlias = enums.AttorneyStatus
LpaStatusCode: TypeAlias = enums.LpaStatus
IdentityActor: TypeAlias = enums.IdentityActor
IdentityCheckType: TypeAlias = enums.IdentityCheckType
FeeType: TypeAlias = enums.FeeType
EvidenceDelivery: TypeAlias = enums.EvidenceDelivery
FeeDecisionOutcome: TypeAlias = enums.FeeDecisionOutcome
AnomalyStatus: TypeAlias = enums.AnomalyStatus

for _enum in (
    LpaType,
    Channel,
    Language,
    HowAttorneysMakeDecisions,
    HowReplacementAttorneysStepIn,
    WhenTheLpaCanBeUsed,
    LifeSustainingTreatmentOption,
    AppointmentType,
    AttorneyStatus,
    IdentityActor,
    IdentityCheckType,
    FeeType,
    EvidenceDelivery,
    FeeDecisionOutcome,
    AnomalyStatus,
):
    strawberry.enum(_enum)

strawberry.enum(LpaStatusCode, name="LpaStatusCode")  # `LpaStatus` names the flags type
