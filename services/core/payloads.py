"""Bot API payloads as plain JSON (what the outbox stores and sends), and Telegram HTML as plain text.

The one place that knows how a message, a photo or an edit is spelled for the Bot API, so every feature
queues the same shape.
"""

import html
import re
from pathlib import Path
from typing import Any

HTML = "HTML"


def message(text: str, **extra: Any) -> dict[str, Any]:
    """A send_message payload in Telegram HTML without link previews; `extra` adds or overrides fields."""
    return {"text": text, "parse_mode": HTML, "link_preview_options": {"is_disabled": True}, **extra}


def photo(path: Path | str, caption: str, **extra: Any) -> dict[str, Any]:
    """A send_photo payload whose photo is a local file (uploaded at send time) or a Telegram file id."""
    return {"photo": str(path), "caption": caption, "parse_mode": HTML, **extra}


def edit(message_id: int | None, text: str, **extra: Any) -> dict[str, Any]:
    """An edit_message_text payload in Telegram HTML."""
    return {"message_id": message_id, "text": text, "parse_mode": HTML, **extra}


def plain(text: str) -> str:
    """Telegram HTML as terminal text (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))
