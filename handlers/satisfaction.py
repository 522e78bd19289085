"""Residents close the loop: Sudah / Belum / Sebagian on "is it solved?", a comment in reply, 👍/👎 on an answer."""

import asyncio

from sqlmodel import Session
from telegram import Update
from telegram.ext import ContextTypes

from handlers.common import reply, run_db
from handlers.deps import deps
from handlers.digests import clock
from handlers.outbox_worker import wake_outbox
from models.db import session_scope
from services.answers.satisfaction import Answered, record_answer, record_comment, record_rating, release_due
from services.answers.satisfaction_keys import verdict_label
from services.core import callbacks
from services.core.texts import t


async def solved_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Record the resident's answer (callbacks.solved); a "Belum" majority reopens the cluster."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    verdict, cluster_id = callbacks.matched(callbacks.SOLVED_PATTERN, query.data)
    config, now = deps(context).config, clock(context.bot_data)

    def _record(session: Session) -> Answered | None:
        return record_answer(session=session, config=config, telegram_id=user.id, cluster_id=int(cluster_id),
                             verdict=verdict, now=now)

    answered = await run_db(context, _record)
    if answered is None:
        await query.answer(t("satisfaction_unknown"), show_alert=True)
        return
    await query.answer()
    if answered.reopened:
        wake_outbox(context)
    await reply(update, context, "satisfaction", t("satisfaction_thanks", code=answered.code,
                                                   verdict=verdict_label(answered.verdict)), chat_id=user.id)


async def rating_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Record a 👍/👎 on a staff answer (callbacks.rating), once per resident and cluster."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    value, reply_id = callbacks.matched(callbacks.RATING_PATTERN, query.data)
    now = clock(context.bot_data)
    code = await run_db(context, lambda s: record_rating(session=s, telegram_id=user.id, reply_id=int(reply_id),
                                                         up=value == callbacks.RATE_UP, now=now))
    if code is None:
        await query.answer(t("rating_unknown"), show_alert=True)
        return
    await query.answer(t("rating_thanks", code=code))


async def comment_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Store a reply to the question as the resident's comment; False when it replies to something else."""
    message, user = update.effective_message, update.effective_user
    replied = message.reply_to_message if message is not None else None
    if message is None or user is None or replied is None or not (message.text or "").strip():
        return False
    text = message.text or ""
    code = await run_db(context, lambda s: record_comment(session=s, telegram_id=user.id,
                                                          replied_to=replied.message_id, text=text))
    if code is None:
        return False
    await reply(update, context, "satisfaction", t("satisfaction_comment_saved", code=code))
    return True


async def release_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Queue the questions that are due (none in quiet hours: they wait for the morning)."""
    d = deps(context)
    now = clock(context.bot_data)

    def _release() -> int:
        with session_scope(d.engine) as session:
            return release_due(session=session, config=d.config, now=now)

    if await asyncio.to_thread(_release):
        wake_outbox(context)
