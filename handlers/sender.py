"""Turn outbox rows into Bot API calls, record each outcome by error kind, and send a reply right away.

Exactly once: a row is claimed (compare-and-set `pending` -> `sending`) before its call, so two senders never
send it twice. The honest at-least-once window: if the process dies after Telegram accepted a message and
before the database recorded it (or a TimedOut hides an accepted call), the row is sent again: at the next
start (rows left `sending` are released, as only one bot process runs at a time), or by another sender once
its lease (`outbox.lease_seconds`) has expired.
"""

import asyncio
import logging
from datetime import datetime, timedelta
from html import escape as html_escape
from html import unescape as html_unescape
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session
from telegram import Bot, InlineKeyboardMarkup, ReplyParameters
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from handlers.pacing import OutboxCall, SendingStopped
from models.db import AMBIENT, session_scope
from models.outbox import (
    OutboxBase,
    OutboxMessage,
    OutboxMethod,
    OutboxState,
    claim,
    enqueue,
    release_claim,
    stop_chat,
)
from models.residents import Resident
from models.types import utcnow
from services.core.config import OutboxConfig
from services.core.tg_html import CAPTION_LIMIT, MESSAGE_LIMIT, split_html, truncate_html
from services.privacy.outbox_files import delivered_payload, local_photo, remove_if_unneeded

OWN_KEYS = "aspirasi_"  # payload keys the outbox keeps for itself (services/answers/staffchat.py), never sent

log = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 300.0
DONE = (OutboxState.SENT, OutboxState.FAILED, OutboxState.BLOCKED)


async def send_row(bot: Bot, row: OutboxMessage, call: OutboxCall | None = None) -> int:
    """Make the Bot API call an outbox row describes; return the sent (or edited) message's id.

    Within Telegram's limits: a text longer than one message goes out in parts cut at section and line
    boundaries (the keyboard on the last part, whose id is returned); a caption or an edit is shortened.
    The outbox worker passes its `call`: the rate limiter then keeps the per-chat limit too (handlers.pacing).
    """
    payload: dict[str, Any] = {k: v for k, v in row.payload.items() if not k.startswith(OWN_KEYS)}
    paced: dict[str, Any] = {} if call is None else {"rate_limit_args": call}
    payload.update(paced)
    if markup := payload.pop("reply_markup", None):
        payload["reply_markup"] = InlineKeyboardMarkup.de_json(markup, bot)
    if parameters := payload.pop("reply_parameters", None):
        payload["reply_parameters"] = ReplyParameters.de_json(parameters, bot)
    html = str(payload.get("parse_mode") or "").upper() == "HTML"
    if row.method == OutboxMethod.SEND_PHOTO:
        if html and payload.get("caption"):
            payload["caption"] = truncate_html(str(payload["caption"]), CAPTION_LIMIT)
        return (await bot.send_photo(chat_id=row.chat_id, **payload)).message_id
    if row.method == OutboxMethod.COPY_MESSAGE:
        return (await bot.copy_message(chat_id=row.chat_id, **payload)).message_id
    if row.method == OutboxMethod.DELETE_MESSAGE:
        await bot.delete_message(chat_id=row.chat_id, message_id=int(payload["message_id"]), **paced)
        return int(payload["message_id"])
    if row.method == OutboxMethod.EDIT_MESSAGE_TEXT:
        if html:
            payload["text"] = truncate_html(str(payload["text"]), MESSAGE_LIMIT)
        await bot.edit_message_text(chat_id=row.chat_id, **payload)
        return int(payload["message_id"])
    return await _send_pages(bot, row.chat_id, payload, html)


async def _send_pages(bot: Bot, chat_id: int, payload: dict[str, Any], html: bool) -> int:
    """Send a text message, in several parts when it is longer than Telegram takes; return the last id."""
    text = str(payload.pop("text"))
    pages = split_html(text if html else html_escape(text, quote=False))
    if not html:
        pages = [html_unescape(page) for page in pages]  # cut like HTML (by UTF-16 units), sent as plain text
    markup = payload.pop("reply_markup", None)
    message_id = 0
    for number, page in enumerate(pages or [text], 1):
        last = number == len(pages)
        try:
            message_id = (await bot.send_message(chat_id=chat_id, text=page, reply_markup=markup if last else None,
                                                 **payload)).message_id
        except SendingStopped as stopped:
            stopped.partly = number > 1  # earlier parts went out: the row is left for the next sender
            raise
        payload.pop("reply_parameters", None)  # only the first part answers the message replied to
    return message_id


def _blocked(session: Any, row: OutboxMessage, error: Exception) -> None:
    """The recipient blocked the bot: stop every message to them and mark the resident inactive."""
    row.state, row.error = OutboxState.BLOCKED, str(error)
    stop_chat(session=session, chat_id=row.chat_id, reason=str(error))
    resident = session.get(Resident, row.resident_id) if row.resident_id else None
    if resident is not None:
        resident.active = False
        session.add(resident)
    log.warning("outbox message %s (%s): the recipient blocked the bot or is gone", row.id, row.purpose)


