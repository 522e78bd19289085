"""Aspirations posted in a forum's Telegram group with /usul <teks> (works with privacy mode on) or #usul."""

from sqlmodel import Session
from telegram import Update
from telegram.ext import ContextTypes

from handlers.common import reply, run_db
from handlers.deps import deps
from handlers.intake import admitted, show_draft, tell_draft_limit
from models.proposals import Proposal
from models.residents import Resident, find_resident
from services.core.texts import t
from services.intake import drafts as intake
from services.intake.drafts import IntakeError
from services.intake.textcheck import check_text, usul_text, visible_text


def forum_group(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> bool:
    """Tell whether a chat is the Telegram group of a configured forum."""
    return any(forum.chat_id == chat_id for forum in deps(context).config.forums)


async def usul(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Store the author's aspiration, acknowledge in the group and confirm in private."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    d = deps(context)
    if not forum_group(context, message.chat_id):
        await reply(update, context, "usul_not_forum", t("group_usul_not_forum"))
        return
    text = usul_text(message.text or "")
    limits = d.config.limits
    if check_text(text, max_chars=limits.max_text_chars, min_chars=limits.min_text_chars) is not None:
        await reply(update, context, "usul_empty", t("group_usul_empty"))
        return

    link = f"https://t.me/{context.bot.username}?start=usul"
    try:
        if await admitted(context, user.id, message.chat_id, message.message_id) is None:
            await reply(update, context, "group_start", t("group_start_private", link=link))  # nothing kept yet
            return
        async with d.grouping.batcher.turn(visible_text(text)) as prepared:  # micro-batched, kept in arrival order

            def _save(session: Session) -> tuple[Resident, Proposal]:
                resident = find_resident(session=session, telegram_id=user.id)
                assert resident is not None  # admitted above; residents are never deleted, only emptied
                draft, _ = intake.save_draft(session=session, grouping=d.grouping, resident=resident,
                                             source_chat_id=message.chat_id, source_message_id=message.message_id,
                                             text=text, prepared=prepared, drafts_per_hour=limits.drafts_per_hour)
                return resident, draft

            resident, draft = await run_db(context, _save)
    except IntakeError as exc:
        await tell_draft_limit(update, context, exc)
        return
    if resident.kelurahan is None:
        await reply(update, context, "group_start", t("group_start_private", link=link))
        return
    await reply(update, context, "group_ack", t("group_ack"))
    await show_draft(update, context, draft, chat_id=user.id)

