"""Named counters for numbers people read (tracking codes): no gaps, no repeats, safe under concurrency.

A counter row is bumped with one UPDATE … RETURNING inside the caller's transaction: PostgreSQL holds the
row lock and SQLite its write lock until commit, so concurrent submissions queue up, and a rolled-back
submission gives its number back.
"""

from datetime import datetime

from sqlalchemy import BigInteger, Column, event, insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, Session, SQLModel, col, func, select

from models.types import UTCDateTime, utcnow


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


COMMIT_COUNTER = "commit"


class CommitMark(SQLModel, table=True):
    """One writing transaction that changed what the figures count, in committed order, and when it ran.

    Figures of a period take the rows whose `seq` lies in (after, upto]: the counter row stays locked until
    the transaction commits, so a number seen as committed means every lower number is committed too, and a
    period never has to compare the timestamps of different rows. A time boundary becomes a mark through
    this table (every row of one transaction is on the same side).
    """

    __tablename__ = "commit_mark"

    seq: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    at: datetime = Field(sa_type=UTCDateTime, index=True)


def commit_seq(session: Session) -> int:
    """This transaction's number in committed order (taken once per transaction, with its moment)."""
    seq = session.info.get(_INFO_KEY)
    if seq is None:
        seq = next_value(session=session, name=COMMIT_COUNTER)
        session.info[_INFO_KEY] = seq
        session.execute(insert(CommitMark).values(seq=seq, at=utcnow()))
    return int(seq)


def committed_mark(session: Session) -> int:
    """The highest committed transaction number (0 before any): rows at or below it are all committed."""
    value = session.exec(select(Counter.value).where(Counter.name == COMMIT_COUNTER)).first()
    return int(value or 0)


def mark_at(session: Session, moment: datetime) -> int:
    """The highest transaction number that ran before `moment` (0 when none did)."""
    value = session.exec(select(func.max(CommitMark.seq)).where(col(CommitMark.at) < moment)).one()
    return int(value or 0)


def history_marks(*, session: Session, moments: list[datetime]) -> list[int]:
    """Numbers in committed order for rows imported with past moments, oldest first (benchmarks, tools).

    Only for loading history into an empty or idle database: the moments must not be older than marks
    already given, or `mark_at` would no longer follow committed order.
    """
    if not moments:
        return []
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(Counter).values(name=COMMIT_COUNTER, value=0).on_conflict_do_nothing())
    last = int(session.execute(update(Counter).where(col(Counter.name) == COMMIT_COUNTER)
                               .values(value=Counter.value + len(moments)).returning(col(Counter.value))).scalar_one())
    seqs = list(range(last - len(moments) + 1, last + 1))
    for start in range(0, len(seqs), 5000):
        session.execute(insert(CommitMark), [{"seq": s, "at": at} for s, at in
                                             zip(seqs[start:start + 5000], moments[start:start + 5000], strict=True)])
    return seqs


def date_transaction(*, session: Session, at: datetime) -> None:
    """Give this transaction's mark a past moment, when loading history one transaction at a time (tools)."""
    session.execute(update(CommitMark).where(col(CommitMark.seq) == commit_seq(session)).values(at=at))


_INFO_KEY = "commit_seq"


def _forget_seq(session: Session, *_: object) -> None:
    """A new transaction takes a new number."""
    session.info.pop(_INFO_KEY, None)


event.listen(OrmSession, "after_commit", _forget_seq)
event.listen(OrmSession, "after_soft_rollback", _forget_seq)
