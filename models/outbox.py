"""The persistent outbox: every message to a chat is written here first, then sent exactly once."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, and_, exists, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import Field, Session, SQLModel, col, select

from models.types import EnumText, UTCDateTime, utcnow


class OutboxState(StrEnum):
    """Delivery state of one outgoing message."""

    PENDING = "pending"
    SENDING = "sending"  # claimed by one sender; re-sent only after its lease expires (a crash)
    SENT = "sent"
    FAILED = "failed"  # gave up after retries or a malformed request
    BLOCKED = "blocked"  # the recipient blocked the bot


class OutboxMethod(StrEnum):
    """The Bot API call that delivers a row (handlers/sender.py)."""

    SEND_MESSAGE = "send_message"
    SEND_PHOTO = "send_photo"  # the payload names a local chart file
    COPY_MESSAGE = "copy_message"
    EDIT_MESSAGE_TEXT = "edit_message_text"  # a staff card kept up to date
    DELETE_MESSAGE = "delete_message"  # a message carrying erased words (Telegram allows it for 48 hours)


class OutboxPurpose(StrEnum):
    """Why a message was queued: logged by the sender, and how a reply to it is routed
    (services/answers/followups.py)."""

    REPLY = "reply"  # the answer to the update being handled
    ANSWER = "answer"  # a staff answer to every resident of a cluster
    ANSWER_ONE = "answer_one"  # a staff answer to one resident's follow-up
    STATUS = "status"  # a status change told to residents
    MODERATION = "moderation"  # a moderator's decision told to residents
    DIGEST = "digest"  # a digest for a forum's moderators or the staff chat
    STAFF_CLUSTER = "staff_cluster"  # a cluster's message in the staff chat (replying to it answers the cluster)
    STAFF_EDIT = "staff_edit"  # an edit of such a message after a status change
    FOLLOWUP = "followup"  # a resident's follow-up shown to staff (replying to it answers that resident)
    OVERDUE = "overdue"  # the daily overdue list
    ALERT = "alert"  # to the admin chat (an update given up as a dead letter)
    ERASURE = "erasure"  # a message carrying an erased resident's words, edited or deleted
    SATISFACTION = "satisfaction"  # "is the problem solved?" to a resident (a reply to it is their comment)
    ATTACHMENT = "attachment"  # a resident's photo or the pins of a cluster, sent to staff or a moderator on request


class OutboxBase(SQLModel):
    """What to send, to whom, and why."""

    dedupe_key: str = Field(max_length=200, unique=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    method: OutboxMethod = Field(default=OutboxMethod.SEND_MESSAGE, sa_type=EnumText(OutboxMethod, 32))
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    resident_id: int | None = Field(default=None, foreign_key="resident.id", ondelete="SET NULL")
    cluster_id: int | None = Field(default=None, foreign_key="cluster.id")
    purpose: OutboxPurpose = Field(default=OutboxPurpose.REPLY, sa_type=EnumText(OutboxPurpose, 32))


class OutboxMessage(OutboxBase, table=True):
    """A queued message; `telegram_message_id` links replies to the cluster or resident."""

    __table_args__ = (
        Index("ix_outbox_pending", "state", "next_attempt_at"),
        Index("ix_outbox_sent_message", "chat_id", "telegram_message_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    state: OutboxState = Field(default=OutboxState.PENDING, sa_type=EnumText(OutboxState, 16))
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    telegram_message_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    uncertain: bool = False  # was being sent when its sender died: sent again, maybe a second time (counted)


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


def _sendable(now: datetime, stale_before: datetime) -> Any:
    """Pending and due, or claimed by a sender whose lease ran out."""
    return or_(
        and_(col(OutboxMessage.state) == OutboxState.PENDING, col(OutboxMessage.next_attempt_at) <= now),
        and_(col(OutboxMessage.state) == OutboxState.SENDING, col(OutboxMessage.claimed_at) < stale_before),
    )


def due_messages(
    *, session: Session, now: datetime, limit: int, stale_before: datetime | None = None
) -> list[OutboxMessage]:
    """Return sendable messages, oldest first, at most one per chat and only if no older one waits there."""
    earlier = aliased(OutboxMessage)
    waiting = exists().where(
        col(earlier.chat_id) == col(OutboxMessage.chat_id),
        col(earlier.id) < col(OutboxMessage.id),
        col(earlier.state).in_([OutboxState.PENDING, OutboxState.SENDING]),
    )
    return list(
        session.exec(
            select(OutboxMessage)
            .where(_sendable(now, stale_before or now), ~waiting)
            .order_by(col(OutboxMessage.id))
            .limit(limit)
        )
    )


def claim(*, session: Session, row_id: int, now: datetime, stale_before: datetime) -> OutboxMessage | None:
    """Atomically take a row for sending (compare-and-set to `sending`); None if another sender has it."""
    result = session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == row_id, _sendable(now, stale_before))
        .values(state=OutboxState.SENDING, claimed_at=now, attempts=col(OutboxMessage.attempts) + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return None
    return session.get(OutboxMessage, row_id, populate_existing=True)


def stop_chat(*, session: Session, chat_id: int, reason: str) -> int:
    """Mark every unsent message to a chat as blocked (the recipient blocked the bot); return how many."""
    result = session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.chat_id) == chat_id, col(OutboxMessage.state) == OutboxState.PENDING)
        .values(state=OutboxState.BLOCKED, error=reason)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)


def find_sent(*, session: Session, chat_id: int, message_id: int) -> OutboxMessage | None:
    """Return the outbox row of a message the bot sent, found by its chat and Telegram id."""
    return session.exec(
        select(OutboxMessage).where(
            OutboxMessage.chat_id == chat_id, OutboxMessage.telegram_message_id == message_id
        )
    ).first()


def release_claims(*, session: Session) -> int:
    """At start (one bot process at a time): rows a crashed run left `sending` become pending again."""
    result = session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.state) == OutboxState.SENDING)
        .values(state=OutboxState.PENDING, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)


def release_claim(*, session: Session, row_id: int, claimed_at: datetime | None) -> bool:
    """A sender gives back a row it claimed but never sent; False when the row is no longer its claim (a new
    sender flagged it uncertain or claimed it since)."""
    result = session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == row_id, col(OutboxMessage.state) == OutboxState.SENDING,
               col(OutboxMessage.claimed_at) == claimed_at)
        .values(state=OutboxState.PENDING, claimed_at=None, attempts=col(OutboxMessage.attempts) - 1)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)
