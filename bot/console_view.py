"""What the console prints: every Bot API call a person would notice, as it happens.

Messages, photos and documents are shown with their message number (for `/reply N`) and numbered buttons;
edits of a message's text or buttons, callback pop-ups and documents (saved to a folder, path printed) too.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from bot.memory_api import Call, MemoryBotAPI
from services.core.payloads import plain
from services.core.texts import t

SHOWN = frozenset({"sendMessage", "sendPhoto", "sendDocument", "copyMessage", "editMessageText",
                   "editMessageCaption", "editMessageReplyMarkup", "answerCallbackQuery"})


class ConsoleView:
    """Prints the bot's calls and remembers each chat's latest buttons."""

    def __init__(self, api: MemoryBotAPI, out: TextIO, files_dir: Path, who: Callable[[int], str]) -> None:
        self.api, self.out, self.files_dir, self.who = api, out, files_dir, who
        self.buttons: dict[int, list[tuple[dict[str, Any], str]]] = {}  # chat id -> (message, callback data)
        self.keyboards: dict[tuple[int, int], list[tuple[dict[str, Any], str]]] = {}  # every message's buttons
        self.prompt: str | None = None  # shown again after a message that arrives while the console waits
        self._seen = 0
        self._last_query_chat: int | None = None
        self.saved: dict[int, set[Path]] = {}  # chat id -> files written for it
        api.listeners.append(lambda _call: self.show_new())

    def show_new(self) -> None:
        """Print the calls made since the last time."""
        calls, self._seen = self.api.calls[self._seen:], len(self.api.calls)
        shown = [call for call in calls if call.method in SHOWN and call.result is not None]
        for call in shown:
            self._show(call)
        if shown and self.prompt is not None:
            self.out.write(self.prompt)  # the person was typing: show where to go on
        self.out.flush()

    def buttons_of(self, chat_id: int, message_id: int | None) -> list[tuple[dict[str, Any], str]]:
        """The buttons of message #N in a chat (None: the chat's latest keyboard); empty when it has none."""
        if message_id is None:
            return self.buttons.get(chat_id, [])
        return self.keyboards.get((chat_id, message_id), [])

    def pressed_in(self, chat_id: int) -> None:
        """Note the chat whose button was just pressed (a pop-up names no chat)."""
        self._last_query_chat = chat_id

    def _show(self, call: Call) -> None:
        """Print one call."""
        params = call.params
        if call.method == "answerCallbackQuery":
            if params.get("text"):
                mark = "⚠️" if params.get("show_alert") else "💬"
                who = self.who(self._last_query_chat) if self._last_query_chat is not None else "?"
                self.out.write(f"\n{mark} pop-up → {who}: {plain(str(params['text']))}\n")
            return
        chat_id = int(params["chat_id"])
        message = call.result if isinstance(call.result, dict) else None
        number = params.get("message_id") or (message or {}).get("message_id")
        if call.method.startswith("edit"):
            text = params.get("text") or params.get("caption")
            head = "\n" + plain(t("console_edited", who=self.who(chat_id), number=number))
            self.out.write(head + (f":\n{plain(str(text))}\n" if text else f" {plain(t('console_edited_buttons'))}\n"))
        else:
            text = str(params.get("text") or params.get("caption") or "")
            self.out.write(f"\n🤖 → {self.who(chat_id)} · #{number}:\n{plain(text)}\n")
            if call.method == "sendDocument":
                self.out.write(f"   {plain(t('console_file', path=self._save(call)))}\n")
        self._number_buttons(chat_id, number, params)

    def _save(self, call: Call) -> Path:
        """Write an uploaded document to the files folder and return its path."""
        name, content, _ = call.files["document"]
        self.files_dir.mkdir(parents=True, exist_ok=True)
        path = self.files_dir / Path(str(name)).name
        path.write_bytes(content)
        self.saved.setdefault(int(call.params["chat_id"]), set()).add(path.resolve())
        return path.resolve()

    def forget_files(self, chat_id: int) -> int:
        """Delete the files written for a chat (its person erased their data); return how many."""
        paths = self.saved.pop(chat_id, set())
        for path in paths:
            path.unlink(missing_ok=True)
        return len(paths)

    def _number_buttons(self, chat_id: int, message_id: Any, params: dict[str, Any]) -> None:
        """Remember and print the inline buttons of the message just shown (or note they are gone)."""
        rows = (params.get("reply_markup") or {}).get("inline_keyboard") or []
        message = self.api.messages.get((chat_id, int(message_id))) if message_id else None
        if not rows:
            if message is not None:
                self.keyboards.pop((chat_id, int(message_id)), None)  # an edit took the buttons away
                if self._owns(chat_id, message):
                    del self.buttons[chat_id]
            return
        if message is None:
            return
        self.buttons[chat_id] = [(message, b["callback_data"]) for row in rows for b in row if "callback_data" in b]
        self.keyboards[(chat_id, int(message_id))] = self.buttons[chat_id]
        labels = [b["text"] for row in rows for b in row if "callback_data" in b]
        self.out.write("   " + "  ".join(f"[{i}] {label}" for i, label in enumerate(labels, 1)) + "\n")

    def _owns(self, chat_id: int, message: dict[str, Any]) -> bool:
        """Tell whether the chat's numbered buttons belong to this message."""
        current = self.buttons.get(chat_id)
        if not current:
            return False
        return bool(current[0][0].get("message_id") == message.get("message_id"))
