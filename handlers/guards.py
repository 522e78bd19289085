"""Checks that run before any handler (group -1): banned residents, chats the bot does not serve."""

from sqlmodel import Session
from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from handlers.common import reply, run_db
from models.residents import find_resident
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
