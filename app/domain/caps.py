"""Every length and count cap of the LPA, defined once.

The GraphQL input bounds (`app.graphql.bounds`), the column widths (`app.db.models`) and the
rules of changes (corrections, payments, fee reductions) all read these; a test ties them.
"""

from __future__ import annotations

from typing import Final

NAME: Final = 100  # first names, last name, other names, a trust corporation's name, titles
ADDRESS_LINE: Final = 100  # line1, line2, line3, town
POSTCODE: Final = 16
COUNTRY: Final = 2  # ISO-3166 alpha-2
EMAIL: Final = 254
PHONE: Final = 32  # phone and mobile
COMPANY_NUMBER: Final = 32
TEXT: Final = 10_000  # restrictions and conditions, decision details
PAYMENT_REFERENCE: Final = 64
APPLICATION_NUMBER: Final = 32
IDEMPOTENCY_KEY: Final = 255
ANOMALY_SOURCE: Final = 255
PROBLEM_CODE: Final = 64
AUTHOR: Final = 255
UID: Final = 36  # an actor's UUID as text, 8-4-4-4-12

# Counts a rule enforces.
PEOPLE_TO_NOTIFY: Final = 5
SIGNATORIES: Final = 2
ATTORNEY_CHANGES: Final = 10

# Lists the transport accepts at most (a rule may refuse fewer).
ATTORNEYS_GIVEN: Final = 20
TRUST_CORPORATIONS_GIVEN: Final = 5
PEOPLE_TO_NOTIFY_GIVEN: Final = 10
SIGNATORIES_GIVEN: Final = 5
