"""The five operations under load: who asks, the exact document, and the request bodies.

Bodies are rendered up front (a few thousand per operation, each with a random seeded UID)
and the load generator picks one at random per request, so the gateway sees the mix of UIDs
a real client sends, with the values as variables. Each operation is sent in two shapes, from
the same variables:

- `trusted`: `{"documentId": "sha256:<hex>", "variables", "operationName"}`, naming the
  document registered in the client's manifest (schema/documents/<client>.json);
- `ad-hoc`: `{"query": <text>, "variables", "operationName"}`, where the text is the same
  operation pretty-printed (graphql-core's `print_ast`), as a client composing its own would
  send it: its hash is in no manifest, so the gateway parses, validates and plans it as
  ad-hoc text. (The registered text itself, sent in full, would run as the trusted document.)
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Literal

from graphql import parse, print_ast

from app.authz.manifests import document_hash, document_id

from .seed import FIRST, LAST, TOWNS, Seeded

LPA_STATUS = (
    "query LpaStatus($uid: LpaUid!) { lpaStatus(uid: $uid) { isRegistered isCancelled "
    "hasRestrictionsAndConditions lpaType registrationDate } }"
)
VALIDATE_LPA = (
    "query ValidateLpa($uid: LpaUid!) { validateLpa(uid: $uid) { valid problems { source code } } }"
)
DONOR_IDENTITY = (
    "query DonorIdentity($uid: LpaUid!, $dob: Date!, $postcode: String!) "
    "{ donorIdentityMatches(uid: $uid, dateOfBirth: $dob, postcode: $postcode) }"
)
CREATE_LPA = (
    "mutation CreateLpa($input: CreateLpaInput!, $key: String!) { createLpa(input: $input, "
    "idempotencyKey: $key) { accepted uid version problems { source code } } }"
)
FULL_LPA = (
    "query Lpa($uid: LpaUid!) { lpa(uid: $uid) { uid status lpaType channel language "
    "howAttorneysMakeDecisions whenTheLpaCanBeUsed signedAt registrationDate version "
    "donor { uid firstNames lastName email dateOfBirth address { line1 line2 line3 town postcode "
    "country } } attorneys { uid firstNames lastName email dateOfBirth status appointmentType "
    "signedAt address { line1 line2 line3 town postcode country } } certificateProvider { uid "
    "firstNames lastName email phone signedAt address { line1 line2 line3 town postcode "
    "country } } } }"
)
KEY_PLACEHOLDER = "@IDEMPOTENCY-KEY@"
BODIES = 4000

Document = Literal["trusted", "ad-hoc"]
DOCUMENTS: tuple[Document, ...] = ("trusted", "ad-hoc")
Variables = dict[str, object]


def request_body(document: dict[str, str], variables: Variables, operation_name: str) -> str:
    """One POST body: the document (`query` text or `documentId`), variables, operation name."""
    return json.dumps(
        {**document, "variables": variables, "operationName": operation_name},
        separators=(",", ":"),
    )


@dataclass(frozen=True, slots=True)
class Operation:
    name: str
    client: str
    document: str
    expect: str  # every good answer, from the gateway and from the floor, contains this
    reads: bool = True

    @property
    def operation_name(self) -> str:
        return self.document.split("(", 1)[0].split()[1]

    @property
    def document_id(self) -> str:
        """`sha256:<hex>` of the registered text: its key in the client's manifest."""
        return document_id(document_hash(self.document))

    @property
    def ad_hoc_document(self) -> str:
        """The same operation in other text, registered nowhere."""
        return print_ast(parse(self.document))

    def variables(self, seeded: Seeded, rng: random.Random, count: int = BODIES) -> list[Variables]:
        return [self._variables(seeded, rng) for _ in range(count)]

    def bodies(self, variables: list[Variables], document: Document) -> list[str]:
        shape = (
            {"documentId": self.document_id}
            if document == "trusted"
            else {"query": self.ad_hoc_document}
        )
        return [request_body(shape, v, self.operation_name) for v in variables]

    def _variables(self, seeded: Seeded, rng: random.Random) -> Variables:
        variables: Variables
        if self.name == "lpaStatus":
            variables = {"uid": rng.choice(seeded.status_uids)}
        elif self.name == "validateLpa":
            variables = {"uid": rng.choice(seeded.own_uids)}
        elif self.name == "donorIdentityMatches":
            uid, born, postcode = rng.choice(seeded.donors)
            if rng.random() < 0.5:  # half the callers get it wrong
                born = f"{int(born[:4]) - 1}{born[4:]}"
            variables = {"uid": uid, "dob": born, "postcode": postcode.lower()}
        elif self.name == "createLpa":
            variables = {"input": _new_lpa(rng), "key": KEY_PLACEHOLDER}
        else:
            variables = {"uid": rng.choice(seeded.status_uids)}
        return variables


