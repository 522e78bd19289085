"""moderator decisions on a cluster's vulnerable groups and social-aid problems

Revision ID: p27
Revises: p25
Create Date: 2026-12-07 18:00:00

The groups and aid problems are read from the members' texts on every read; a moderator's addition or
removal is stored here and wins over the reading for good.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.types import UTCDateTime

revision: str = 'p27'
down_revision: str | None = 'p25'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        'cluster_tag',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cluster_id', sa.Integer(), nullable=False),
        sa.Column('facet', sa.String(length=20), nullable=False),
        sa.Column('value', sa.String(length=40), nullable=False),
        sa.Column('present', sa.Boolean(), nullable=False),
        sa.Column('actor', sa.String(length=80), nullable=False),
        sa.Column('at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['cluster_id'], ['cluster.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('cluster_id', 'facet', 'value', name='uq_cluster_tag'),
    )
    op.create_index('ix_cluster_tag_cluster_id', 'cluster_tag', ['cluster_id'], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index('ix_cluster_tag_cluster_id', table_name='cluster_tag')
    op.drop_table('cluster_tag')
