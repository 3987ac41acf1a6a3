from enum import StrEnum

import pytest

from app.domain import enums

ALL = [
    v
    for v in vars(enums).values()
    if isinstance(v, type) and issubclass(v, StrEnum) and v is not StrEnum
]


@pytest.mark.parametrize("enum", ALL, ids=lambda e: e.__name__)
def test_names_are_graphql_spelling_of_values(enum: type[StrEnum]) -> None:
    for member in enum:
        assert member.name == member.value.upper().replace("-", "_")


def test_design_vocabulary() -> None:
    assert [m.value for m in enums.LpaType] == ["property-and-affairs", "personal-welfare"]
    assert {m.value for m in enums.LpaStatus} == {
        "in-progress",
        "statutory-waiting-period",
        "registered",
        "withdrawn",
        "cannot-register",
        "cancelled",
        "do-not-register",
        "expired",
    }
    assert [m.name for m in enums.HowAttorneysMakeDecisions] == [
        "JOINTLY",
        "JOINTLY_AND_SEVERALLY",
        "JOINTLY_FOR_SOME_SEVERALLY_FOR_OTHERS",
    ]
