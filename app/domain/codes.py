"""Every problem code the gateway answers or records, as one enum.

A code is stable: clients branch on it. Values equal names, so a code reads the same in a
verdict, an anomaly row and `docs/problem-codes.md` (a test checks the document against
this enum).

    rules of an LPA         REQUIRED, NOT_ALLOWED, UNDER_18, TOO_MANY, TOO_LONG, ...
    registration            NOT_SIGNED, NO_ACTIVE_ATTORNEY
    updates                 NOT_FOUND, CONFLICT, NOT_ALLOWED_IN_STATUS, LPA_REGISTERED, ...
    safeguarding anomalies  CERTIFICATE_PROVIDER_SHARES_LAST_NAME, BORN_OVER_100_YEARS_AGO, ...
    import of store JSON    NOT_JSON, NOT_AN_OBJECT, INVALID_UID, INVALID_VALUE, UNSUPPORTED_FIELD
"""

from __future__ import annotations

from enum import StrEnum, auto


class ProblemCode(StrEnum):
    @staticmethod
    def _generate_next_value_(name: str, start: int, count: int, last_values: list[str]) -> str:
        return name

    # rules of an LPA
    REQUIRED = auto()
    NOT_ALLOWED = auto()
    UNDER_18 = auto()
    TOO_MANY = auto()
    TOO_LONG = auto()
    AT_LEAST_ONE_ATTORNEY = auto()
    INVALID_COUNTRY = auto()
    INVALID_UUID = auto()
    # registration
    NOT_SIGNED = auto()
    NO_ACTIVE_ATTORNEY = auto()
    # updates
    NOT_FOUND = auto()
    CONFLICT = auto()
    NOT_ALLOWED_IN_STATUS = auto()
    LPA_REGISTERED = auto()
    INVALID_STATUS_CHANGE = auto()
    ALREADY_SIGNED = auto()
    ALREADY_OPTED_OUT = auto()
    OPTED_OUT = auto()
    REMOVED = auto()
    SIGNED_BEFORE_DONOR = auto()
    DATE_IN_FUTURE = auto()
    NOT_A_REDUCTION = auto()
    FEE_REDUCTION_PENDING = auto()
    NO_FEE_REDUCTION_REQUEST = auto()
    ALREADY_DECIDED = auto()
    NOT_POSITIVE = auto()
    NOTHING_TO_CHANGE = auto()
    DUPLICATE = auto()
    NO_RESTRICTIONS = auto()
    NOT_SHORTER = auto()
    # updates, as the LPA store refuses them
    IDENTITY_CHECKED = auto()
    SIGNED_ONLINE = auto()
    ALREADY_CONFIRMED = auto()
    MORE_THAN_DUE = auto()
    ALREADY_ONLINE = auto()
    # safeguarding anomalies
    CERTIFICATE_PROVIDER_SHARES_LAST_NAME = auto()
    CERTIFICATE_PROVIDER_SHARES_ADDRESS = auto()
    BORN_OVER_100_YEARS_AGO = auto()
    SIGNED_OVER_2_YEARS_AFTER_DONOR = auto()
    ADDRESS_WITHOUT_COUNTRY = auto()
    # import of the LPA store's JSON (`lpa-gateway import`)
    NOT_JSON = auto()
    NOT_AN_OBJECT = auto()
    INVALID_UID = auto()
    INVALID_VALUE = auto()
    UNSUPPORTED_FIELD = auto()
