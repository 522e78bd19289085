"""Checks that run before any handler: messages in a chat's name, edits, staff actions, banned residents."""

from sqlmodel import Session
from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from handlers.access import STAFF_COMMANDS, command_of
from handlers.common import reply, run_db
from handlers.deps import deps
from models.audit import record
from models.residents import find_resident
from services.access.roles import is_staff_chat, is_staff_member
from services.answers.followups import staff_target
from services.core import callbacks
from services.core.texts import t
from services.intake.textcheck import is_usul


async def screen_buttons(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop a button whose data the bot never made (forged, damaged, an id too big for the database) with a
    pop-up, before any handler or query sees it."""
    query = update.callback_query
    if query is None or callbacks.valid(query.data):
        return
    await query.answer(t("button_invalid"), show_alert=True)
    raise ApplicationHandlerStop


RIGHTS_COMMANDS = frozenset({"data_saya", "hapus_data"})  # a ban does not end a resident's data rights
RIGHTS_BUTTONS = (callbacks.ERASE, callbacks.KEEP)


def exercises_rights(update: Update) -> bool:
    """Tell whether an update asks for the resident's own data or its erasure (allowed even when banned)."""
    query = update.callback_query
    if query is not None:
        return query.data in RIGHTS_BUTTONS
    return command_of(update) in RIGHTS_COMMANDS


async def refuse_banned(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop every update from a banned resident with one polite message, except /data_saya and /hapus_data
    (UU PDP rights do not end with a ban); a message from one who had blocked the bot shows they are back, so
    they are reachable again (answers reach them)."""
    user = update.effective_user
    if user is None or exercises_rights(update):
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


async def require_staff(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop a staff action (a staff command, a status button, a reply to a cluster's message in the staff chat)
    from outside the staff chat, or from a member of it not in telegram.staff_ids (that refusal is audited)."""
    what = staff_action(update, context)
    if what is None:
        return
    config, chat, user = deps(context).config, update.effective_chat, update.effective_user
    if chat is None or not is_staff_chat(config, chat.id):
        key = "staff_only"
    elif user is not None and is_staff_member(config, user.id):
        return
    elif what == "reply" and not await _answers_staff_card(update, context):
        return  # staff talking among themselves, or a reply to another bot message
    else:
        key = "staff_not_listed"
        await run_db(context, lambda s: record(session=s, actor=f"user:{user.id if user else '-'}",
                                               action="staff_refused", target=f"staff:{what}"))
    if update.callback_query is not None:
        await update.callback_query.answer(t(key), show_alert=True)
    else:
        await reply(update, context, key, t(key))
    raise ApplicationHandlerStop


def staff_action(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """The staff action an update asks for: a staff command's name, "st" (a status button), "reply" (a text
    reply to one of the bot's messages in the staff chat), or None."""
    query = update.callback_query
    if query is not None:
        return callbacks.STATUS_PREFIX.rstrip(":") if (query.data or "").startswith(callbacks.STATUS_PREFIX) else None
    command = command_of(update)
    if command is not None:
        return command if command in STAFF_COMMANDS else None
    message, staff_chat = update.message, deps(context).config.telegram.staff_chat_id
    if message is None or message.chat_id != staff_chat or not message.text or message.reply_to_message is None:
        return None
    author = message.reply_to_message.from_user
    return "reply" if author is not None and author.id == context.bot.id else None


async def _answers_staff_card(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Whether a reply in the staff chat points at a cluster's message or a resident's follow-up."""
    message, config = update.message, deps(context).config
    assert message is not None and message.reply_to_message is not None
    replied = message.reply_to_message.message_id
    return await run_db(context, lambda s: staff_target(session=s, config=config, message_id=replied)) is not None
