"""index of the grouping membership (which submitted proposals the grouping index holds, in which cluster)

Revision ID: s24
Revises: web_sessions
Create Date: 2026-12-07 17:20:00

At start the bot compares its saved grouping index with the database's membership: (state, cluster_id,
embedding_model) and the id of every proposal. This index answers that from the index alone, without reading
the table's rows (texts and embeddings, ~2 KB each).
"""

from collections.abc import Sequence

from alembic import op

revision: str = 's24'
down_revision: str | None = 'web_sessions'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_index('ix_proposal_membership', 'proposal', ['state', 'cluster_id', 'embedding_model', 'id'], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index('ix_proposal_membership', table_name='proposal')
