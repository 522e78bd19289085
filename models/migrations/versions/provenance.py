"""provenance of derived texts (titles, keywords, digests, audit entries, undo snapshots, outbox messages)

Revision ID: provenance
Revises: i12b
Create Date: 2026-12-07 16:30:00

Every derived text remembers the proposals and clusters it was made from, so an erasure follows the link.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'provenance'
down_revision: str | None = 'i12b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        'provenance',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('ref_id', sa.BigInteger(), nullable=False),
        sa.Column('proposal_id', sa.Integer(), nullable=True),
        sa.Column('cluster_id', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_provenance_ref', 'provenance', ['kind', 'ref_id'], unique=False)
    op.create_index(op.f('ix_provenance_proposal_id'), 'provenance', ['proposal_id'], unique=False)
    op.create_index(op.f('ix_provenance_cluster_id'), 'provenance', ['cluster_id'], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f('ix_provenance_cluster_id'), table_name='provenance')
    op.drop_index(op.f('ix_provenance_proposal_id'), table_name='provenance')
    op.drop_index('ix_provenance_ref', table_name='provenance')
    op.drop_table('provenance')
