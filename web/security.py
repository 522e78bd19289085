"""Who is asking and whether they may: the session, roles from config on every request, CSRF, headers."""

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from models.clusters import Cluster, get_cluster_by_code
from models.db import session_scope
from models.websessions import live_user
from services.access.weblogin import Viewer, viewer_for
from services.answers.photo_cache import PhotoSource
from services.core.config import AppConfig

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
access_log = logging.getLogger("web.access")
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")  # when base_url is https


@dataclass(frozen=True)
class WebContext:
    """What every request needs: config, database, the signing key."""

    config: AppConfig
    engine: Engine
    key: str
    photos: PhotoSource | None = None  # residents' photos: the cache folder and the Bot API download


def context_of(request: Request) -> WebContext:
    """The app's shared context."""
    value = request.app.state.web
    assert isinstance(value, WebContext)
    return value


def current_viewer(request: Request) -> Viewer | None:
    """The logged-in person with the role config gives them now, or None (no session, ended or expired on the
    server, no role). Looked up once per request."""
    if "viewer" in request.scope.get("state", {}):
        return request.state.viewer  # type: ignore[no-any-return]
    ctx, session_id, user_id = context_of(request), request.session.get("sid"), None
    if isinstance(session_id, str):
        with session_scope(ctx.engine) as session:
            user_id = live_user(session=session, session_id=session_id,
                                max_age=timedelta(hours=ctx.config.web.session_hours))
        if user_id is None:
            request.session.clear()  # logged out or expired: the cookie is worth nothing
    request.state.viewer = viewer = viewer_for(ctx.config, user_id) if user_id is not None else None
    return viewer


def require_viewer(request: Request) -> Viewer:
    """The logged-in person, or a 401 that asks them to log in."""
    viewer = current_viewer(request)
    if viewer is None:
        raise HTTPException(401)
    return viewer


def start_session(request: Request, viewer: Viewer, session_id: str) -> None:
    """Begin a new session for a person: the cookie names the stored session, with a fresh CSRF token."""
    request.session.clear()
    request.session.update({"sid": session_id, "csrf": secrets.token_urlsafe(32)})
    request.state.viewer = viewer


def redirect_to(request: Request, name: str, **params: str) -> RedirectResponse:
    """A 303 to a named page at web.base_url (never at the Host header a client sent)."""
    base = context_of(request).config.web.base_url
    return RedirectResponse(base + str(request.app.url_path_for(name, **params)), status_code=303)


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
    """Add the security headers to every response (HSTS when the page is served over https), and no-store to
    pages (they carry personal data)."""

    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app = app
        self.headers = [*HEADERS, HSTS] if hsts else HEADERS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", [])) + self.headers
                headers.append((b"cache-control", b"public, max-age=3600" if static else b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def loggable_path(path: str) -> str:
    """A request path as the access log may show it: a login link's token never (the query is never logged)."""
    return "/masuk/*" if path.startswith("/masuk/") else path


class AccessLog:
    """One log line per request (method, path without its query or login token, status), through the logging
    privacy filter; uvicorn's own access log is off (bot.serve.web_server)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = [500]

        async def send_noting_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            access_log.info("%s %s %d", scope["method"], loggable_path(scope["path"]), status[0])


def visible_cluster(session: Session, viewer: Viewer, code: str) -> Cluster:
    """A cluster the viewer may see (its home forum is theirs), or 404."""
    cluster = get_cluster_by_code(session=session, code=code)
    if cluster is None or cluster.hidden or cluster.merged_into_id is not None:
        raise HTTPException(404)
    if not viewer.sees_all and cluster.home_forum_id not in viewer.forums:
        raise HTTPException(404)
    return cluster
