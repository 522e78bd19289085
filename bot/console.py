"""`aspirasi console`: the real Application on the in-memory Bot API, driven from a terminal.

Personas: `warga`, `warga2`, `warga3`, … (each a distinct resident), `moderator`, `staf`/`staff`, `admin`.
Update, message and bot-message numbers continue from the database, so a restart on the same database
works at once. What the bot sends is printed as it happens (see `bot/console_view.py`).
"""

import asyncio
import logging
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from sqlmodel import Session, func, select
from telegram import Update

from bot.app import build_application
from bot.console_commands import handle_line
from bot.console_personas import PERSONAS, Persona, persona, who
from bot.console_view import ConsoleView
from bot.fake_updates import UpdateMaker
from bot.memory_api import MemoryBotAPI
from bot.settings import Settings
from handlers.deps import deps
from handlers.outbox_worker import OutboxWorker, running_worker
from models.outbox import OutboxMessage
from models.proposals import Proposal
from models.updates import InboundUpdate
from nlp.embed import Embedder
from services.core.payloads import plain
from services.core.texts import t

CONSOLE_TOKEN = "100000:console-no-telegram"
FIRST_USER_MESSAGE = 10_000
QUIET_LOGGERS = ("sentence_transformers", "transformers", "httpx", "telegram", "apscheduler", "aspirasi")

__all__ = ["CONSOLE_TOKEN", "PERSONAS", "Console", "Persona", "console_settings", "persona", "plain", "run_console"]


def console_settings(settings: Settings) -> Settings:
    """Give the console personas their roles: moderator of every forum, the staff chat, admin."""
    config = settings.config
    telegram = config.telegram.model_copy(update={
        "staff_chat_id": config.telegram.staff_chat_id or PERSONAS["staf"].chat_id,
        "admin_ids": [*config.telegram.admin_ids, PERSONAS["admin"].user_id],
        "staff_ids": [*config.telegram.staff_ids, PERSONAS["staf"].user_id],
    })
    forums = [f.model_copy(update={"moderator_ids": [*f.moderator_ids, PERSONAS["moderator"].user_id]})
              for f in config.forums]
    return Settings(config.model_copy(update={"telegram": telegram, "forums": forums}), settings.secrets,
                    settings.config_path)


def next_numbers(session: Session) -> tuple[int, int, int]:
    """The next update id, user message id and bot message id after what the database already holds."""
    update_id = session.exec(select(func.max(InboundUpdate.update_id))).one() or 0
    user_message = session.exec(select(func.max(Proposal.source_message_id))).one() or 0
    bot_message = session.exec(select(func.max(OutboxMessage.telegram_message_id))).one() or 0
    return int(update_id) + 1, max(FIRST_USER_MESSAGE, int(user_message) + 1), int(bot_message) + 1


class Console:
    """Turns typed lines into updates and prints what the bot sends."""

    def __init__(self, settings: Settings, out: TextIO, embedder: Embedder | None = None,
                 files_dir: Path | None = None, *, verbose: bool = False) -> None:
        self.settings = console_settings(settings)
        self.api = MemoryBotAPI()
        self.app = build_application(self.settings, request=self.api, token=CONSOLE_TOKEN, rate_limit=False,
                                     embedder=embedder, show_progress=verbose)
        self.maker = UpdateMaker()
        self.first_bot_message = 1  # bot messages numbered below it were sent before this start
        self.persona = PERSONAS["warga"]
        self.out = out
        self.view = ConsoleView(self.api, out, files_dir or Path(self.settings.config.data_dir) / "konsol", who)

    async def start(self) -> None:
        """Initialise the application as run_polling would, without Telegram; numbers continue from the database."""
        await self.app.initialize()
        if self.app.post_init is not None:
            await self.app.post_init(self.app)  # migrates the database
        with Session(deps(self.app).engine) as session:
            update_id, user_message, bot_message = next_numbers(session)
        self.maker = UpdateMaker(start_update_id=update_id, start_message_id=user_message)
        self.api.continue_from(bot_message)
        self.first_bot_message = bot_message
        await self.app.start()

    async def stop(self) -> None:
        """Stop and shut down like run_polling does."""
        await self.app.stop()
        await self.app.shutdown()
        if self.app.post_shutdown is not None:
            await self.app.post_shutdown(self.app)

    async def send(self, update: dict[str, Any]) -> None:
        """Deliver an update through the durable queue and wait until it is handled."""
        await self.app.update_queue.put(Update.de_json(update, self.app.bot))
        await self.app.update_queue.join()
        self.show_new()

    async def flush_outbox(self) -> int:
        """Send every queued outbox message now (as the background worker would) and print them."""
        worker = running_worker(self.app)
        if worker is None:
            d = deps(self.app)
            worker = OutboxWorker(self.app.bot, d.engine, d.config.outbox)
        sent = await worker.settle()
        self.show_new()
        return sent

    def show_new(self) -> None:
        """Print what the bot sent that is not printed yet."""
        self.view.show_new()

    async def handle_line(self, line: str) -> bool:
        """Act on one typed line; return False to quit."""
        return await handle_line(self, line)


def quiet_libraries() -> None:
    """Keep the terminal for the conversation: no library logs or progress bars (`--verbose` keeps them)."""
    os.environ.update({"TQDM_DISABLE": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1", "TRANSFORMERS_VERBOSITY": "error",
                       "TOKENIZERS_PARALLELISM": "false"})
    logging.getLogger().setLevel(logging.ERROR)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    for module, switch_off in (("transformers.utils.logging", "disable_progress_bar"),
                               ("huggingface_hub.utils", "disable_progress_bars")):
        loaded = sys.modules.get(module)  # already imported: it read the variables above before they were set
        if loaded is not None:
            getattr(loaded, switch_off)()


async def run_console(settings: Settings, stdin: TextIO, stdout: TextIO, *, verbose: bool = False,
                      files_dir: Path | None = None, embedder: Embedder | None = None) -> None:
    """Run the console until /quit or end of input; input is read off the event loop so the bot keeps talking."""
    if not verbose:
        quiet_libraries()
    console = Console(settings, stdout, embedder=embedder, files_dir=files_dir, verbose=verbose)
    await console.start()
    stdout.write(plain(t("console_intro")) + "\n")
    try:
        while True:
            line = await read_line(console, stdin)
            if not line or not await console.handle_line(line):
                break
    finally:
        await console.stop()


async def read_line(console: Console, stdin: TextIO) -> str:
    """Show the prompt and read a line off the event loop; a message arriving meanwhile shows the prompt again."""
    prompt = f"\n[{console.persona.name}] > "
    console.out.write(prompt)
    console.out.flush()
    console.view.prompt = prompt
    try:
        return await asyncio.to_thread(stdin.readline)
    finally:
        console.view.prompt = None
