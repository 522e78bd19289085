"""cluster home forum

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 06:00:00

Every cluster gets one home forum. Existing clusters take the forum of their earliest submitted proposal.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('cluster', schema=None) as batch_op:
        batch_op.add_column(sa.Column('home_forum_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_cluster_home_forum_id'), ['home_forum_id'], unique=False)
    op.execute(
        "UPDATE cluster SET home_forum_id = (SELECT p.forum_id FROM proposal p WHERE p.cluster_id = cluster.id"
        " AND p.forum_id IS NOT NULL ORDER BY p.submitted_at, p.id LIMIT 1)"
    )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('cluster', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cluster_home_forum_id'))
        batch_op.drop_column('home_forum_id')
