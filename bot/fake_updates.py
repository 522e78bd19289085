"""Build Telegram updates as a user's app would send them (for the console and the tests)."""

import itertools
import time
from typing import Any

from bot.memory_api import chat_of


def user_of(user_id: int) -> dict[str, Any]:
    """A user object with a name and username (which the bot must never show to staff)."""
    return {"id": user_id, "is_bot": False, "first_name": f"Nama{user_id}", "last_name": "Rahasia",
            "username": f"pengguna{user_id}", "language_code": "id"}


class UpdateMaker:
    """Numbers updates and messages like Telegram does, so repeats can be made on purpose."""

    def __init__(self, start_update_id: int = 1, start_message_id: int = 10_000) -> None:
        self._update_ids = itertools.count(start_update_id)
        self._message_ids = itertools.count(start_message_id)

    def _message(self, user_id: int, chat_id: int | None, **fields: Any) -> dict[str, Any]:
        """A message from a user in their private chat (or in chat_id)."""
        return {"message_id": next(self._message_ids), "date": int(time.time()), "from": user_of(user_id),
                "chat": chat_of(chat_id if chat_id is not None else user_id), **fields}

    def _wrap(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Give an update its id."""
        return {"update_id": next(self._update_ids), kind: payload}

    def text(self, user_id: int, text: str, *, chat_id: int | None = None, **extra: Any) -> dict[str, Any]:
        """A text message; a leading /command gets its entity; `extra` adds fields (sender_chat, a topic)."""
        fields: dict[str, Any] = {"text": text, **extra}
        if text.startswith("/"):
            fields["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return self._wrap("message", self._message(user_id, chat_id, **fields))

    def edit_of(self, update: dict[str, Any], text: str) -> dict[str, Any]:
        """The edit of an earlier text message (same chat and message id, new text)."""
        message = {**update["message"], "text": text, "edit_date": int(time.time())}
        message.pop("entities", None)
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return self._wrap("edited_message", message)

    def photo(self, user_id: int, caption: str | None, *, chat_id: int | None = None) -> dict[str, Any]:
        """A photo, with or without caption."""
        photo = [{"file_id": f"photo-{user_id}-{time.time_ns()}", "file_unique_id": "p", "width": 640,
                  "height": 480}]
        fields: dict[str, Any] = {"photo": photo}
        if caption is not None:
            fields["caption"] = caption
        return self._wrap("message", self._message(user_id, chat_id, **fields))

    def location(self, user_id: int, latitude: float, longitude: float, *, chat_id: int | None = None
                 ) -> dict[str, Any]:
        """A shared location pin."""
        return self._wrap("message", self._message(
            user_id, chat_id, location={"latitude": latitude, "longitude": longitude}))

    def sticker(self, user_id: int) -> dict[str, Any]:
        """A sticker."""
        sticker = {"file_id": "st", "file_unique_id": "st", "type": "regular", "width": 512, "height": 512,
                   "is_animated": False, "is_video": False}
        return self._wrap("message", self._message(user_id, None, sticker=sticker))

    def voice(self, user_id: int) -> dict[str, Any]:
        """A voice note."""
        return self._wrap("message", self._message(
            user_id, None, voice={"file_id": "v", "file_unique_id": "v", "duration": 3}))

    def edited(self, user_id: int, text: str) -> dict[str, Any]:
        """An edit of an earlier message."""
        message = self._message(user_id, None, text=text, edit_date=int(time.time()))
        return self._wrap("edited_message", message)

    def press(self, user_id: int, message: dict[str, Any], data: str) -> dict[str, Any]:
        """A press on an inline button of a message the bot sent."""
        query = {"id": str(next(self._message_ids)), "from": user_of(user_id), "chat_instance": "c",
                 "message": message, "data": data}
        return self._wrap("callback_query", query)

    def reply_to(self, user_id: int, message: dict[str, Any], text: str, *, chat_id: int | None = None
                 ) -> dict[str, Any]:
        """A text that replies to a message the bot sent."""
        fields = {"text": text, "reply_to_message": message}
        return self._wrap("message", self._message(user_id, chat_id, **fields))
