"""Reading OPG's LPA store JSON, with no database: what is kept, what refuses a line and how.

A refusal names a pointer and a code, never a value."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest

from app.domain import caps
from app.domain.codes import ProblemCode
from app.domain.create import decide_create
from app.domain.enums import AttorneyStatus, IdentityCheckType, LpaStatus
from app.domain.held import HeldAppointee, HeldDonor
from app.domain.imported import IMPORTER, OWNERS, imported_lpa
from app.domain.problems import Problem
from app.domain.store_format import MAX_LINE, StoreRecord, read_line
from tests.store_json import actor_uid, lines, paper, store_lpa, varied

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def read(record: Any) -> StoreRecord | list[Problem]:
    return read_line(lines(record).rstrip(b"\n"))


def refusals(record: Any) -> list[tuple[str, str]]:
    found = read(record)
    assert isinstance(found, list), "expected the line to be refused"
    return [(p.source, p.code.value) for p in found]


def test_a_store_lpa_keeps_its_uid_status_dates_and_people() -> None:
    record = read(store_lpa(7))
    assert isinstance(record, StoreRecord)
    decision = decide_create(record.draft, NOW)
    assert decision.accepted
    assert decision.problems == ()
    lpa = imported_lpa(record, decision.draft, NOW)
    assert lpa.uid == store_lpa(7)["uid"]
    assert (lpa.status, lpa.registration_date) == (LpaStatus.REGISTERED, date(2025, 3, 1))
    assert lpa.updated_at == datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    assert (lpa.created_at, lpa.created_by) == (NOW, OWNERS[lpa.channel])
    assert lpa.donor.id == uuid.UUID(actor_uid(7, 1))
    assert lpa.donor.identity_checks[0].type is IdentityCheckType.ONE_LOGIN
    attorney = lpa.attorneys[0]
    assert attorney.id == uuid.UUID(actor_uid(7, 2))
    assert attorney.signed_at == datetime(2024, 12, 3, 10, 0, tzinfo=UTC)
    assert attorney.status is AttorneyStatus.ACTIVE
    assert lpa.certificate_provider.signed_at == datetime(2024, 12, 2, 10, 0, tzinfo=UTC)
    assert lpa.donor.address is not None
    assert lpa.donor.address.postcode == "SW1A 1AA"
    assert IMPORTER.startswith("urn:opg:poas:gateway:users:")


def test_actor_uids_are_issued_when_the_line_has_none() -> None:
    lpa = store_lpa()
    del lpa["donor"]["uid"]
    record = read(lpa)
    assert isinstance(record, StoreRecord)
    imported = imported_lpa(record, decide_create(record.draft, NOW).draft, NOW)
    assert imported.donor.id.version == 4


def test_the_uids_a_line_gives_are_named_by_their_pointers() -> None:
    lpa = varied(10)
    del lpa["donor"]["uid"]
    record = read(lpa)
    assert isinstance(record, StoreRecord)
    given = record.held.given_uids()
    expected = {uuid.UUID(lpa["certificateProvider"]["uid"]): "/certificateProvider/uid"}
    for group in ("attorneys", "trustCorporations", "peopleToNotify"):
        for i, person in enumerate(lpa.get(group, [])):
            expected[uuid.UUID(person["uid"])] = f"/{group}/{i}/uid"
    assert len(expected) >= 3  # a trust corporation and at least one attorney
    assert given == expected


def test_what_the_store_did_not_say_leaves_the_new_record_as_made() -> None:
    record = read(store_lpa(7))
    assert isinstance(record, StoreRecord)
    made = imported_lpa(record, decide_create(record.draft, NOW).draft, NOW)
    silent = dataclasses.replace(
        record,
        held=dataclasses.replace(
            record.held,
            attorneys=tuple(HeldAppointee() for _ in record.held.attorneys),
            donor=HeldDonor(),
        ),
    )
    kept = imported_lpa(silent, decide_create(record.draft, NOW).draft, NOW)
    assert kept.attorneys[0].status is AttorneyStatus.ACTIVE  # an original, as new_lpa makes it
    assert kept.attorneys[0].signed_at is None
    assert made.attorneys[0].signed_at is not None
    assert kept.donor.identity_checks == ()
    assert kept.donor.id != made.donor.id


def test_the_store_writes_an_unset_time_as_year_one() -> None:
    record = read(store_lpa(witnessedByCertificateProviderAt="0001-01-01T00:00:00Z"))
    assert isinstance(record, StoreRecord)
    assert record.draft["witnessed_by_certificate_provider_at"] is None


def test_a_trust_corporation_keeps_who_signed_for_it() -> None:
    lpa = varied(10)
    record = read(lpa)
    assert isinstance(record, StoreRecord)
    [trust] = imported_lpa(record, decide_create(record.draft, NOW).draft, NOW).trust_corporations
    [signatory] = trust.signatories
    assert (signatory.last_name, signatory.professional_title) == ("Natory", "Director")
    assert signatory.signed_at == datetime(2024, 12, 4, 10, 0, tzinfo=UTC)


def test_a_trust_corporation_has_at_most_two_signatories() -> None:
    lpa = varied(10)
    signatory = lpa["trustCorporations"][0]["signatories"][0]
    lpa["trustCorporations"][0]["signatories"] = [signatory] * caps.SIGNATORIES
    assert isinstance(read(lpa), StoreRecord)
    lpa["trustCorporations"][0]["signatories"] = [signatory] * (caps.SIGNATORIES + 1)
    assert refusals(lpa) == [("/trustCorporations/0/signatories", "TOO_MANY")]


def test_independent_witness_and_authorised_signatory_are_kept() -> None:
    witness = {"uid": actor_uid(1, 9), "firstNames": "Wyn", "lastName": "Witness", "phone": "0700"}
    record = read(
        store_lpa(
            independentWitness={**witness, "address": {"line1": "2 Lane", "country": "GB"}},
            authorisedSignatory={"firstNames": "Sam", "lastName": "Signer"},
            witnessedByIndependentWitnessAt="2024-12-01T10:00:00Z",
            certificateProviderNotRelatedConfirmedAt="2024-12-01T10:00:00Z",
        )
    )
    assert isinstance(record, StoreRecord)
    lpa = imported_lpa(record, decide_create(record.draft, NOW).draft, NOW)
    assert lpa.independent_witness is not None
    assert lpa.independent_witness.id == uuid.UUID(actor_uid(1, 9))
    assert lpa.authorised_signatory is not None
    assert lpa.authorised_signatory.last_name == "Signer"
    assert lpa.certificate_provider_not_related_confirmed_at is not None


@pytest.mark.parametrize(
    ("line", "code"),
    [
        (b"{not json", "NOT_JSON"),
        (b"\xff\xfe{}", "NOT_JSON"),  # not UTF-8
        (b'{"uid": NaN}', "NOT_JSON"),
        (b'{"donor": {}, "donor": {}}', "NOT_JSON"),  # I-JSON: no key twice
        (b"[" * 100_000 + b"]" * 100_000, "NOT_JSON"),  # nested past the parser's depth
        (b"[]", "NOT_AN_OBJECT"),
        (b'"M-7890-0400-4000"', "NOT_AN_OBJECT"),
    ],
)
def test_a_line_that_is_no_json_object_is_refused_as_a_whole(line: bytes, code: str) -> None:
    assert [(p.source, p.code.value) for p in read_line(line)] == [("", code)]  # type: ignore[union-attr]


def test_a_line_is_read_up_to_its_cap_and_refused_past_it() -> None:
    record = lines(store_lpa()).rstrip(b"\n")
    at_cap = record + b" " * (MAX_LINE - len(record))
    assert isinstance(read_line(at_cap), StoreRecord)
    over = read_line(at_cap + b" ")
    assert isinstance(over, list)
    assert [(p.source, p.code.value) for p in over] == [("", "TOO_LONG")]


@pytest.mark.parametrize(
    "uid", ["M-1111-2222-3333", "M-789Q-P4DF-4UX3", "7000-0000-0054", 17, ["M-7890-0400-4000"]]
)
def test_a_uid_without_a_valid_check_digit_is_refused(uid: object) -> None:
    assert refusals(store_lpa(uid=uid)) == [("/uid", "INVALID_UID")]


def test_a_valid_uid_is_accepted() -> None:
    assert isinstance(read(store_lpa(uid="M-7890-0400-4000")), StoreRecord)


@pytest.mark.parametrize(
    ("pointer", "value", "code"),
    [
        ("/status", "processing", "INVALID_VALUE"),
        ("/lpaType", "health", "INVALID_VALUE"),
        ("/donor/dateOfBirth", "01/01/1950", "INVALID_VALUE"),
        ("/signedAt", "2024-12-01T10:00:00", "INVALID_VALUE"),  # no offset
        ("/donor/uid", "not-a-uuid", "INVALID_VALUE"),
        ("/attorneys/0/status", "replacement", "INVALID_VALUE"),  # the 2023 vocabulary
        ("/donor/firstNames", 42, "INVALID_VALUE"),
        ("/donor", "Dora", "INVALID_VALUE"),
        ("/attorneys", {"0": {}}, "INVALID_VALUE"),
        ("/donor/lastName", "x" * (caps.NAME + 1), "TOO_LONG"),
        ("/donor/address/country", "GBR", "TOO_LONG"),
        ("/attorneys", [{}] * (caps.ATTORNEYS_GIVEN + 1), "TOO_MANY"),
        ("/donor/dateOfBirth", None, "REQUIRED"),
        ("/certificateProvider/phone", "", "REQUIRED"),
        ("/status", None, "REQUIRED"),
    ],
)
def test_a_broken_field_refuses_the_line_naming_where_not_what(
    pointer: str, value: object, code: str
) -> None:
    lpa = _set(store_lpa(), pointer, value)
    assert refusals(lpa) == [(pointer, code)]
    if isinstance(value, str) and value:
        assert value not in json.dumps(refusals(lpa))


def test_a_field_at_its_cap_is_kept() -> None:
    assert isinstance(read(_set(store_lpa(), "/donor/lastName", "x" * caps.NAME)), StoreRecord)
    many = [store_lpa()["attorneys"][0]] * caps.ATTORNEYS_GIVEN
    assert isinstance(read(_set(store_lpa(), "/attorneys", many)), StoreRecord)


@pytest.mark.parametrize(
    "pointer",
    [
        "/howAttorneysMakeDecisionsIsDefault",
        "/restrictionsAndConditionsImages",
        "/notes",
        "/attorneys/0/contactLanguagePreference",
        "/attorneys/0/cannotMakeJointDecisions",
        "/certificateProvider/contactLanguagePreference",
        "/donor/surname",
    ],
)
def test_a_field_the_gateway_cannot_hold_refuses_the_line(pointer: str) -> None:
    assert refusals(_set(store_lpa(), pointer, True)) == [(pointer, "UNSUPPORTED_FIELD")]


def test_an_unsupported_key_is_named_only_when_it_is_a_plain_name() -> None:
    lpa = store_lpa()
    lpa["donor"]["Dora Donor, 1 High Street"] = 1
    assert refusals(lpa) == [("/donor", "UNSUPPORTED_FIELD")]


def test_every_problem_of_a_line_is_named_once() -> None:
    lpa = _set(store_lpa(uid="M-1111-2222-3333"), "/donor/dateOfBirth", "x")
    lpa["foo"] = 1
    assert refusals(lpa) == [
        ("/donor/dateOfBirth", "INVALID_VALUE"),
        ("/foo", "UNSUPPORTED_FIELD"),
        ("/uid", "INVALID_UID"),
    ]


def test_a_broken_rule_refuses_an_online_lpa_and_is_kept_on_a_paper_one() -> None:
    online = store_lpa()
    online["attorneys"][0]["dateOfBirth"] = "2015-01-01"  # under 18
    record = read(online)
    assert isinstance(record, StoreRecord)
    refused = decide_create(record.draft, NOW)
    assert not refused.accepted
    assert [(p.source, p.code) for p in refused.refusals] == [
        ("/attorneys/0/dateOfBirth", ProblemCode.UNDER_18)
    ]
    on_paper = read(paper(online))
    assert isinstance(on_paper, StoreRecord)
    kept = decide_create(on_paper.draft, NOW)
    assert kept.accepted
    assert [(p.source, p.code) for p in kept.problems] == [
        ("/attorneys/0/dateOfBirth", ProblemCode.UNDER_18)
    ]


def test_the_generated_lpas_are_all_valid() -> None:
    for n in range(40):
        record = read(varied(n))
        assert isinstance(record, StoreRecord), n
        decision = decide_create(record.draft, NOW)
        assert (n, decision.problems) == (n, ())


def _set(lpa: dict[str, Any], pointer: str, value: object) -> dict[str, Any]:
    *path, last = pointer.strip("/").split("/")
    target: Any = lpa
    for key in path:
        target = target[int(key)] if isinstance(target, list) else target[key]
    if value is None:
        target.pop(last, None)
    else:
        target[last] = value
    return lpa
