"""Rate buckets: each client's shared request token bucket.

Revision ID: 9a4c2e71b8d3
Revises: 40e67fd65e1a
Create Date: 2026-12-02 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '9a4c2e71b8d3'
down_revision: str | None = '40e67fd65e1a'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('rate_buckets',
    sa.Column('client', sa.String(length=64), nullable=False),
    sa.Column('tokens', sa.Float(), nullable=False),
    sa.Column('refilled_at', sa.Float(), nullable=False),
    sa.Column('granted', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('client', name=op.f('pk_rate_buckets'))
    )


def downgrade() -> None:
    op.drop_table('rate_buckets')
