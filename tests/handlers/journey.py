"""Steps of the resident journey, driven through the console harness."""

from typing import Any

from sqlmodel import Session, select

from bot.console import Console
from handlers.deps import deps
from models.proposals import Proposal


def last_message_with_buttons(console: Console, chat_id: int) -> dict[str, Any]:
    """The most recent message in a chat that still has inline buttons."""
    for (chat, _), message in reversed(console.api.messages.items()):
        if chat == chat_id and (message.get("reply_markup") or {}).get("inline_keyboard"):
            return message
    raise AssertionError(f"no message with buttons in chat {chat_id}")


def button_data(message: dict[str, Any]) -> list[str]:
    """The callback data of a message's buttons, in order."""
    return [b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row]


async def press(console: Console, user_id: int, startswith: str) -> None:
    """Press the first button whose callback data starts with a prefix."""
    message = last_message_with_buttons(console, user_id)
    data = next(d for d in button_data(message) if d.startswith(startswith))
    await console.send(console.maker.press(user_id, message, data))


async def onboard(console: Console, user_id: int, kelurahan_code: str = "64.74.01.1003") -> None:
    """/start, consent, choose a kelurahan (Lok Tuan by default)."""
    await console.send(console.maker.text(user_id, "/start"))
    await press(console, user_id, "consent")
    await press(console, user_id, f"kel:{kelurahan_code}")


async def submit(console: Console, user_id: int, text: str) -> None:
    """Send a text and press Kirim on its draft (Kirim sebagai usulan baru when clusters were suggested)."""
    await console.send(console.maker.text(user_id, text))
    buttons = button_data(last_message_with_buttons(console, user_id))
    await press(console, user_id, "ok:" if any(d.startswith("ok:") for d in buttons) else "baru:")


def proposals(console: Console) -> list[Proposal]:
    """Every stored proposal."""
    with Session(deps(console.app).engine) as session:
        return list(session.exec(select(Proposal).order_by(Proposal.id)))  # type: ignore[arg-type]
