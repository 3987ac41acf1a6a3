import itertools

import pytest

from app.domain.uid import (
    InvalidUid,
    damm_check_digit,
    parse_legacy_uid,
    parse_uid,
    sequence_for_uid,
    uid_for_sequence,
)


@pytest.mark.parametrize("uid", ["M-7890-0400-4000", "M-1234-5678-9018"])
def test_design_vectors_are_valid(uid: str) -> None:
    assert parse_uid(uid) == uid


@pytest.mark.parametrize(
    "text",
    [
        "M-1111-2222-3333",  # wrong check digit (design vector)
        "M-1234-5678-9010",  # one digit off
        "M-1234-5678-901",  # too short
        "m-1234-5678-9018",  # lower-case prefix
        "M-123456789018",  # no dashes
        " M-1234-5678-9018",
        "M-1234-5678-9018\n",
        "",
    ],
)
def test_malformed_or_unchecked_uids_are_refused(text: str) -> None:
    with pytest.raises(InvalidUid):
        parse_uid(text)


def test_damm_detects_every_single_digit_error() -> None:
    body = "12345678901"
    good = body + str(damm_check_digit(body))
    for i in range(len(good)):
        for d in "0123456789":
            if d == good[i]:
                continue
            bad = good[:i] + d + good[i + 1 :]
            assert damm_check_digit(bad) != 0


def test_damm_detects_every_adjacent_transposition() -> None:
    body = "98765432100"
    good = body + str(damm_check_digit(body))
    for i in range(len(good) - 1):
        if good[i] == good[i + 1]:
            continue
        swapped = good[:i] + good[i + 1] + good[i] + good[i + 2 :]
        assert damm_check_digit(swapped) != 0


def test_issued_uids_are_valid_unique_and_not_sequential() -> None:
    uids = [uid_for_sequence(n) for n in range(1, 2001)]
    assert len(set(uids)) == len(uids)
    for uid in uids:
        assert parse_uid(uid) == uid
    bodies = [int(u.replace("-", "")[1:12]) for u in uids]
    steps = {b - a for a, b in itertools.pairwise(bodies)}
    assert 1 not in steps


def test_issuing_is_invertible() -> None:
    for n in (1, 2, 99, 123_456, 10**11 - 1):
        assert sequence_for_uid(uid_for_sequence(n)) == n


@pytest.mark.parametrize("n", [0, -1, 10**11])
def test_issuing_refuses_out_of_range_numbers(n: int) -> None:
    with pytest.raises(ValueError, match="out of range"):
        uid_for_sequence(n)


def test_legacy_uid_with_luhn() -> None:
    assert parse_legacy_uid("7000-0000-0054") == "7000-0000-0054"
    for bad in ("7000-0000-0055", "8000-0000-0054", "7000-0000-005", "M-7890-0400-4000"):
        with pytest.raises(InvalidUid):
            parse_legacy_uid(bad)
