"""Row rules: which LPAs a client may see at all, as a SQL condition on `lpas`.

Invariant: every query that loads an LPA for a client applies its rule, and an LPA the rule
hides answers exactly as an LPA that does not exist.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import BindParameter, ColumnElement, or_, true

from .models import Lpa, table

lpas = table(Lpa)


class RowRule(StrEnum):
    ALL = "all"
    OWN = "own"  # only the LPAs this client created
    REGISTERED_OR_CANCELLED = "registered-or-cancelled"


def visible(rule: RowRule, client: str | BindParameter[str]) -> ColumnElement[bool]:
    """The rule as a condition; `client` may be a bound parameter of a prepared statement."""
    if rule is RowRule.ALL:
        return true()
    if rule is RowRule.OWN:
        return lpas.c.created_by == client
    # two equalities rather than IN: the same plan, and no parameter expanded per execution
    return or_(lpas.c.status == "registered", lpas.c.status == "cancelled")
