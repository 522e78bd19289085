"""Who is asking and whether they may: the session, roles from config on every request, CSRF, headers."""

import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.config import AppConfig
from services.photo_cache import PhotoSource
from services.weblogin import Viewer, viewer_for

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'")
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),  # a login link in the address bar never leaks to another site
    (b"permissions-policy", b"geolocation=(), camera=(), microphone=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


@dataclass(frozen=True)
class WebContext:
    """What every request needs: config, database, the signing key."""

    config: AppConfig
    engine: Engine
    key: str
    geojson: Path | None
    photos: PhotoSource | None = None  # residents' photos: the cache folder and the Bot API download


def context_of(request: Request) -> WebContext:
    """The app's shared context."""
    value = request.app.state.web
    assert isinstance(value, WebContext)
    return value


def current_viewer(request: Request) -> Viewer | None:
    """The logged-in person with the role config gives them now, or None (no session, expired, no role)."""
    ctx = context_of(request)
    user_id, since = request.session.get("uid"), request.session.get("since")
    if not isinstance(user_id, int) or not isinstance(since, (int, float)):
        return None
    if time.time() - since > ctx.config.web.session_hours * 3600:
        request.session.clear()
        return None
    return viewer_for(ctx.config, user_id)


def require_viewer(request: Request) -> Viewer:
    """The logged-in person, or a 401 that asks them to log in."""
    viewer = current_viewer(request)
    if viewer is None:
        raise HTTPException(401)
    return viewer


def start_session(request: Request, viewer: Viewer) -> None:
    """Begin a new session for a person (a fresh CSRF token, the time it started)."""
    request.session.clear()
    request.session.update({"uid": viewer.user_id, "since": time.time(), "csrf": secrets.token_urlsafe(32)})


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, form: FormData) -> None:
    """Refuse a form without the session's CSRF token (403)."""
    sent, expected = form.get("csrf"), request.session.get("csrf")
    if not isinstance(sent, str) or not isinstance(expected, str) or not secrets.compare_digest(sent, expected):
        raise HTTPException(403, "csrf")


class SecurityHeaders:
    """Add the security headers to every response, and no-store to pages (they carry personal data)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", [])) + HEADERS
                headers.append((b"cache-control", b"public, max-age=3600" if static else b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
