"""/web: a moderator, staff member or admin gets a signed single-use link to the web page (valid 10 minutes)."""

import html
from pathlib import Path

from telegram import Update
from telegram.ext import ContextTypes

from handlers.common import reply
from handlers.deps import deps
from services.access.weblogin import LoginError, make_link, signing_key
from services.core.texts_web import tw


async def web_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer /web in a private chat with a login link, or a polite no for residents."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    if chat.type != "private":
        await reply(update, context, "web", html.escape(tw("web_private_only")))
        return
    config = deps(context).config
    try:
        # roles from Telegram's side of config only: a real user may carry a console persona's id
        link = make_link(config=config, key=signing_key(Path(config.data_dir)), user_id=user.id, console=False)
    except LoginError as exc:
        await reply(update, context, "web", html.escape(tw(exc.key)))
        return
    await reply(update, context, "web", html.escape(tw("web_link", link=link)))

