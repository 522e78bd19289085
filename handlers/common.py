"""Small helpers every handler uses: database work off the event loop, and durable replies."""

import asyncio
from collections.abc import Callable
from typing import TypeVar

from sqlmodel import Session
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from handlers.deps import deps
from handlers.sender import deliver_now
from models.db import session_scope
from models.outbox import OutboxBase, OutboxPurpose
from services.core import payloads

T = TypeVar("T")


async def run_db(context: ContextTypes.DEFAULT_TYPE, work: Callable[[Session], T]) -> T:
    """Run database work in one transaction on a worker thread."""
    engine = deps(context).engine

    def _run() -> T:
        with session_scope(engine) as session:
            return work(session)

    return await asyncio.to_thread(_run)


async def reply(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    key: str,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    chat_id: int | None = None,
    resident_id: int | None = None,
) -> int | None:
    """Send a reply through the outbox, once per update and key, even if the update is handled again."""
    message = reply_message(update, key, text, markup, chat_id=chat_id, resident_id=resident_id)
    return await deliver_now(context.bot, deps(context).engine, message)


def reply_message(
    update: Update,
    key: str,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    chat_id: int | None = None,
    resident_id: int | None = None,
) -> OutboxBase:
    """The outbox message of a reply (`reply` sends it; a handler may queue it in its own transaction)."""
    if chat_id is None:  # the update's own chat
        assert update.effective_chat is not None
        chat_id = update.effective_chat.id
    payload = payloads.message(text, **({} if markup is None else {"reply_markup": markup.to_dict()}))
    incoming = update.effective_message
    if incoming is not None and incoming.is_topic_message and incoming.chat_id == chat_id:
        payload["message_thread_id"] = incoming.message_thread_id  # stay in the forum topic, not General
    return OutboxBase(
        dedupe_key=f"u{update.update_id}:{key}",
        chat_id=chat_id,
        payload=payload,
        resident_id=resident_id,
        purpose=OutboxPurpose.REPLY,
    )
