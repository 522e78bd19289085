"""An in-memory Telegram Bot API: the console mode and the tests run the real Application against it.

It answers the Bot API methods the bot uses, keeps the messages it "sent" per chat (with their inline
keyboards, so a button can be pressed later), and lets a test inject errors by method and chat. It refuses
what real Telegram refuses, with Telegram's own "Bad Request: ..." answer: text over 4,096 characters after
entity parsing, captions over 1,024, callback data over 64 bytes, HTML Telegram cannot parse, empty text.
"""

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

from services.core.tg_html import CALLBACK_DATA_BYTES, CAPTION_LIMIT, MESSAGE_LIMIT, HtmlError, tg_len, visible_text

BOT_USER = {"id": 777000111, "is_bot": True, "first_name": "Aspirasi", "username": "aspirasi_bot",
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}

# An injected failure: (HTTP status, description, extra parameters), TimedOut, or raw bytes answered with
# status 200 (a broken answer the bot cannot read).
Failure = tuple[int, str, dict[str, Any]] | TimedOut | bytes
Injector = Callable[[str, dict[str, Any]], Failure | None]


@dataclass
class Call:
    """One Bot API call the bot made."""

    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    files: dict[str, Any] = field(default_factory=dict)  # uploads: part name -> (file name, bytes, mime type)
    result: Any = None  # what the call returned (a sent message, True, ...); None for a failed call


def chat_of(chat_id: int) -> dict[str, Any]:
    """A chat object: positive ids are private chats, negative ones groups."""
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}
    return {"id": chat_id, "type": "supergroup", "title": f"Grup {chat_id}"}


def _shown(value: Any, parse_mode: Any) -> str:
    """The text a reader would see, parsed as Telegram parses it in the given mode."""
    text = str(value)
    return visible_text(text) if str(parse_mode or "").upper() == "HTML" else text


def _markup_refusal(markup: Any) -> str | None:
    """What Telegram says about an inline keyboard it refuses."""
    rows = markup.get("inline_keyboard") or [] if isinstance(markup, dict) else []
    for row in rows:
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= CALLBACK_DATA_BYTES:
                return "BUTTON_DATA_INVALID"
            if not str(button.get("text") or "").strip():
                return "text buttons are unallowed in the inline keyboard"
    return None


def telegram_refusal(api_method: str, params: dict[str, Any]) -> str | None:
    """Why real Telegram would answer 400 to this call (None when it would accept it)."""
    try:
        if api_method in {"sendMessage", "editMessageText"}:
            shown = _shown(params.get("text") or "", params.get("parse_mode"))
            if not shown.strip():
                return "message text is empty"
            if tg_len(shown) > MESSAGE_LIMIT:
                return "message is too long"
        elif api_method in {"sendPhoto", "sendDocument", "copyMessage", "editMessageCaption"}:
            caption = _shown(params.get("caption") or "", params.get("parse_mode"))
            if tg_len(caption) > CAPTION_LIMIT:
                return "message caption is too long"
    except HtmlError as exc:
        return f"can't parse entities: {exc}"
    return _markup_refusal(params.get("reply_markup"))


