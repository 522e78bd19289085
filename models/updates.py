"""Incoming Telegram updates, stored before they are acknowledged so that none is lost or run twice.

An update whose handlers failed is tried again after a growing pause; after `max_attempts` it is a dead
letter (`dead_at` set): kept with its payload for an operator, never retried by itself. Payloads are
stored without names (`minimise`), shown to their sender by /data_saya and dropped by /hapus_data.
"""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import Field, Session, SQLModel, col, select

from models.types import UTCDateTime, utcnow


class InboundUpdate(SQLModel, table=True):
    """One update by its Telegram id; the payload is dropped once handled (it holds names)."""

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    chat_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True, index=True))  # claims
    payload: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    processed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    attempts: int = 0  # failed runs so far
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # None: not waiting for a retry
    dead_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # gave up: a dead letter


NAMES = ("last_name", "username")  # dropped from stored updates; first_name (required by the Bot API) blanked


def minimise(payload: Any) -> Any:
    """An update without the names Telegram sends with every user and private chat (nothing here reads them)."""
    if isinstance(payload, dict):
        kept = {k: minimise(v) for k, v in payload.items() if k not in NAMES}
        if "first_name" in kept:
            kept["first_name"] = "-"
        return kept
    if isinstance(payload, list):
        return [minimise(v) for v in payload]
    return payload


def _sender(payload: Any) -> int | None:
    """The Telegram id of the person an update comes from (message, callback, edit...), if any."""
    for value in (payload or {}).values():
        if isinstance(value, dict) and isinstance(value.get("from"), dict):
            return int(value["from"].get("id", 0)) or None
    return None


def updates_of(*, session: Session, telegram_id: int) -> list[InboundUpdate]:
    """The stored updates that still hold a payload (not yet handled, or dead letters) sent by this person."""
    rows = session.exec(select(InboundUpdate).where(col(InboundUpdate.payload).is_not(None))
                        .order_by(col(InboundUpdate.update_id))).all()
    return [row for row in rows if _sender(row.payload) == telegram_id]


def forget_updates(*, session: Session, telegram_id: int) -> int:
    """Drop the payloads of this person's stored updates (an erasure): they are never run; return how many.
    Their private chat's id (their Telegram id) goes from every stored update, handled ones too."""
    rows = updates_of(session=session, telegram_id=telegram_id)
    for row in rows:
        row.payload, row.next_attempt_at = None, None
        row.dead_at = row.dead_at or utcnow()
        session.add(row)
    session.execute(update(InboundUpdate).where(col(InboundUpdate.chat_id) == telegram_id).values(chat_id=None))
    session.flush()
    return len(rows)


def store_update(*, session: Session, update_id: int, payload: dict[str, Any], chat_id: int | None = None) -> bool:
    """Store an update (without names) the first time it is seen; return False for a repeat. On PostgreSQL the
    insert is `ON CONFLICT (update_id) DO NOTHING`: two copies receiving the same retry at once both answer 200."""
    if session.get_bind().dialect.name == "postgresql":
        result = session.execute(pg_insert(InboundUpdate).values(
            update_id=update_id, chat_id=chat_id, payload=minimise(payload), received_at=utcnow(), attempts=0,
        ).on_conflict_do_nothing(index_elements=["update_id"]).returning(col(InboundUpdate.update_id)))
        return result.first() is not None
    if session.get(InboundUpdate, update_id) is not None:
        return False
    session.add(InboundUpdate(update_id=update_id, chat_id=chat_id, payload=minimise(payload)))
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
