"""moderator-set cluster labels

Revision ID: i10
Revises: i12a
Create Date: 2026-11-29 06:00:00

A title or category a moderator set is a decision: relabelling after re-clustering must leave it alone.
Existing clusters count as not named by a moderator.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'i10'
down_revision: str | None = 'i12a'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('cluster', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title_set_by_moderator', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('category_set_by_moderator', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('cluster', schema=None) as batch_op:
        batch_op.drop_column('category_set_by_moderator')
        batch_op.drop_column('title_set_by_moderator')
