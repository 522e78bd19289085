"""Turn outbox rows into Bot API calls, and send a reply through the outbox right away."""

import asyncio
import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine
from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from models.db import session_scope
from models.outbox import OutboxBase, OutboxMessage, OutboxState, enqueue
from models.residents import Resident
from models.types import utcnow

log = logging.getLogger(__name__)


async def send_row(bot: Bot, row: OutboxMessage) -> int:
    """Make the Bot API call an outbox row describes; return the sent message's id."""
    payload: dict[str, Any] = dict(row.payload)
    markup = payload.pop("reply_markup", None)
    if markup:
        payload["reply_markup"] = InlineKeyboardMarkup.de_json(markup, bot)
    if row.method == "send_photo":
        return (await bot.send_photo(chat_id=row.chat_id, **payload)).message_id
    if row.method == "copy_message":
        return (await bot.copy_message(chat_id=row.chat_id, **payload)).message_id
    return (await bot.send_message(chat_id=row.chat_id, **payload)).message_id


def _claim(engine: Engine, message: OutboxBase) -> OutboxMessage | None:
    """Queue the message; return it if it still has to be sent."""
    with session_scope(engine) as session:
        row, _ = enqueue(session=session, message=message)
        return row if row.state == OutboxState.PENDING else None


def record_result(engine: Engine, row_id: int, *, message_id: int | None, error: Exception | None) -> None:
    """Store the outcome of one send: sent, retry later, blocked or dropped."""
    with session_scope(engine) as session:
        row = session.get(OutboxMessage, row_id)
        if row is None:
            return
        row.attempts += 1
        if error is None:
            row.state, row.telegram_message_id, row.sent_at = OutboxState.SENT, message_id, utcnow()
        elif isinstance(error, Forbidden):
            row.state, row.error = OutboxState.BLOCKED, str(error)
            resident = session.get(Resident, row.resident_id) if row.resident_id else None
            if resident is not None:
                resident.active = False
                session.add(resident)
        elif isinstance(error, BadRequest):
            row.state, row.error = OutboxState.FAILED, str(error)
            log.error("dropped outbox message %s (%s): %s payload=%s", row.id, row.purpose, error, row.payload)
        else:
            delay = error.retry_after if isinstance(error, RetryAfter) else 2 ** min(row.attempts, 8)
            seconds = delay.total_seconds() if isinstance(delay, timedelta) else float(delay)
            row.next_attempt_at, row.error = utcnow() + timedelta(seconds=seconds), str(error)
        session.add(row)


async def deliver_now(bot: Bot, engine: Engine, message: OutboxBase) -> int | None:
    """Send a message once: queue it, send it now, record the result; a repeat sends nothing."""
    row = await asyncio.to_thread(_claim, engine, message)
    if row is None or row.id is None:
        return None
    try:
        message_id = await send_row(bot, row)
    except (Forbidden, BadRequest, RetryAfter, TimedOut, NetworkError) as exc:
        await asyncio.to_thread(record_result, engine, row.id, message_id=None, error=exc)
        return None
    await asyncio.to_thread(record_result, engine, row.id, message_id=message_id, error=None)
    return message_id
