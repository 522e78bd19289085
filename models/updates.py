"""Incoming Telegram updates, stored before they are acknowledged so that none is lost or run twice.

An update whose handlers failed is tried again after a growing pause; after `max_attempts` it is a dead
letter (`dead_at` set): kept with its payload for an operator, never retried by itself.
"""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, BigInteger, Column
from sqlmodel import Field, Session, SQLModel, col, select

from models.types import UTCDateTime, utcnow


class InboundUpdate(SQLModel, table=True):
    """One update by its Telegram id; the payload is dropped once handled (it holds names)."""

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    payload: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    processed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    attempts: int = 0  # failed runs so far
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # None: not waiting for a retry
    dead_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # gave up: a dead letter


def store_update(*, session: Session, update_id: int, payload: dict[str, Any]) -> bool:
    """Store an update the first time it is seen; return False for a repeat."""
    if session.get(InboundUpdate, update_id) is not None:
        return False
    session.add(InboundUpdate(update_id=update_id, payload=payload))
    session.flush()
    return True


def mark_processed(*, session: Session, update_id: int) -> None:
    """Record that an update was handled and forget its payload."""
    row = session.get(InboundUpdate, update_id)
    if row is not None and row.processed_at is None:
        row.processed_at = utcnow()
        row.payload = None
        session.add(row)


def unprocessed_updates(*, session: Session) -> list[InboundUpdate]:
    """Return updates stored but not handled (the bot stopped in between), oldest first; no dead letters."""
    return list(
        session.exec(
            select(InboundUpdate)
            .where(col(InboundUpdate.processed_at).is_(None), col(InboundUpdate.dead_at).is_(None))
            .order_by(col(InboundUpdate.update_id))
        )
    )


def record_failure(
    *, session: Session, update_id: int, now: datetime, max_attempts: int, first_pause: float, max_pause: float
) -> InboundUpdate | None:
    """Count a failed run: schedule the next try (pauses doubling from `first_pause`) or make it a dead letter."""
    row = session.get(InboundUpdate, update_id)
    if row is None or row.processed_at is not None:
        return None
    row.attempts += 1
    if row.attempts >= max_attempts:
        row.dead_at, row.next_attempt_at = now, None
    else:
        pause = min(first_pause * 2 ** (row.attempts - 1), max_pause)
        row.next_attempt_at = now + timedelta(seconds=pause)
    session.add(row)
    return row


def take_due_retries(*, session: Session, now: datetime) -> list[InboundUpdate]:
    """Return failed updates whose pause is over, marked as taken (so one is queued once), oldest first."""
    rows = list(session.exec(
        select(InboundUpdate)
        .where(col(InboundUpdate.processed_at).is_(None), col(InboundUpdate.dead_at).is_(None),
               col(InboundUpdate.next_attempt_at) <= now)
        .order_by(col(InboundUpdate.update_id))
    ))
    for row in rows:
        row.next_attempt_at = None
        session.add(row)
    return rows
