"""Oracle budgets: failed identity-oracle answers per (client, LPA) in a window.

Revision ID: 40e67fd65e1a
Revises: 5b0c1d2e3f40
Create Date: 2026-11-24 00:24:28.288280
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '40e67fd65e1a'
down_revision: str | None = '5b0c1d2e3f40'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('oracle_budgets',
    sa.Column('client', sa.String(length=64), nullable=False),
    sa.Column('lpa_uid', sa.String(length=16), nullable=False),
    sa.Column('window_started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('client', 'lpa_uid', name=op.f('pk_oracle_budgets'))
    )


def downgrade() -> None:
    op.drop_table('oracle_budgets')