def _retry_later(row: OutboxMessage, error: Exception, max_attempts: int) -> float | None:
    """Schedule another try (RetryAfter: as told; else exponential backoff) or give up; return a pause."""
    if isinstance(error, RetryAfter):
        delay = error.retry_after
        seconds = delay.total_seconds() if isinstance(delay, timedelta) else float(delay)
        row.attempts = max(0, row.attempts - 1)  # flood control is not the message's fault
        _later(row, error, seconds)
        return seconds
    if row.attempts >= max_attempts:
        row.state, row.error = OutboxState.FAILED, str(error)
        log.error("gave up on outbox message %s (%s) after %d attempts: %s", row.id, row.purpose, row.attempts, error)
        return None
    _later(row, error, min(2.0 ** row.attempts, MAX_BACKOFF_SECONDS))
    return None


def _later(row: OutboxMessage, error: Exception, seconds: float) -> None:
    """Put a row back in the queue, due after a delay."""
    row.state, row.next_attempt_at, row.error = OutboxState.PENDING, utcnow() + timedelta(seconds=seconds), str(error)


def record_result(
    engine: Engine, row_id: int, *, message_id: int | None, error: Exception | None, max_attempts: int = 8
) -> float | None:
    """Store the outcome of one send: sent, retry later, blocked or dropped; return seconds to pause all sends."""
    with session_scope(engine) as session:
        row = session.get(OutboxMessage, row_id)
        if row is None or row.state != OutboxState.SENDING:
            return None
        row.claimed_at, pause = None, None
        if error is None or (isinstance(error, BadRequest) and "not modified" in str(error).lower()):
            row.state, row.telegram_message_id, row.sent_at = OutboxState.SENT, message_id, utcnow()
        elif isinstance(error, Forbidden):
            _blocked(session, row, error)
        elif isinstance(error, BadRequest):
            row.state, row.error = OutboxState.FAILED, str(error)
            log.error("dropped outbox message %s (%s): %s", row.id, row.purpose, error)
        else:
            pause = _retry_later(row, error, max_attempts)
        if row.state in DONE:
            _forget(session, row)
        session.add(row)
        return pause


def _forget(session: Any, row: OutboxMessage) -> None:
    """Cut a delivered (or given-up) row's payload down to what later steps read; delete its chart file."""
    photo = local_photo(row.payload) if row.method == OutboxMethod.SEND_PHOTO else None
    row.payload = delivered_payload(row)
    session.add(row)
    session.flush()
    if photo is not None:
        remove_if_unneeded(session, photo, row.id)


def claim_row(engine: Engine, row_id: int, lease_seconds: float) -> OutboxMessage | None:
    """Take a row for sending in its own transaction; None when another sender has it."""
    now = utcnow()
    with session_scope(engine) as session:
        return claim(session=session, row_id=row_id, now=now, stale_before=now - timedelta(seconds=lease_seconds))


def give_back(engine: Engine, row_id: int, claimed_at: datetime | None) -> None:
    """Return a claimed row that was never sent to the queue (the worker stopped before its call)."""
    with session_scope(engine) as session:
        release_claim(session=session, row_id=row_id, claimed_at=claimed_at)


def _queue_only(engine: Engine, message: OutboxBase) -> None:
    """Queue a message for the sender (a repeat of its dedupe key queues nothing)."""
    with session_scope(engine) as session:
        enqueue(session=session, message=message)


def queue_and_claim(session: Session, message: OutboxBase, config: OutboxConfig | None = None
                    ) -> OutboxMessage | None:
    """Queue the message and claim it in the session's transaction, for `send_claimed` after the commit; None if
    it was sent or is being sent. Inside a cluster copy's update transaction it is only queued: it commits with
    the update, and the elected sender sends it (a send before the commit could not be taken back if the copy
    died)."""
    row, _ = enqueue(session=session, message=message)
    if AMBIENT.get() is not None:
        return None
    assert row.id is not None
    now = utcnow()
    lease = (config or OutboxConfig()).lease_seconds
    return claim(session=session, row_id=row.id, now=now, stale_before=now - timedelta(seconds=lease))


def _queue_and_claim(engine: Engine, message: OutboxBase, config: OutboxConfig) -> OutboxMessage | None:
    """`queue_and_claim` in a transaction of its own."""
    with session_scope(engine) as session:
        return queue_and_claim(session, message, config)


async def deliver_now(
    bot: Bot, engine: Engine, message: OutboxBase, config: OutboxConfig | None = None
) -> int | None:
    """Send a message once: queue and claim it, send it now, record the result; a repeat sends nothing (see
    `queue_and_claim`)."""
    limits = config or OutboxConfig()
    if AMBIENT.get() is not None:
        await asyncio.to_thread(_queue_only, engine, message)
        return None
    row = await asyncio.to_thread(_queue_and_claim, engine, message, limits)
    return await send_claimed(bot, engine, row, limits)


async def send_claimed(bot: Bot, engine: Engine, row: OutboxMessage | None, config: OutboxConfig | None = None
                       ) -> int | None:
    """Send a row claimed by `queue_and_claim` (nothing for None) and record the result; the sent message's id."""
    limits = config or OutboxConfig()
    if row is None or row.id is None:
        return None
    try:
        message_id = await send_row(bot, row)
    except Exception as exc:  # recorded by kind (see record_result); the worker retries what may be retried
        await asyncio.to_thread(record_result, engine, row.id, message_id=None, error=exc,
                                max_attempts=limits.max_attempts)
        if not isinstance(exc, TelegramError):
            raise  # a bug, not Telegram: let the error handler report it
        return None
    await asyncio.to_thread(record_result, engine, row.id, message_id=message_id, error=None)
    return message_id