class MemoryBotAPI(BaseRequest):
    """A BaseRequest that serves the Bot API from memory."""

    SENDING = frozenset({"sendMessage", "sendPhoto", "sendDocument", "copyMessage", "forwardMessage"})

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.inject: Injector | None = None
        self.listeners: list[Callable[[Call], None]] = []  # told of each answered call (the console prints it)
        self._ids = itertools.count(1)
        self._updates: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    def continue_from(self, message_id: int) -> None:
        """Number the next sent message `message_id` (after a restart, ids already stored stay unique)."""
        self._ids = itertools.count(message_id)

    @property
    def read_timeout(self) -> float | None:
        """No network, so no timeout."""
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    def sent(self, chat_id: int | None = None, method: str | None = None) -> list[Call]:
        """Calls that delivered something, optionally to one chat or of one method."""
        return [
            c for c in self.calls
            if (c.method in self.SENDING if method is None else c.method == method)
            and (chat_id is None or int(c.params.get("chat_id", 0)) == chat_id)
        ]

    def texts(self, chat_id: int) -> list[str]:
        """Texts (and captions) sent to a chat, in order."""
        return [str(c.params.get("text") or c.params.get("caption") or "") for c in self.sent(chat_id)]

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        """Answer one Bot API call."""
        api_method = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data is not None else {}
        call = None
        if api_method != "getUpdates":
            uploads = request_data.multipart_data if request_data is not None and request_data.contains_files else {}
            files = dict(uploads)
            call = Call(api_method, params, files=files)
            self.calls.append(call)
        failure = self.inject(api_method, params) if self.inject is not None else None
        if isinstance(failure, TimedOut):
            raise failure
        if isinstance(failure, bytes):
            return 200, failure
        if failure is None and (refusal := telegram_refusal(api_method, params)) is not None:
            failure = (400, f"Bad Request: {refusal}", {})
        if failure is not None:
            status, description, extra = failure
            body = {"ok": False, "error_code": status, "description": description, "parameters": extra}
            return status, json.dumps(body).encode()
        result = await self._answer(api_method, params)
        if call is not None:
            call.result = result
            for listener in self.listeners:
                listener(call)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    async def _answer(self, api_method: str, params: dict[str, Any]) -> Any:
        """Compute the result of a successful call."""
        if api_method == "getMe":
            return BOT_USER
        if api_method == "getUpdates":
            return await self._get_updates(float(params.get("timeout", 0) or 0))
        if api_method in {"sendMessage", "sendPhoto", "sendDocument"}:
            return self._store(params)
        if api_method == "copyMessage":
            return {"message_id": self._store(params)["message_id"]}
        if api_method in {"editMessageText", "editMessageReplyMarkup"}:
            return self._edit(params)
        if api_method == "deleteMessage":
            return self.messages.pop((int(params["chat_id"]), int(params["message_id"])), None) is not None
        if api_method == "getChat":
            return chat_of(int(params["chat_id"]))
        return True  # answerCallbackQuery, setMyCommands, deleteWebhook, sendChatAction, ...

    def _store(self, params: dict[str, Any]) -> dict[str, Any]:
        """Keep a sent message and return it as Telegram would."""
        chat_id, message_id = int(params["chat_id"]), next(self._ids)
        message: dict[str, Any] = {"message_id": message_id, "date": int(time.time()), "chat": chat_of(chat_id),
                                   "from": BOT_USER}
        for key in ("text", "caption", "reply_markup", "message_thread_id", "reply_to_message_id"):
            if params.get(key) is not None:
                message[key] = params[key]
        if "photo" in params:
            message["photo"] = [{"file_id": str(params["photo"]), "file_unique_id": "u", "width": 1, "height": 1}]
        self.messages[(chat_id, message_id)] = message
        return message

    def _edit(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        """Change a stored message's text or keyboard."""
        key = (int(params["chat_id"]), int(params["message_id"]))
        message = self.messages.get(key)
        if message is None:
            return True
        if "text" in params:
            message["text"] = params["text"]
        message["reply_markup"] = params.get("reply_markup") or {"inline_keyboard": []}
        return message

    async def _get_updates(self, timeout: float) -> list[dict[str, Any]]:
        """Return queued updates, waiting up to `timeout` seconds for the first."""
        try:
            first = await asyncio.wait_for(self._updates.get(), timeout=max(timeout, 0.01))
        except TimeoutError:
            return []
        batch = [first]
        while not self._updates.empty():
            batch.append(self._updates.get_nowait())
        return batch

    def queue_update(self, update: dict[str, Any]) -> None:
        """Make an update available to getUpdates (polling)."""
        self._updates.put_nowait(update)
