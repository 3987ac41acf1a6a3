"""Audit events: the id of the trusted document a request ran (`sha256:<hex>`), if any.

Revision ID: 9c4e2a7d1b36
Revises: 9a4c2e71b8d3
Create Date: 2026-12-02 16:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9c4e2a7d1b36"
down_revision: str | None = "9a4c2e71b8d3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Plain ALTER TABLE on both databases, never batch mode: SQLite's batch mode would rebuild the
# table and drop the triggers that keep it append-only (migration 5b0c1d2e3f40).


def upgrade() -> None:
    op.add_column("audit_events", sa.Column("document_id", sa.String(length=71), nullable=True))


def downgrade() -> None:
    op.drop_column("audit_events", "document_id")
