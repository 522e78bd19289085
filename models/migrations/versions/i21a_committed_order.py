"""committed order for the figures

Revision ID: i21a
Revises: i21b
Create Date: 2026-12-07 16:30:00

Figures of a period (new aspirations, new clusters, supporters added) take rows by the number of the
transaction that wrote them, in committed order, instead of comparing the timestamps of different rows.
Rows from before this revision are numbered one by one in the order of their own times.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import models.types

revision: str = 'i21a'
down_revision: str | None = 'i21b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAMPED = (("cluster", "created_at", "1=1"), ("support", "created_at", "1=1"),
           ("proposal", "submitted_at", "submitted_at IS NOT NULL"))


def _aware(value: datetime | str) -> datetime:
    """A stored time as an aware UTC datetime (SQLite gives text back)."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def upgrade() -> None:
    """Apply this revision."""
    marks = op.create_table(
        'commit_mark',
        sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('at', models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('seq'),
    )
    op.create_index(op.f('ix_commit_mark_at'), 'commit_mark', ['at'], unique=False)
    for table, _, _ in STAMPED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('seq', sa.BigInteger(), nullable=True))
            batch.create_index(op.f(f'ix_{table}_seq'), ['seq'], unique=False)
    bind = op.get_bind()
    rows = sorted((_aware(at), table, row_id) for table, column, where in STAMPED
                  for row_id, at in bind.execute(sa.text(f"SELECT id, {column} FROM {table} WHERE {where}")))
    for seq, (at, table, row_id) in enumerate(rows, start=1):
        bind.execute(sa.text(f"UPDATE {table} SET seq = :seq WHERE id = :id"), {"seq": seq, "id": row_id})
    if rows:
        op.bulk_insert(marks, [{"seq": seq, "at": at} for seq, (at, _, _) in enumerate(rows, start=1)])
        bind.execute(sa.text("INSERT INTO counter (name, value) VALUES ('commit', :n)"), {"n": len(rows)})


def downgrade() -> None:
    """Revert this revision."""
    op.get_bind().execute(sa.text("DELETE FROM counter WHERE name = 'commit'"))
    for table, _, _ in STAMPED:
        with op.batch_alter_table(table) as batch:
            batch.drop_index(op.f(f'ix_{table}_seq'))
            batch.drop_column('seq')
    op.drop_index(op.f('ix_commit_mark_at'), table_name='commit_mark')
    op.drop_table('commit_mark')
