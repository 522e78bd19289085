"""Named counters for numbers people read (tracking codes): no gaps, no repeats, safe under concurrency.

A counter row is bumped with one UPDATE … RETURNING inside the caller's transaction: PostgreSQL holds the
row lock and SQLite its write lock until commit, so concurrent submissions queue up, and a rolled-back
submission gives its number back.
"""

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Session, SQLModel, col


class Counter(SQLModel, table=True):
    """The last number handed out under a name (e.g. "asp-2026")."""

    name: str = Field(primary_key=True, max_length=64)
    value: int = Field(default=0)


def next_value(*, session: Session, name: str) -> int:
    """Return the next number of a counter (1 for a new one), within the session's transaction."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(Counter).values(name=name, value=0).on_conflict_do_nothing())
    bumped = session.execute(
        update(Counter).where(col(Counter.name) == name).values(value=Counter.value + 1).returning(col(Counter.value)))
    return int(bumped.scalar_one())
