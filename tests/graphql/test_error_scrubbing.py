"""Error messages never quote the client's input values or suggest other names."""

import pytest

from app.graphql.errors import scrub

CASES = [
    (
        "Variable '$u' has invalid value: Expected value of type 'LpaUid', but encountered"
        " error 'check digit does not match'; found: 'M-1111-2222-3333'.",
        "M-1111-2222-3333",
    ),
    (
        "Variable '$i' has invalid value at .donor: Expected value of type 'DonorInput' to"
        " include required field 'lastName', found: {'firstNames': 'Jane'}.",
        "Jane",
    ),
    ("Expected value of type 'LpaUid!', found: \"M-1111\".", "M-1111"),
    ("Variable '$uid' got invalid value 'Jane Smith'; check digit does not match", "Jane"),
    ("Value 'Jane Smith' does not exist in 'LpaType' enum.", "Jane"),
    ("String cannot represent a non string value: {'name': 'Jane'}", "Jane"),
    ("Cannot query field 'lpaz' on type 'Query'. Did you mean 'lpa'?", "lpa'"),
    (
        "Expected value of type 'X' not to include unknown field 'y'. Did you mean 'zed'?"
        " Found: {'y': 'Jane'}.",
        "zed",
    ),
]


@pytest.mark.parametrize(("message", "secret"), CASES)
def test_scrub_removes_values_and_suggestions(message: str, secret: str) -> None:
    scrubbed = scrub(message)
    assert secret not in scrubbed
    assert scrubbed  # something useful remains
    assert "Did you mean" not in scrubbed


def test_scrub_keeps_the_location_and_reason() -> None:
    message = "Variable '$i' got invalid value 'x' at 'i.donor.dateOfBirth'; expected YYYY-MM-DD"
    assert scrub(message) == (
        "Variable '$i' got an invalid value at 'i.donor.dateOfBirth'; expected YYYY-MM-DD"
    )


def test_plain_messages_are_unchanged() -> None:
    assert scrub("Syntax Error: Unexpected '}'.") == "Syntax Error: Unexpected '}'."