def _address(rng: random.Random) -> dict[str, object]:
    return {
        "line1": f"{rng.randint(1, 250)} {rng.choice(LAST)} Road",
        "town": rng.choice(TOWNS),
        "postcode": f"CF{rng.randint(1, 24)} {rng.randint(1, 9)}AB",
        "country": "GB",
    }


def _person(rng: random.Random, born: tuple[int, int] | None) -> dict[str, object]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    person: dict[str, object] = {
        "firstNames": first,
        "lastName": last,
        "email": f"{first.lower()}.{last.lower()}{rng.randint(1, 9999)}@example.com",
        "address": _address(rng),
    }
    if born is not None:
        person["dateOfBirth"] = f"{rng.randint(*born)}-{rng.randint(1, 12):02d}-" + (
            f"{rng.randint(1, 28):02d}"
        )
    return person


def _new_lpa(rng: random.Random) -> dict[str, object]:
    """An online property-and-affairs LPA that keeps every rule: donor, three attorneys
    (the third a replacement half the time), certificate provider, addresses."""
    replacement = rng.random() < 0.5
    attorneys = []
    for i in range(3):
        attorney = _person(rng, (1950, 1995))
        attorney.update(
            channel="ONLINE",
            mobile=f"07700{rng.randint(900000, 900999)}",
            appointmentType="REPLACEMENT" if replacement and i == 2 else "ORIGINAL",
        )
        attorneys.append(attorney)
    provider = _person(rng, None)
    provider.update(channel="ONLINE", phone=f"07700{rng.randint(900000, 900999)}")
    lpa: dict[str, object] = {
        "lpaType": "PROPERTY_AND_AFFAIRS",
        "channel": "ONLINE",
        "language": "EN",
        "donor": {**_person(rng, (1930, 1975)), "contactLanguagePreference": "EN"},
        "attorneys": attorneys,
        "certificateProvider": provider,
        "howAttorneysMakeDecisions": "JOINTLY_AND_SEVERALLY",
        "whenTheLpaCanBeUsed": "WHEN_HAS_CAPACITY",
        "signedAt": "2026-01-05T10:00:00Z",
        "witnessedByCertificateProviderAt": "2026-01-05T10:00:00Z",
    }
    if replacement:
        lpa["howReplacementAttorneysStepIn"] = "ALL_CAN_NO_LONGER_ACT"
    return lpa


OPERATIONS = (
    Operation("lpaStatus", "opg.poas.use", LPA_STATUS, '"isRegistered":'),
    Operation("validateLpa", "opg.poas.makeregister", VALIDATE_LPA, '"valid":'),
    Operation("donorIdentityMatches", "opg.poas.use", DONOR_IDENTITY, '"donorIdentityMatches":'),
    Operation("createLpa", "opg.poas.makeregister", CREATE_LPA, '"accepted":true', reads=False),
    Operation("lpa", "opg.poas.sirius", FULL_LPA, '"attorneys":[{'),
)
