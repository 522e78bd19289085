"""The console's own commands: switch persona, press a button, reply to a message, send a photo or a
location, issue the running digest, quit. Anything else is typed by the current persona."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any, Protocol, TextIO

from bot.console_personas import Persona, persona, persona_names
from bot.console_view import ConsoleView
from bot.fake_updates import UpdateMaker
from bot.memory_api import BOT_USER, MemoryBotAPI, chat_of
from handlers.deps import deps
from handlers.digests import clock
from handlers.outbox_worker import wake_outbox
from models.db import session_scope
from services.core import callbacks
from services.core.payloads import plain
from services.core.texts import t
from services.digests.delivery import issue_running_digest


class Console(Protocol):
    """What the commands use of the console (bot/console.py), so the two modules do not import each other."""

    api: MemoryBotAPI
    app: Any  # the Application (bot/app.py's AspirasiApp)
    first_bot_message: int
    maker: UpdateMaker
    out: TextIO
    persona: Persona
    view: ConsoleView

    async def send(self, update: dict[str, Any]) -> None:
        """Feed one update (Bot API JSON) to the application."""

    async def flush_outbox(self) -> int:
        """Send what is queued and print it; return how many were sent."""

EARLIER_BUTTON = re.compile(r"#(\d+)\s+(\d+)")  # "#12 1": button 1 of bot message #12


async def handle_line(console: Console, line: str) -> bool:
    """Act on one typed line; return False to quit."""
    line = line.strip()
    command, _, rest = line.partition(" ")
    if line in {"/quit", "/exit"}:
        return False
    if command == "/as":
        switch(console, rest.strip())
    elif command == "/reply":
        await reply(console, rest)
    elif command == "/foto":
        p = console.persona
        await console.send(console.maker.photo(p.user_id, rest.strip() or None, chat_id=p.chat_id))
    elif command == "/lokasi":
        await location(console, rest)
    elif command == "/digest":
        await digest(console)
    elif line.isdigit():
        await press(console, int(line))
    elif (earlier := EARLIER_BUTTON.fullmatch(line)) is not None:
        await press(console, int(earlier.group(2)), message_id=int(earlier.group(1)))
    elif line:
        await console.send(console.maker.text(console.persona.user_id, line, chat_id=console.persona.chat_id))
    await console.flush_outbox()  # what the typed line queued is printed before the next prompt
    return True


def say(console: Console, key: str, **values: Any) -> None:
    """Print a console message."""
    console.out.write(plain(t(key, **values)) + "\n")


def switch(console: Console, name: str) -> None:
    """/as NAME: become another persona; an unknown name is refused with the list."""
    chosen = persona(name) if name else None
    if chosen is None:
        say(console, "console_unknown_persona", name=name or "-", names=persona_names())
        return
    console.persona = chosen
    say(console, "console_now", name=chosen.name)


async def press(console: Console, number: int, *, message_id: int | None = None) -> None:
    """A number presses that button on the latest keyboard in the persona's chat; `#N 2` on bot message #N."""
    buttons = console.view.buttons_of(console.persona.chat_id, message_id)
    if not 0 < number <= len(buttons):
        if message_id is None:
            say(console, "console_no_button", number=number)
        else:
            say(console, "console_no_button_on", number=number, message=message_id)
        return
    message, data = buttons[number - 1]
    console.view.pressed_in(console.persona.chat_id)
    await console.send(console.maker.press(console.persona.user_id, message, data))
    if data == callbacks.ERASE:  # the files the bot sent this person (data-saya.json...) leave this machine too
        console.view.forget_files(console.persona.chat_id)


async def reply(console: Console, rest: str) -> None:
    """/reply N teks: reply to bot message #N in the persona's chat."""
    number, _, text = rest.strip().partition(" ")
    p = console.persona
    message = console.api.messages.get((p.chat_id, int(number))) if number.isdigit() else None
    if message is None and number.isdigit() and 0 < int(number) < console.first_bot_message:
        message = earlier_message(p.chat_id, int(number))
    if message is None or not text.strip():
        say(console, "console_reply_usage", number=number or "-")
        return
    await console.send(console.maker.reply_to(p.user_id, message, text.strip(), chat_id=p.chat_id))


def earlier_message(chat_id: int, message_id: int) -> dict[str, Any]:
    """A bot message sent before this console started: Telegram still has it, the bot knows it by number."""
    return {"message_id": message_id, "date": int(time.time()), "chat": chat_of(chat_id), "from": BOT_USER}


async def location(console: Console, rest: str) -> None:
    """/lokasi LAT LON: share a location pin."""
    try:
        latitude, longitude = (float(v.replace(",", ".")) for v in rest.split())
    except ValueError:
        say(console, "console_location_usage")
        return
    p = console.persona
    await console.send(console.maker.location(p.user_id, latitude, longitude, chat_id=p.chat_id))


async def digest(console: Console) -> None:
    """/digest: close every forum's running period now and queue its digest for the moderators.

    Said at once, then each forum as its digest is built (charts take a moment), then the total."""
    d = deps(console.app)
    now = clock(console.app.bot_data)
    say(console, "console_digest_start", count=len(d.config.forums))
    console.out.flush()

    def _issue(forum_id: str) -> None:
        with session_scope(d.engine) as session:
            issue_running_digest(session=session, config=d.config, forum_id=forum_id, now=now)

    for forum in d.config.forums:
        await asyncio.to_thread(_issue, forum.id)
        say(console, "console_digest_forum", forum=forum.name)
        console.out.flush()
    wake_outbox(console.app)
    say(console, "console_digest", count=len(d.config.forums))
