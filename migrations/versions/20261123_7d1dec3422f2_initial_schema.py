"""Initial schema: LPAs, actors, fees, history, outbox and idempotency records.

Revision ID: 7d1dec3422f2
Revises:
Create Date: 2026-11-23 23:52:15.264335
"""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '7d1dec3422f2'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('fees',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('fee_type', sa.Enum('full', 'half', 'quarter', 'exemption', 'hardship', name='ck_fees_fee_type', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('amount_pence', sa.Integer(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fees')),
    sa.UniqueConstraint('fee_type', 'effective_from', name=op.f('uq_fees_fee_type'))
    )
    op.create_table('idempotency_records',
    sa.Column('client', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('response', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('client', 'key', name=op.f('pk_idempotency_records'))
    )
    op.create_table('lpa_numbers',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lpa_numbers')),
    sqlite_autoincrement=True
    )
    op.create_table('lpas',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('uid', sa.String(length=16), nullable=False),
    sa.Column('status', sa.Enum('in-progress', 'statutory-waiting-period', 'registered', 'withdrawn', 'cannot-register', 'cancelled', 'do-not-register', 'expired', name='ck_lpas_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('lpa_type', sa.Enum('property-and-affairs', 'personal-welfare', name='ck_lpas_lpa_type', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('channel', sa.Enum('online', 'paper', name='ck_lpas_channel', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('language', sa.Enum('en', 'cy', name='ck_lpas_language', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('how_attorneys_make_decisions', sa.Enum('jointly', 'jointly-and-severally', 'jointly-for-some-severally-for-others', name='ck_lpas_how_attorneys_make_decisions', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('how_attorneys_make_decisions_details', sa.Text(), nullable=True),
    sa.Column('how_replacement_attorneys_make_decisions', sa.Enum('jointly', 'jointly-and-severally', 'jointly-for-some-severally-for-others', name='ck_lpas_how_replacement_attorneys_make_decisions', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('how_replacement_attorneys_make_decisions_details', sa.Text(), nullable=True),
    sa.Column('how_replacement_attorneys_step_in', sa.Enum('all-can-no-longer-act', 'one-can-no-longer-act', 'another-way', name='ck_lpas_how_replacement_attorneys_step_in', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('how_replacement_attorneys_step_in_details', sa.Text(), nullable=True),
    sa.Column('when_the_lpa_can_be_used', sa.Enum('when-has-capacity', 'when-capacity-lost', name='ck_lpas_when_the_lpa_can_be_used', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('life_sustaining_treatment_option', sa.Enum('option-a', 'option-b', name='ck_lpas_life_sustaining_treatment_option', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('restrictions_and_conditions', sa.Text(), nullable=True),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('witnessed_by_certificate_provider_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('witnessed_by_independent_witness_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('certificate_provider_not_related_confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('registration_date', sa.Date(), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lpas')),
    sa.UniqueConstraint('uid', name=op.f('uq_lpas_uid'))
    )
    with op.batch_alter_table('lpas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lpas_created_by'), ['created_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_lpas_status'), ['status'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('event_type', sa.String(length=32), nullable=False),
    sa.Column('uid', sa.String(length=16), nullable=False),
    sa.Column('change_type', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox'))
    )
    op.create_table('actors',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('lpa_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('role', sa.Enum('donor', 'attorney', 'trust-corporation', 'certificate-provider', 'person-to-notify', 'independent-witness', 'authorised-signatory', name='ck_actors_role', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('first_names', sa.String(length=100), nullable=True),
    sa.Column('last_name', sa.String(length=100), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=True),
    sa.Column('company_number', sa.String(length=32), nullable=True),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('mobile', sa.String(length=32), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('other_names_known_by', sa.String(length=100), nullable=True),
    sa.Column('contact_language_preference', sa.Enum('en', 'cy', name='ck_actors_contact_language_preference', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('channel', sa.Enum('online', 'paper', name='ck_actors_channel', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('status', sa.Enum('active', 'inactive', 'removed', name='ck_actors_status', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('appointment_type', sa.Enum('original', 'replacement', name='ck_actors_appointment_type', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('opted_out_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['lpa_id'], ['lpas.id'], name=op.f('fk_actors_lpa_id_lpas'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_actors')),
    sa.UniqueConstraint('lpa_id', 'role', 'position', name=op.f('uq_actors_lpa_id'))
    )
    with op.batch_alter_table('actors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_actors_lpa_id'), ['lpa_id'], unique=False)

    op.create_table('anomalies',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('lpa_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=255), nullable=False),
    sa.Column('status', sa.Enum('detected', 'resolved', name='ck_anomalies_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('detected_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['lpa_id'], ['lpas.id'], name=op.f('fk_anomalies_lpa_id_lpas'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_anomalies'))
    )
    with op.batch_alter_table('anomalies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_anomalies_lpa_id'), ['lpa_id'], unique=False)

    op.create_table('changes',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('lpa_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('lpa_version', sa.Integer(), nullable=False),
    sa.Column('change_type', sa.String(length=64), nullable=False),
    sa.Column('author', sa.String(length=255), nullable=False),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('fields', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['lpa_id'], ['lpas.id'], name=op.f('fk_changes_lpa_id_lpas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_changes')),
    sa.UniqueConstraint('lpa_id', 'lpa_version', name=op.f('uq_changes_lpa_id'))
    )
    op.create_table('fee_reduction_requests',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('lpa_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('requested_type', sa.Enum('full', 'half', 'quarter', 'exemption', 'hardship', name='ck_fee_reduction_requests_requested_type', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('evidence_delivery', sa.Enum('upload', 'post', name='ck_fee_reduction_requests_evidence_delivery', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('previous_application_number', sa.String(length=32), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['lpa_id'], ['lpas.id'], name=op.f('fk_fee_reduction_requests_lpa_id_lpas'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fee_reduction_requests'))
    )
    with op.batch_alter_table('fee_reduction_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fee_reduction_requests_lpa_id'), ['lpa_id'], unique=False)

    op.create_table('payments',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('lpa_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('amount_pence', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['lpa_id'], ['lpas.id'], name=op.f('fk_payments_lpa_id_lpas'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments'))
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payments_lpa_id'), ['lpa_id'], unique=False)

    op.create_table('addresses',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=False),
    sa.Column('line1', sa.String(length=100), nullable=False),
    sa.Column('line2', sa.String(length=100), nullable=True),
    sa.Column('line3', sa.String(length=100), nullable=True),
    sa.Column('town', sa.String(length=100), nullable=True),
    sa.Column('postcode', sa.String(length=16), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], name=op.f('fk_addresses_actor_id_actors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_addresses')),
    sa.UniqueConstraint('actor_id', name=op.f('uq_addresses_actor_id'))
    )
    op.create_table('fee_reduction_decisions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('request_id', sa.Uuid(), nullable=False),
    sa.Column('outcome', sa.Enum('approved', 'declined', 'more-evidence-required', name='ck_fee_reduction_decisions_outcome', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('approved_type', sa.Enum('full', 'half', 'quarter', 'exemption', 'hardship', name='ck_fee_reduction_decisions_approved_type', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['fee_reduction_requests.id'], name=op.f('fk_fee_reduction_decisions_request_id_fee_reduction_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fee_reduction_decisions'))
    )
    with op.batch_alter_table('fee_reduction_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fee_reduction_decisions_request_id'), ['request_id'], unique=False)

    op.create_table('identity_checks',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=False),
    sa.Column('type', sa.Enum('one-login', 'opg-paper-id', name='ck_identity_checks_type', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], name=op.f('fk_identity_checks_actor_id_actors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_checks'))
    )
    with op.batch_alter_table('identity_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identity_checks_actor_id'), ['actor_id'], unique=False)

    op.create_table('trust_corporation_signatories',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('trust_corporation_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('first_names', sa.String(length=100), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('professional_title', sa.String(length=100), nullable=True),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['trust_corporation_id'], ['actors.id'], name=op.f('fk_trust_corporation_signatories_trust_corporation_id_actors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trust_corporation_signatories')),
    sa.UniqueConstraint('trust_corporation_id', 'position', name=op.f('uq_trust_corporation_signatories_trust_corporation_id'))
    )

    fees = sa.table(
        "fees",
        sa.column("fee_type", sa.String),
        sa.column("amount_pence", sa.Integer),
        sa.column("effective_from", sa.Date),
    )
    op.bulk_insert(fees, [
        {"fee_type": fee_type, "amount_pence": pence, "effective_from": date.fromisoformat(day)}
        for fee_type, pence, day in FEES
    ])


# Fees in pence, effective from the date given. The November 2025 change is rows, not code.
FEES = [
    ("full", 8200, "2013-07-01"),
    ("half", 4100, "2013-07-01"),
    ("quarter", 2050, "2013-07-01"),
    ("exemption", 0, "2013-07-01"),
    ("hardship", 0, "2013-07-01"),
    ("full", 9200, "2025-11-17"),
    ("half", 4600, "2025-11-17"),
    ("quarter", 2300, "2025-11-17"),
]


def downgrade() -> None:
    op.drop_table('trust_corporation_signatories')
    with op.batch_alter_table('identity_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identity_checks_actor_id'))

    op.drop_table('identity_checks')
    with op.batch_alter_table('fee_reduction_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fee_reduction_decisions_request_id'))

    op.drop_table('fee_reduction_decisions')
    op.drop_table('addresses')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_lpa_id'))

    op.drop_table('payments')
    with op.batch_alter_table('fee_reduction_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fee_reduction_requests_lpa_id'))

    op.drop_table('fee_reduction_requests')
    op.drop_table('changes')
    with op.batch_alter_table('anomalies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_anomalies_lpa_id'))

    op.drop_table('anomalies')
    with op.batch_alter_table('actors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_actors_lpa_id'))

    op.drop_table('actors')
    op.drop_table('outbox')
    with op.batch_alter_table('lpas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lpas_status'))
        batch_op.drop_index(batch_op.f('ix_lpas_created_by'))

    op.drop_table('lpas')
    op.drop_table('lpa_numbers')
    op.drop_table('idempotency_records')
    op.drop_table('fees')
