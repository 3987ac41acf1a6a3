"""The closed vocabularies of an LPA, with the wire values of the LPA store schema.

Member names are the GraphQL enum values (SCREAMING_SNAKE); member values are what the
database stores and what the LPA store schema spells (kebab-case).
"""

from enum import StrEnum


class LpaType(StrEnum):
    PROPERTY_AND_AFFAIRS = "property-and-affairs"
    PERSONAL_WELFARE = "personal-welfare"


class Channel(StrEnum):
    ONLINE = "online"
    PAPER = "paper"


class Language(StrEnum):
    EN = "en"
    CY = "cy"


class LpaStatus(StrEnum):
    IN_PROGRESS = "in-progress"
    STATUTORY_WAITING_PERIOD = "statutory-waiting-period"
    REGISTERED = "registered"
    WITHDRAWN = "withdrawn"
    CANNOT_REGISTER = "cannot-register"
    CANCELLED = "cancelled"
    DO_NOT_REGISTER = "do-not-register"
    EXPIRED = "expired"


class HowAttorneysMakeDecisions(StrEnum):
    JOINTLY = "jointly"
    JOINTLY_AND_SEVERALLY = "jointly-and-severally"
    JOINTLY_FOR_SOME_SEVERALLY_FOR_OTHERS = "jointly-for-some-severally-for-others"


class HowReplacementAttorneysStepIn(StrEnum):
    ALL_CAN_NO_LONGER_ACT = "all-can-no-longer-act"
    ONE_CAN_NO_LONGER_ACT = "one-can-no-longer-act"
    ANOTHER_WAY = "another-way"


class WhenTheLpaCanBeUsed(StrEnum):
    WHEN_HAS_CAPACITY = "when-has-capacity"
    WHEN_CAPACITY_LOST = "when-capacity-lost"


class LifeSustainingTreatmentOption(StrEnum):
    OPTION_A = "option-a"
    OPTION_B = "option-b"


class AttorneyStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    REMOVED = "removed"


class AppointmentType(StrEnum):
    ORIGINAL = "original"
    REPLACEMENT = "replacement"


class IdentityCheckType(StrEnum):
    ONE_LOGIN = "one-login"
    OPG_PAPER_ID = "opg-paper-id"


class IdentityActor(StrEnum):
    """The actors whose identity is confirmed; values are their `ActorRole` values."""

    DONOR = "donor"
    CERTIFICATE_PROVIDER = "certificate-provider"


class ActorRole(StrEnum):
    DONOR = "donor"
    ATTORNEY = "attorney"
    TRUST_CORPORATION = "trust-corporation"
    CERTIFICATE_PROVIDER = "certificate-provider"
    PERSON_TO_NOTIFY = "person-to-notify"
    INDEPENDENT_WITNESS = "independent-witness"
    AUTHORISED_SIGNATORY = "authorised-signatory"


class FeeType(StrEnum):
    FULL = "full"
    HALF = "half"
    QUARTER = "quarter"
    EXEMPTION = "exemption"
    HARDSHIP = "hardship"


class EvidenceDelivery(StrEnum):
    UPLOAD = "upload"
    POST = "post"


class FeeDecisionOutcome(StrEnum):
    APPROVED = "approved"
    DECLINED = "declined"
    MORE_EVIDENCE_REQUIRED = "more-evidence-required"


class AnomalyStatus(StrEnum):
    DETECTED = "detected"
    RESOLVED = "resolved"
