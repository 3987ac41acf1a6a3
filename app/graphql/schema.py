from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig

from . import questions
from .casework import query as records
from .create_lpa import create_lpa
from .donor_identity import donor_identity_matches
from .lpa_status import lpa_status
from .mutations import access, casework, correction, fees, identity, lifecycle, signing
from .scalars import SCALAR_MAP


@strawberry.type
class Query:
    lpa_status = strawberry.field(resolver=lpa_status)
    validate_lpa = strawberry.field(resolver=questions.validate_lpa)
    donor_identity_matches = strawberry.field(resolver=donor_identity_matches)
    lpa = strawberry.field(resolver=records.lpa)
    lpa_events = strawberry.field(resolver=records.lpa_events)
    ready_for_statutory_waiting_period = strawberry.field(
        resolver=questions.ready_for_statutory_waiting_period
    )
    fee_reduction_ready_for_decision = strawberry.field(
        resolver=questions.fee_reduction_ready_for_decision
    )


@strawberry.type
class Mutation:
    create_lpa = strawberry.mutation(resolver=create_lpa)
    sign_certificate_provider = strawberry.mutation(resolver=signing.sign_certificate_provider)
    sign_attorney = strawberry.mutation(resolver=signing.sign_attorney)
    sign_trust_corporation = strawberry.mutation(resolver=signing.sign_trust_corporation)
    certificate_provider_opt_out = strawberry.mutation(
        resolver=lifecycle.certificate_provider_opt_out
    )
    attorney_opt_out = strawberry.mutation(resolver=lifecycle.attorney_opt_out)
    withdraw_lpa = strawberry.mutation(resolver=lifecycle.withdraw_lpa)
    start_statutory_waiting_period = strawberry.mutation(
        resolver=lifecycle.start_statutory_waiting_period
    )
    register_lpa = strawberry.mutation(resolver=lifecycle.register_lpa)
    change_status = strawberry.mutation(resolver=lifecycle.change_status)
    confirm_identity = strawberry.mutation(resolver=identity.confirm_identity)
    request_fee_reduction = strawberry.mutation(resolver=fees.request_fee_reduction)
    decide_fee_reduction = strawberry.mutation(resolver=fees.decide_fee_reduction)
    record_payment = strawberry.mutation(resolver=fees.record_payment)
    correct_lpa = strawberry.mutation(resolver=correction.correct_lpa)
    correct_registered_lpa = strawberry.mutation(resolver=correction.correct_registered_lpa)
    change_attorneys = strawberry.mutation(resolver=casework.change_attorneys)
    sever_restrictions = strawberry.mutation(resolver=casework.sever_restrictions)
    resolve_anomaly = strawberry.mutation(resolver=casework.resolve_anomaly)
    trust_corporation_opt_out = strawberry.mutation(resolver=lifecycle.trust_corporation_opt_out)
    record_attorney_decisions = strawberry.mutation(resolver=casework.record_attorney_decisions)
    certificate_provider_access_online = strawberry.mutation(
        resolver=access.certificate_provider_access_online
    )
    attorney_access_online = strawberry.mutation(resolver=access.attorney_access_online)


def build_schema() -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        config=StrawberryConfig(auto_camel_case=True, scalar_map=SCALAR_MAP),
    )
