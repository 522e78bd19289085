"""Who types in the console: its personas (residents, a moderator, staff, an admin) and the chats they type in.

Their roles come from services/access/roles.py and config's `console.web_roles` (the web page too).
"""

import re
from dataclasses import dataclass

from services.access.roles import CONSOLE_ADMIN, CONSOLE_MODERATOR, CONSOLE_STAFF, CONSOLE_STAFF_CHAT

EXTRA_RESIDENT = re.compile(r"warga([2-9]|[1-9]\d)")  # warga2 … warga99


@dataclass(frozen=True)
class Persona:
    """Who is typing: a user id and the chat they type in."""

    name: str
    user_id: int
    chat_id: int


PERSONAS = {  # their roles: services/access/roles.py and config's console.web_roles (the web page too)
    "warga": Persona("warga", 900_001, 900_001),
    "moderator": Persona("moderator", CONSOLE_MODERATOR, CONSOLE_MODERATOR),
    "staf": Persona("staf", CONSOLE_STAFF, CONSOLE_STAFF_CHAT),
    "admin": Persona("admin", CONSOLE_ADMIN, CONSOLE_ADMIN),
}
ALIASES = {"staff": "staf", "resident": "warga", "warga1": "warga"}


def persona(name: str) -> Persona | None:
    """A persona by name (`warga2` … are more residents); None for an unknown name."""
    name = ALIASES.get(name.lower(), name.lower())
    if name in PERSONAS:
        return PERSONAS[name]
    if (match := EXTRA_RESIDENT.fullmatch(name)) is not None:
        user_id = 900_100 + int(match.group(1))
        return Persona(name, user_id, user_id)
    return None


def persona_names() -> str:
    """The names /as accepts, for a refusal."""
    return "warga, warga2, warga3, …, moderator, staf (staff), admin"


def who(chat_id: int) -> str:
    """The persona a chat belongs to, or the chat id."""
    for p in PERSONAS.values():
        if p.chat_id == chat_id:
            return p.name
    if 900_102 <= chat_id <= 900_199:
        return f"warga{chat_id - 900_100}"
    return f"chat {chat_id}"
