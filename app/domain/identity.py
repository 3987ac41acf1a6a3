"""The donor identity oracle's comparison: a date of birth and a postcode, nothing more."""

from __future__ import annotations

from datetime import date


def normalise_postcode(postcode: str) -> str:
    return "".join(postcode.split()).upper()


def donor_matches(
    stored_dob: date | None, stored_postcode: str | None, dob: date, postcode: str
) -> bool:
    if stored_dob is None or not stored_postcode:
        return False
    return stored_dob == dob and normalise_postcode(stored_postcode) == normalise_postcode(postcode)
