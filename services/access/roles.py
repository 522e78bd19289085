"""Who may do what: admins and moderators come from config; staff are those posting in the staff chat."""

from services.core.config import AppConfig, ForumConfig

# the people `aspirasi console` plays (bot/console.py); their roles come from config (console.web_roles)
CONSOLE_MODERATOR, CONSOLE_STAFF, CONSOLE_ADMIN, CONSOLE_STAFF_CHAT = 900_002, 900_004, 900_005, -100_900_003


def is_admin(config: AppConfig, user_id: int) -> bool:
    """Tell whether a user is an admin."""
    return user_id in config.telegram.admin_ids


def moderated_forums(config: AppConfig, user_id: int) -> list[ForumConfig]:
    """The forums a user moderates."""
    return [forum for forum in config.forums if user_id in forum.moderator_ids]


def is_moderator(config: AppConfig, user_id: int, forum_id: str | None = None) -> bool:
    """Tell whether a user moderates a forum (any forum when forum_id is None)."""
    return any(forum_id is None or forum.id == forum_id for forum in moderated_forums(config, user_id))


def is_staff_member(config: AppConfig, user_id: int) -> bool:
    """Tell whether a member of the staff chat acts as staff (everyone there, unless staff_ids lists them)."""
    return not config.telegram.staff_ids or user_id in config.telegram.staff_ids


def is_staff_chat(config: AppConfig, chat_id: int) -> bool:
    """Tell whether a chat is the planning staff chat."""
    return config.telegram.staff_chat_id is not None and chat_id == config.telegram.staff_chat_id


def console_role(config: AppConfig, user_id: int) -> str | None:
    """The web role of one of the console's personas ("admin", "staff", "moderator") while console.web_roles."""
    if not config.console.web_roles:
        return None
    return {CONSOLE_ADMIN: "admin", CONSOLE_STAFF: "staff", CONSOLE_MODERATOR: "moderator"}.get(user_id)
