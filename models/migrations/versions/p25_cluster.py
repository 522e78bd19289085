"""several copies on one PostgreSQL: each stored update's chat (claimed per chat), outbox sends left uncertain

Revision ID: p25
Revises: i21a
Create Date: 2026-12-07 18:00:00

Copies claim a chat's oldest pending update by the chat's id, read from this column (indexed) rather than from
the payload. A row that was being sent when its sender died is sent again by the next sender and flagged
`uncertain` (it may have reached Telegram twice); operators count them. This revision also joins the two heads
s24 and web_sessions.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'p25'
down_revision: str | None = 'i21a'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('inboundupdate') as batch:
        batch.add_column(sa.Column('chat_id', sa.BigInteger(), nullable=True))
        batch.create_index('ix_inboundupdate_chat_id', ['chat_id'], unique=False)
    with op.batch_alter_table('outboxmessage') as batch:
        batch.add_column(sa.Column('uncertain', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('outboxmessage') as batch:
        batch.drop_column('uncertain')
    with op.batch_alter_table('inboundupdate') as batch:
        batch.drop_index('ix_inboundupdate_chat_id')
        batch.drop_column('chat_id')
