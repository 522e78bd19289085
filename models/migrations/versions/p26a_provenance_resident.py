"""provenance of a resident's own words outside a proposal (a comment quoted in the staff chat)

Revision ID: p26a
Revises: p26
Create Date: 2026-12-07 20:10:00

The reopen note of closing the loop quotes residents' comments: the link to each resident lets an erasure
find the note and edit it, whatever its wording.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'p26a'
down_revision: str | None = 'p26'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('provenance') as batch:
        batch.add_column(sa.Column('resident_id', sa.Integer(), nullable=True))
        batch.create_index(batch.f('ix_provenance_resident_id'), ['resident_id'], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('provenance') as batch:
        batch.drop_index(batch.f('ix_provenance_resident_id'))
        batch.drop_column('resident_id')
