"""The persistent outbox: every message to a chat is written here first, then sent exactly once."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index
from sqlmodel import Field, Session, SQLModel, col, select

from models.types import UTCDateTime, utcnow


class OutboxState(StrEnum):
    """Delivery state of one outgoing message."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after retries or a malformed request
    BLOCKED = "blocked"  # the recipient blocked the bot


class OutboxBase(SQLModel):
    """What to send, to whom, and why."""

    dedupe_key: str = Field(max_length=200, unique=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    method: str = Field(default="send_message", max_length=32)  # send_message | send_photo | copy_message
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    resident_id: int | None = Field(default=None, foreign_key="resident.id", ondelete="SET NULL")
    cluster_id: int | None = Field(default=None, foreign_key="cluster.id")
    purpose: str = Field(default="reply", max_length=32)  # reply | answer | status | digest | ...


class OutboxMessage(OutboxBase, table=True):
    """A queued message; `telegram_message_id` links replies to the cluster or resident."""

    __table_args__ = (
        Index("ix_outbox_pending", "state", "next_attempt_at"),
        Index("ix_outbox_sent_message", "chat_id", "telegram_message_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    state: str = Field(default=OutboxState.PENDING, max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    telegram_message_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    error: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


def enqueue(*, session: Session, message: OutboxBase) -> tuple[OutboxMessage, bool]:
    """Queue a message once per dedupe key; return the row and whether it is new."""
    existing = session.exec(
        select(OutboxMessage).where(OutboxMessage.dedupe_key == message.dedupe_key)
    ).first()
    if existing is not None:
        return existing, False
    row = OutboxMessage.model_validate(message)
    session.add(row)
    session.flush()
    return row, True


def due_messages(*, session: Session, now: datetime, limit: int) -> list[OutboxMessage]:
    """Return pending messages whose time has come, oldest first."""
    return list(
        session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.state == OutboxState.PENDING, col(OutboxMessage.next_attempt_at) <= now)
            .order_by(col(OutboxMessage.id))
            .limit(limit)
        )
    )


def find_sent(*, session: Session, chat_id: int, message_id: int) -> OutboxMessage | None:
    """Return the outbox row of a message the bot sent, found by its chat and Telegram id."""
    return session.exec(
        select(OutboxMessage).where(
            OutboxMessage.chat_id == chat_id, OutboxMessage.telegram_message_id == message_id
        )
    ).first()
