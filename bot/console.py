"""`aspirasi console`: the real Application on the in-memory Bot API, driven from a terminal."""

from dataclasses import dataclass
from typing import Any, TextIO

from telegram import Update

from bot.app import build_application
from bot.fake_updates import UpdateMaker
from bot.memory_api import MemoryBotAPI
from bot.settings import Settings
from handlers.outbox_worker import OutboxWorker, running_worker
from nlp.embed import Embedder
from services.payloads import plain
from services.texts import t

CONSOLE_TOKEN = "100000:console-no-telegram"


@dataclass(frozen=True)
class Persona:
    """Who is typing: a user id and the chat they type in."""

    name: str
    user_id: int
    chat_id: int


PERSONAS = {
    "warga": Persona("warga", 900_001, 900_001),
    "moderator": Persona("moderator", 900_002, 900_002),
    "staf": Persona("staf", 900_004, -100_900_003),
    "admin": Persona("admin", 900_005, 900_005),
}


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


class Console:
    """Turns typed lines into updates and prints what the bot sent."""

    def __init__(self, settings: Settings, out: TextIO, embedder: Embedder | None = None) -> None:
        self.settings = console_settings(settings)
        self.api = MemoryBotAPI()
        self.app = build_application(self.settings, request=self.api, token=CONSOLE_TOKEN, rate_limit=False,
                                     embedder=embedder)
        self.maker = UpdateMaker()
        self.personas = {**PERSONAS, "staff": PERSONAS["staf"], "resident": PERSONAS["warga"]}  # English too
        self.persona = self.personas["warga"]
        self.out = out
        self._seen = 0
        self._buttons: list[tuple[dict[str, Any], str]] = []

    async def start(self) -> None:
        """Initialise the application as run_polling would, without Telegram."""
        await self.app.initialize()
        if self.app.post_init is not None:
            await self.app.post_init(self.app)
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
            d = self.app.bot_data["deps"]
            worker = OutboxWorker(self.app.bot, d.engine, d.config.outbox)
        sent = await worker.settle()
        self.show_new()
        return sent

    def show_new(self) -> None:
        """Print the bot's messages since the last input, numbering the buttons."""
        for call in self.api.calls[self._seen :]:
            if call.method not in {"sendMessage", "sendPhoto", "editMessageText"}:
                continue
            text = str(call.params.get("text") or call.params.get("caption") or "")
            who = next((p.name for p in self.personas.values() if p.chat_id == int(call.params["chat_id"])), "?")
            self.out.write(f"\n🤖 → {who}:\n{plain(text)}\n")
            self._number_buttons(call.params)
        self._seen = len(self.api.calls)
        self.out.flush()

    def _number_buttons(self, params: dict[str, Any]) -> None:
        """Remember and print the inline buttons of the message just shown."""
        markup = params.get("reply_markup") or {}
        rows = markup.get("inline_keyboard") or []
        if not rows:
            return
        chat_id, message_id = int(params["chat_id"]), params.get("message_id")
        message = self.api.messages.get((chat_id, int(message_id))) if message_id else None
        message = message or next(m for (c, _), m in reversed(self.api.messages.items()) if c == chat_id)
        self._buttons = [(message, b["callback_data"]) for row in rows for b in row if "callback_data" in b]
        labels = [b["text"] for row in rows for b in row if "callback_data" in b]
        self.out.write("   " + "  ".join(f"[{i}] {label}" for i, label in enumerate(labels, 1)) + "\n")

    async def handle_line(self, line: str) -> bool:
        """Act on one typed line; return False to quit."""
        line = line.strip()
        if line in {"/quit", "/exit"}:
            return False
        if line.startswith("/as "):
            self.persona = self.personas.get(line.split()[1], self.persona)
            self.out.write(f"(sekarang sebagai {self.persona.name})\n")
        elif line.isdigit() and 0 < int(line) <= len(self._buttons):
            message, data = self._buttons[int(line) - 1]
            await self.send(self.maker.press(self.persona.user_id, message, data))
        elif line:
            await self.send(self.maker.text(self.persona.user_id, line, chat_id=self.persona.chat_id))
        return True


async def run_console(settings: Settings, stdin: TextIO, stdout: TextIO) -> None:
    """Run the console until /quit or end of input."""
    console = Console(settings, stdout)
    await console.start()
    stdout.write(plain(t("console_intro")) + "\n")
    try:
        while True:
            stdout.write(f"\n[{console.persona.name}] > ")
            stdout.flush()
            line = stdin.readline()
            if not line or not await console.handle_line(line):
                break
    finally:
        await console.stop()
