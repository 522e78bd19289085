"""Command menus: every command shown is one the bot handles, described by the texts file."""

from telegram.ext import CommandHandler

from bot.console import Console
from handlers.access import ADMIN_COMMANDS, MODERATOR_COMMANDS, STAFF_COMMANDS
from services.core.texts import command_description


async def test_every_menu_command_is_handled_and_described_from_the_texts_file(console: Console) -> None:
    handled = {command for group in console.app.handlers.values() for handler in group
               if isinstance(handler, CommandHandler) for command in handler.commands}
    menus = [c.params["commands"] for c in console.api.calls if c.method == "setMyCommands"]
    shown = {item["command"]: item["description"] for menu in menus for item in menu}
    assert len(menus) >= 4 and shown.keys() <= handled
    assert all(description == command_description(command) and 0 < len(description) <= 256
               for command, description in shown.items())
    assert shown.keys() >= MODERATOR_COMMANDS | ADMIN_COMMANDS | STAFF_COMMANDS
