"""LPA reference numbers.

Modern LPAs carry `M-dddd-dddd-dddd`: eleven digits and a Damm check digit. The gateway issues
them from a sequence number pushed through an affine bijection on the eleven-digit space, so
consecutive LPAs get unrelated-looking numbers but two LPAs can never share one.

Legacy Sirius LPAs carry `7` and eleven more digits, the last a Luhn check digit, shown
`7000-0000-0054`.
"""

from __future__ import annotations

import re

_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)

_BODY_SPACE = 10**11
# Multiplier coprime to 10, so n -> (A*n + B) mod 10**11 is a bijection.
_A = 6_364_136_223
_B = 14_426_950_407
_A_INVERSE = pow(_A, -1, _BODY_SPACE)

_MODERN = re.compile(r"M-(\d{4})-(\d{4})-(\d{4})")
_LEGACY = re.compile(r"(7\d{3})-(\d{4})-(\d{4})")


class InvalidUid(ValueError):
    """The text is not a well-formed LPA reference with a valid check digit."""


def damm_check_digit(digits: str) -> int:
    interim = 0
    for ch in digits:
        interim = _DAMM[interim][int(ch)]
    return interim


def luhn_is_valid(digits: str) -> bool:
    total = 0
    for position, ch in enumerate(reversed(digits)):
        d = int(ch)
        if position % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def format_uid(digits: str) -> str:
    return f"M-{digits[0:4]}-{digits[4:8]}-{digits[8:12]}"


def uid_for_sequence(n: int) -> str:
    """The M- UID for the n-th LPA the gateway issues (n >= 1)."""
    if not 0 < n < _BODY_SPACE:
        raise ValueError("sequence number out of range")
    body = f"{(_A * n + _B) % _BODY_SPACE:011d}"
    return format_uid(body + str(damm_check_digit(body)))


def sequence_for_uid(uid: str) -> int:
    """Inverse of `uid_for_sequence`: which sequence number produced this UID."""
    body = int(parse_uid(uid).replace("-", "")[1:12])
    return ((body - _B) * _A_INVERSE) % _BODY_SPACE


def parse_uid(text: str) -> str:
    """Return the canonical M- UID, or raise InvalidUid."""
    match = _MODERN.fullmatch(text)
    if match is None:
        raise InvalidUid("expected M-dddd-dddd-dddd")
    digits = "".join(match.groups())
    if damm_check_digit(digits) != 0:
        raise InvalidUid("check digit does not match")
    return text


def parse_legacy_uid(text: str) -> str:
    """Return the canonical legacy Sirius reference (7ddd-dddd-dddd), or raise InvalidUid."""
    match = _LEGACY.fullmatch(text)
    if match is None:
        raise InvalidUid("expected 7ddd-dddd-dddd")
    if not luhn_is_valid("".join(match.groups())):
        raise InvalidUid("check digit does not match")
    return text
