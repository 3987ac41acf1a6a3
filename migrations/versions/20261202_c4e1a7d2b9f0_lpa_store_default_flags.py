"""The LPA store's `…IsDefault` flags: which decision modes and options a default filled.

Revision ID: c4e1a7d2b9f0
Revises: a1c3e5f7b9d2
Create Date: 2026-12-02 17:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4e1a7d2b9f0"
down_revision: str | None = "a1c3e5f7b9d2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FLAGS = (
    "how_attorneys_make_decisions_is_default",
    "how_replacement_attorneys_make_decisions_is_default",
    "when_the_lpa_can_be_used_is_default",
    "life_sustaining_treatment_option_is_default",
)


def upgrade() -> None:
    with op.batch_alter_table("lpas") as batch:
        for name in FLAGS:
            batch.add_column(
                sa.Column(name, sa.Boolean(), server_default=sa.false(), nullable=False)
            )


def downgrade() -> None:
    with op.batch_alter_table("lpas") as batch:
        for name in reversed(FLAGS):
            batch.drop_column(name)
