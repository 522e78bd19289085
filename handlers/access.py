"""Roles: a guard that stops moderator and admin commands from anyone else, and command menus per role."""

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    Update,
)
from telegram.ext import ApplicationHandlerStop, ContextTypes

from handlers.common import reply
from handlers.deps import deps
from services.access.roles import is_admin, is_moderator
from services.core import callbacks
from services.core.config import AppConfig
from services.core.texts import command_description, t

# Each role's command menu, in the order shown; the descriptions are in texts_id.yaml (command_menu).
RESIDENT_MENU = ("start", "status", "kelurahan", "batal", "bantuan", "data_saya", "hapus_data")
MODERATOR_MENU = ("ringkasan", "usulan_regroup", "ditahan", "gabung", "pisah", "sembunyikan", "tampilkan", "judul",
                  "kategori", "pindah", "lepas", "rentan", "bansos", "moderasi")
ADMIN_MENU = ("statistik", "ekspor", "ban", "unban")
STAFF_MENU = ("balas", "status_kelompok")
GROUP_MENU = ("usul",)
MODERATOR_COMMANDS = frozenset(MODERATOR_MENU[1:])  # /ringkasan is guarded by issue 4
ADMIN_COMMANDS = frozenset(ADMIN_MENU)
STAFF_COMMANDS = frozenset(STAFF_MENU)  # guarded by guards.require_staff
ADMIN_TOO = frozenset({"pindah"})  # moderator commands an admin may use as well
# buttons only a moderator may press; Ya / Batal / Urungkan (pending actions) also an admin (their /pindah)
ADMIN_TOO_BUTTONS = (callbacks.PENDING_PREFIX,)


def command_of(update: Update) -> str | None:
    """The /command an update starts with (without @botname), if any."""
    message = update.effective_message
    text = (message.text or message.caption or "") if message is not None else ""
    if not text.startswith("/"):
        return None
    return text.split()[0][1:].split("@")[0].lower()


def required_role(update: Update) -> str | None:
    """The role an update needs: "moderator", "admin" or None."""
    query = update.callback_query
    if query is not None:
        data = query.data or ""
        return "moderator" if data.startswith((*callbacks.MODERATOR_PREFIXES, *ADMIN_TOO_BUTTONS)) else None
    command = command_of(update)
    if command in MODERATOR_COMMANDS:
        return "moderator"
    return "admin" if command in ADMIN_COMMANDS else None


async def require_role(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop a moderator or admin command (or button) from a user without that role: every press is checked
    against config now, so a button kept from before someone's role ended (an Urungkan) does nothing."""
    role = required_role(update)
    user = update.effective_user
    if role is None or user is None:
        return
    config = deps(context).config
    allowed = is_moderator(config, user.id) if role == "moderator" else is_admin(config, user.id)
    admin_too = command_of(update) in ADMIN_TOO or (
        update.callback_query is not None and (update.callback_query.data or "").startswith(ADMIN_TOO_BUTTONS))
    allowed = allowed or (admin_too and is_admin(config, user.id))
    if allowed:
        return
    text = t("not_allowed", role=t(f"role_{role}"))
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_chat is not None and update.effective_chat.type == "private":
        await reply(update, context, "not_allowed", text)
    raise ApplicationHandlerStop


def menu(*commands: str) -> list[BotCommand]:
    """Commands with their descriptions from the texts file."""
    return [BotCommand(command, command_description(command)) for command in commands]


async def set_command_menus(bot: Bot, config: AppConfig) -> None:
    """Set the command menu per scope: residents, groups, each moderator and admin, the staff chat."""
    await bot.set_my_commands(menu(*RESIDENT_MENU), scope=BotCommandScopeAllPrivateChats())
    await bot.set_my_commands(menu(*GROUP_MENU), scope=BotCommandScopeAllGroupChats())
    people = sorted({m for f in config.forums for m in f.moderator_ids} | set(config.telegram.admin_ids))
    for user_id in people:
        commands = list(RESIDENT_MENU)
        if is_moderator(config, user_id):
            commands += MODERATOR_MENU
        if is_admin(config, user_id):
            commands += ADMIN_MENU
        await bot.set_my_commands(menu(*commands), scope=BotCommandScopeChat(user_id))
    if config.telegram.staff_chat_id is not None:
        await bot.set_my_commands(menu(*STAFF_MENU), scope=BotCommandScopeChat(config.telegram.staff_chat_id))
