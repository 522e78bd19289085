"""The one error handler: log with the traceback, tell the resident, alert the admin chat.

The admin alert names the error type, the handler that failed and a reference number; never the error's
message, its parameters or the update (they can hold a resident's words, name or id). The full traceback
goes to the log under the same reference, where the privacy filter (bot.logsafe) redacts it.
"""

import logging
import secrets
import traceback
from pathlib import Path

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from handlers.deps import deps
from services.core.texts import t

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent
OWN = ("handlers", "services", "bot", "models", "nlp")
EDGE = "handlers.pacing."  # the rate limiter every Bot API call passes through: never the failing handler


def failing_handler(error: BaseException) -> str:
    """The innermost handler function in the traceback (module.function), else the innermost of this project."""
    frames = traceback.extract_tb(error.__traceback__)
    own = []
    for frame in frames:
        path = Path(frame.filename).resolve()
        if path.is_relative_to(ROOT) and path.relative_to(ROOT).parts[0] in OWN:
            own.append(".".join(path.relative_to(ROOT).with_suffix("").parts) + "." + frame.name)
    handlers = [name for name in own if name.startswith("handlers.") and not name.startswith(EDGE) and "<" not in name]
    return (handlers or own or [frames[-1].name if frames else "-"])[-1]


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log an unexpected error, keep the update for the next start, and tell the people concerned."""
    error = context.error
    reference = "R" + secrets.token_hex(4).upper()  # never all digits: the log filter would hide it
    where = failing_handler(error) if error is not None else "-"
    log.error("error %s in %s while handling an update", reference, where, exc_info=error)
    d = deps(context)
    if isinstance(update, Update):
        d.failed_updates.add(update.update_id)
        if update.effective_chat is not None and update.effective_chat.type == "private":
            try:
                await context.bot.send_message(update.effective_chat.id, t("error_generic"), parse_mode="HTML")
            except TelegramError:
                log.warning("could not tell the resident about error %s", reference)
    admin_chat = d.config.telegram.admin_chat_id or next(iter(d.config.telegram.admin_ids), None)
    if admin_chat is None or error is None:
        return
    alert = t("error_admin_alert", error=type(error).__name__, handler=where, reference=reference)
    try:
        await context.bot.send_message(admin_chat, alert, parse_mode="HTML")
    except TelegramError:
        log.warning("could not alert the admin chat about error %s", reference)
