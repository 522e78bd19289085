"""Residents answering back: a reply to a staff answer or status message goes to the staff chat.

Any other reply is an ordinary message and goes on to intake as an aspiration draft.
"""

from sqlmodel import Session
from telegram import Update
from telegram.ext import ContextTypes

from handlers import intake, satisfaction
from handlers.common import reply, run_db
from handlers.deps import deps
from handlers.outbox_worker import wake_outbox
from models.residents import find_resident
from services.answers.followups import Followup, record_followup
from services.answers.staff_answers import AnswerError
from services.core.texts import t


async def resident_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send a resident's reply to an answer or status message to staff; anything else is a draft."""
    message, user = update.effective_message, update.effective_user
    replied = message.reply_to_message if message is not None else None
    if replied is not None and await satisfaction.comment_reply(update, context):
        return None
    if message is None or user is None or replied is None or replied.from_user is None \
            or replied.from_user.id != context.bot.id or deps(context).config.telegram.staff_chat_id is None:
        return await intake.text_message(update, context)
    text = message.text or message.caption or ""
    photo_id = message.message_id if message.photo else None
    config = deps(context).config

    def _record(session: Session) -> Followup | None:
        followup = record_followup(session=session, config=config, telegram_id=user.id,
                                   replied_to=replied.message_id, text=text,
                                   source_key=f"tg:{message.chat.id}:{message.message_id}",
                                   photo_message_id=photo_id)
        resident = find_resident(session=session, telegram_id=user.id)
        if followup is not None and resident is not None and not resident.active:
            resident.active = True  # they are talking to us again, so they no longer block the bot
            session.add(resident)
        return followup

    try:
        followup = await run_db(context, _record)
    except AnswerError as exc:
        await reply(update, context, "followup", t(exc.key, **exc.values))
        return
    if followup is None:
        return await intake.text_message(update, context)
    wake_outbox(context)
    await reply(update, context, "followup", t("followup_received", code=followup.code))
