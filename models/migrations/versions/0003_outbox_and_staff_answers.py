"""outbox and staff answers

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 15:41:09.717044
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.types


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('outboxmessage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_at', models.types.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('reply', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True))
        batch_op.create_index(batch_op.f('ix_reply_source_key'), ['source_key'], unique=True)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('reply', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reply_source_key'))
        batch_op.drop_column('source_key')
    with op.batch_alter_table('outboxmessage', schema=None) as batch_op:
        batch_op.drop_column('claimed_at')
