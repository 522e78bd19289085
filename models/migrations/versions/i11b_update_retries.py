"""update retries

Revision ID: i11b
Revises: i10
Create Date: 2026-11-29 06:10:00

A failed incoming update is retried with backoff: its failed runs, when to try again, and when it was given up
(a dead letter).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.types import UTCDateTime

revision: str = 'i11b'
down_revision: str | None = 'i10'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('inboundupdate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('next_attempt_at', UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('dead_at', UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('inboundupdate', schema=None) as batch_op:
        batch_op.drop_column('dead_at')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('attempts')
