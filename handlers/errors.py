"""The one error handler: log with the traceback, tell the resident, alert the admin chat."""

import html
import logging
import traceback

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from handlers.deps import deps
from services.texts import t

log = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log an unexpected error, keep the update for the next start, and tell the people concerned."""
    error = context.error
    log.error("error while handling an update", exc_info=error)
    d = deps(context)
    if isinstance(update, Update):
        d.failed_updates.add(update.update_id)
        if update.effective_chat is not None and update.effective_chat.type == "private":
            try:
                await context.bot.send_message(update.effective_chat.id, t("error_generic"), parse_mode="HTML")
            except TelegramError:
                log.warning("could not tell the resident about the error")
    admin_chat = d.config.telegram.admin_chat_id or next(iter(d.config.telegram.admin_ids), None)
    if admin_chat is None or error is None:
        return
    trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))[-3000:]
    try:
        await context.bot.send_message(admin_chat, f"⚠️ <pre>{html.escape(trace)}</pre>", parse_mode="HTML")
    except TelegramError:
        log.warning("could not alert the admin chat %s", admin_chat)
