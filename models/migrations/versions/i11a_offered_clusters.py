"""offered clusters on a draft

Revision ID: i11a
Revises: 0004
Create Date: 2026-11-29 06:05:00

A draft remembers which clusters it was offered (ids, comma-separated), so a Dukung button is accepted only
for one of them: a forged callback naming another cluster changes nothing.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'i11a'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('offered_clusters', sqlmodel.sql.sqltypes.AutoString(length=200),
                                      nullable=False, server_default=''))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_column('offered_clusters')
