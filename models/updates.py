"""Incoming Telegram updates, stored before they are acknowledged so that none is lost or run twice."""

from datetime import datetime
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
    """Return updates stored but not handled (the bot stopped in between), oldest first."""
    return list(
        session.exec(
            select(InboundUpdate)
            .where(col(InboundUpdate.processed_at).is_(None))
            .order_by(col(InboundUpdate.update_id))
        )
    )
