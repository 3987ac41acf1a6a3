import itertools

import pytest

from app.domain.uid import (
    InvalidUid,
    damm_check_digit,
    luhn_is_valid,
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


@pytest.mark.parametrize(
    ("n", "uid"),
    [
        # body = (6,364,136,223 n + 14,426,950,407) mod 10**11, worked by hand
        (1, "M-2079-1086-6304"),
        (2, "M-2715-5222-8536"),
        (10**11 - 1, "M-0806-2814-1845"),  # the body keeps its leading zero
    ],
)
def test_issued_uids_are_pinned(n: int, uid: str) -> None:
    assert uid_for_sequence(n) == uid
    assert sequence_for_uid(uid) == n


def test_damm_vector_and_quasigroup() -> None:
    assert damm_check_digit("572") == 4  # the published worked example
    assert damm_check_digit("") == 0
    table = [[damm_check_digit(f"{i}{j}") for j in range(10)] for i in range(10)]
    # The operation table (row 0 is the first digit's step) is a totally anti-symmetric
    # quasigroup with a zero diagonal: each row and column a permutation of the digits.
    first = [damm_check_digit(str(i)) for i in range(10)]
    assert sorted(first) == list(range(10))
    for row in table:
        assert sorted(row) == list(range(10))
    for j in range(10):
        assert sorted(row[j] for row in table) == list(range(10))
    assert all(damm_check_digit(f"{d}{damm_check_digit(str(d))}") == 0 for d in range(10))


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("79927398713", True),  # the published worked example
        ("79927398710", False),
        ("4539578763621486", True),
        ("1234567812345670", True),
        ("1234567812345678", False),
        ("42", True),  # 4 doubled is 8: no 9 taken off below 5 ...
        ("59", True),  # ... 5 doubled is 10, counted as 1
        ("18", True),
        ("0", True),
        ("5", False),
    ],
)
def test_luhn_vectors(digits: str, valid: bool) -> None:
    assert luhn_is_valid(digits) is valid


@pytest.mark.parametrize(
    "uid", ["7999-9999-9995", "7555-5555-5555", "7444-4444-4445", "7123-4567-8908"]
)
def test_legacy_uids_with_every_doubling(uid: str) -> None:
    assert parse_legacy_uid(uid) == uid
    wrong = uid[:-1] + str((int(uid[-1]) + 1) % 10)
    with pytest.raises(InvalidUid, match="check digit"):
        parse_legacy_uid(wrong)


def test_refusals_say_why() -> None:
    with pytest.raises(InvalidUid, match=r"^expected M-dddd-dddd-dddd$"):
        parse_uid("M-1")
    with pytest.raises(InvalidUid, match=r"^check digit does not match$"):
        parse_uid("M-1111-2222-3333")
    with pytest.raises(InvalidUid, match=r"^expected 7ddd-dddd-dddd$"):
        parse_legacy_uid("7-1")
    with pytest.raises(InvalidUid, match=r"^check digit does not match$"):
        parse_legacy_uid("7000-0000-0055")
    with pytest.raises(ValueError, match=r"^sequence number out of range$"):
        uid_for_sequence(0)
