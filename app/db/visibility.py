"""Row rules: which LPAs a client may see at all, as a SQL condition on `lpas`.

Invariant: every query that loads an LPA for a client applies its rule, and an LPA the rule
hides answers exactly as an LPA that does not exist.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import ColumnElement, true

from .models import Lpa, table

lpas = table(Lpa)


class RowRule(StrEnum):
    ALL = "all"
    OWN = "own"  # only the LPAs this client created
    REGISTERED_OR_CANCELLED = "registered-or-cancelled"


def visible(rule: RowRule, client: str) -> ColumnElement[bool]:
    if rule is RowRule.ALL:
        return true()
    if rule is RowRule.OWN:
        return lpas.c.created_by == client
    return lpas.c.status.in_(["registered", "cancelled"])
