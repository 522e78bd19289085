"""Checks that run before any handler: messages in a chat's name, edits, banned residents."""

from sqlmodel import Session
from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from handlers.common import reply, run_db
from handlers.deps import deps
from models.residents import find_resident
from services.textcheck import is_usul
from services.texts import t


async def refuse_banned(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop every update from a banned resident with one polite message; a message from one who had
    blocked the bot shows they are back, so they are reachable again (answers reach them)."""
    user = update.effective_user
    if user is None:
        return
    private = update.effective_chat is not None and update.effective_chat.type == "private"

    def _banned(session: Session) -> bool:
        resident = find_resident(session=session, telegram_id=user.id)
        if resident is not None and private and not resident.active and not resident.banned:
            resident.active = True
            session.add(resident)
        return resident is not None and resident.banned

    if await run_db(context, _banned):
        if update.effective_chat is not None and update.effective_chat.type == "private":
            await reply(update, context, "banned", t("banned"))
        raise ApplicationHandlerStop


async def screen_messages(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop messages sent in a group's or channel's name (anonymous admins: no resident behind them) and
    edits that would run something again; an edited aspiration text goes on to `intake.edited`."""
    message = update.message or update.edited_message
    if message is None:
        return
    if message.sender_chat is not None:
        if not message.is_automatic_forward:  # a channel post mirrored into its discussion group: no one asked
            await reply(update, context, "anonymous", t("anonymous_refused"))
        raise ApplicationHandlerStop
    if update.edited_message is None:
        return
    text = message.text or message.caption or ""
    command = text.startswith("/") and not is_usul(text)
    if message.chat.type == "private" and not command:
        return
    if message.chat.type != "private" and is_usul(text):
        return
    if command or message.chat_id == deps(context).config.telegram.staff_chat_id:  # an edited answer: say so
        await reply(update, context, "edited_command", t("edited_command"))
    raise ApplicationHandlerStop
