"""Login to the web page without passwords: signed single-use links, and the web roles read from config.

A link carries the user's Telegram id and a random nonce, signed with itsdangerous and valid for
LINK_MINUTES. It is spent by recording the nonce in the audit log, so a link works once even across
restarts. The signing key comes from ASPIRASI_WEB_SECRET, else from a random key kept in data_dir.
"""

import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import Session, select

from models.audit import AuditEntry, record
from services.access.roles import console_role, is_admin, moderated_forums
from services.core.config import AppConfig

LINK_MINUTES = 10
SECRET_FILE = "web_secret.key"
_SALT = "aspirasi-web-login"
_spend_lock = threading.Lock()


class LoginError(Exception):
    """A link that cannot log anyone in; `key` names the text to show (expired, used, invalid, no role)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class Viewer:
    """Who is looking at the page and what they may see and do; derived from config on every request."""

    user_id: int
    role: str  # "admin", "staff" or "moderator"
    forums: frozenset[str]  # forums whose clusters they see

    @property
    def sees_all(self) -> bool:
        """Staff and admins see every forum."""
        return self.role in ("admin", "staff")

    @property
    def can_answer(self) -> bool:
        """Staff and admins answer clusters and change their status."""
        return self.role in ("admin", "staff")

    @property
    def actor(self) -> str:
        """The name in the audit log, e.g. "staff:123"."""
        return f"{self.role}:{self.user_id}"


def viewer_for(config: AppConfig, user_id: int, *, console: bool = True) -> Viewer | None:
    """The web role of a user (admin, then staff, then moderator), or None for residents.

    With `console`, the console's personas have their roles too (config's console.web_roles): the web page
    and the CLI say so, a Telegram /web does not (a real Telegram user may carry one of those ids)."""
    every = frozenset(f.id for f in config.forums)
    if is_admin(config, user_id):
        return Viewer(user_id, "admin", every)
    if user_id in config.telegram.staff_ids:
        return Viewer(user_id, "staff", every)
    forums = frozenset(f.id for f in moderated_forums(config, user_id))
    if forums:
        return Viewer(user_id, "moderator", forums)
    role = console_role(config, user_id) if console else None
    return Viewer(user_id, role, every) if role else None


def signing_key(data_dir: Path) -> str:
    """ASPIRASI_WEB_SECRET, else a random key made once and kept (owner-only) in data_dir."""
    from_env = os.environ.get("ASPIRASI_WEB_SECRET")
    if from_env:
        return from_env
    path = data_dir / SECRET_FILE
    if not path.is_file():
        data_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _serializer(key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(key, salt=_SALT)


def make_link(*, config: AppConfig, key: str, user_id: int, console: bool = True) -> str:
    """A login link for a user with a web role; raise LoginError("web_no_role") for anyone else."""
    if viewer_for(config, user_id, console=console) is None:
        raise LoginError("web_no_role")
    token = _serializer(key).dumps({"u": user_id, "n": secrets.token_hex(12)})
    return f"{config.web.base_url}/masuk/{token}"


def read_token(*, key: str, token: str) -> tuple[int, str]:
    """The user id and nonce a link carries; raise LoginError when it is forged or older than 10 minutes."""
    try:
        data = _serializer(key).loads(token, max_age=LINK_MINUTES * 60)
    except SignatureExpired as exc:
        raise LoginError("web_link_expired") from exc
    except BadSignature as exc:
        raise LoginError("web_link_invalid") from exc
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("n"), str):
        raise LoginError("web_link_invalid")
    return data["u"], data["n"]


def spend_token(*, session: Session, config: AppConfig, key: str, token: str) -> Viewer:
    """Check a link, spend it (recorded in the audit log) and return who logs in."""
    user_id, nonce = read_token(key=key, token=token)
    viewer = viewer_for(config, user_id)
    if viewer is None:
        raise LoginError("web_no_role")
    target = f"weblogin:{nonce}"
    with _spend_lock:
        if session.exec(select(AuditEntry.id).where(AuditEntry.target == target)).first() is not None:
            raise LoginError("web_link_used")
        record(session=session, actor=viewer.actor, action="web_login", target=target)
        session.commit()  # spent before the lock is released: a second request sees it
    return viewer
