"""tracking code counter

Revision ID: i12a
Revises: i11a
Create Date: 2026-11-29 06:05:00

Tracking codes (ASP-2026-000123) come from a counter per year, handed out when an aspiration is sent, so
drafts and cancelled drafts use no number. The counters start after the highest code already given.
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'i12a'
down_revision: str | None = 'i11a'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CODE = re.compile(r"^ASP-(\d{4})-(\d+)$")


def upgrade() -> None:
    """Apply this revision."""
    counter = op.create_table(
        'counter',
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('value', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )
    highest: dict[str, int] = {}
    for (code,) in op.get_bind().execute(sa.text("SELECT code FROM proposal WHERE code IS NOT NULL")):
        if match := CODE.match(code):
            name = f"asp-{match.group(1)}"
            highest[name] = max(highest.get(name, 0), int(match.group(2)))
    if highest:
        op.bulk_insert(counter, [{"name": name, "value": value} for name, value in highest.items()])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table('counter')
