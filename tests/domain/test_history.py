"""The history of a change is the difference between the LPA before and after it, at the
pointers of the record."""

from __future__ import annotations

from dataclasses import replace

from app.domain.enums import AnomalyStatus, IdentityCheckType
from app.domain.history import lpa_changes
from app.domain.records import Address, Anomaly, CaseFile, IdentityCheck
from tests.domain.builders import DONOR_SIGNED, NOW, an_lpa, attorney, donor


def test_a_changed_field_is_one_entry_with_old_and_new() -> None:
    before = an_lpa(attorneys=(attorney(signed_at=None),))
    after = before.with_actor(replace(before.attorneys[0], signed_at=NOW))
    assert lpa_changes(before, after) == [
        {"field": "/attorneys/0/signedAt", "old": None, "new": NOW.isoformat()}
    ]


def test_an_address_changes_line_by_line() -> None:
    before = an_lpa()
    moved = Address(line1="2 New Street", postcode="AB1 2CD", country="GB")
    after = before.with_actor(replace(before.donor, address=moved))
    assert [c["field"] for c in lpa_changes(before, after)] == ["/donor/address/line1"]


def test_an_added_item_is_one_entry_at_the_end_of_its_list() -> None:
    check = IdentityCheck(type=IdentityCheckType.ONE_LOGIN, checked_at=DONOR_SIGNED)
    before = an_lpa(donor=donor())
    after = before.with_actor(replace(before.donor, identity_checks=(check,)))
    [entry] = lpa_changes(before, after)
    assert entry["field"] == "/donor/identityChecks/-"
    assert entry["old"] is None


def test_a_resolved_anomaly_is_named_by_its_source_and_code() -> None:
    found = Anomaly(source="/donor/dateOfBirth", code="UNDER_18", status=AnomalyStatus.DETECTED)
    before = an_lpa(case=CaseFile(anomalies=(found,)))
    resolved = replace(found, status=AnomalyStatus.RESOLVED)
    after = replace(before, case=CaseFile(anomalies=(resolved,)))
    assert lpa_changes(before, after) == [
        {"field": "/anomalies/donor/dateOfBirth/UNDER_18", "old": "detected", "new": "resolved"}
    ]


def test_bookkeeping_is_not_a_change() -> None:
    before = an_lpa()
    assert lpa_changes(before, replace(before, version=7, updated_at=NOW)) == []
