"""The web page for planners and moderators: a small Starlette app over the bot's database.

`create_app` builds it; `aspirasi web` serves it alone and `aspirasi run` beside the bot. Pages are
plain `def` endpoints (the database is synchronous; Starlette runs them in its thread pool); forms are
`async` only to read the body, and do their database work in the thread pool too.
"""

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from services.answers.photo_cache import PhotoSource
from services.core.config import AppConfig
from services.core.texts_web import tw
from web import actions, attachments, bansos, downloads, login, pages
from web.reload import ConfigReload
from web.render import make_templates, render
from web.security import AccessLog, SecurityHeaders, WebContext

HERE = Path(__file__).parent
COOKIE = "aspirasi_sesi"
ERROR_TEXTS = {401: ("login_needed_title", "login_needed"), 403: ("forbidden_title", "csrf_failed"),
               404: ("not_found_title", "not_found")}


async def _error(request: Request, exc: Exception) -> Response:
    """A readable Indonesian page for 401, 403 and 404."""
    code = exc.status_code if isinstance(exc, HTTPException) else 500
    title, text = ERROR_TEXTS.get(code, ("not_found_title", "not_found"))
    if code == 403 and isinstance(exc, HTTPException) and exc.detail == "role":
        text = "forbidden_role"
    return render(request, "error.html", {"title": tw(title), "message": tw(text)}, status_code=code)


def routes(extra: list[BaseRoute] | None = None) -> list[BaseRoute]:
    """Every route of the page (plus any the caller mounts beside them, e.g. the Telegram webhook)."""
    return [
        Route("/", pages.summary, name="summary"),
        Route("/kelompok", pages.cluster_list, name="clusters"),
        Route("/kelompok/{code}", pages.cluster_page, name="cluster"),
        Route("/kelompok/{code}/foto/{asp}", attachments.photo, name="photo"),
        Route("/kelompok/{code}/jawab", actions.answer, methods=["POST"], name="answer"),
        Route("/kelompok/{code}/status", actions.status, methods=["POST"], name="status"),
        Route("/kelompok/{code}/judul", actions.rename, methods=["POST"], name="rename"),
        Route("/kelompok/{code}/kategori", actions.recategorise, methods=["POST"], name="recategorise"),
        Route("/peta", pages.map_page, name="map"),
        Route("/bansos", bansos.bansos_page, name="bansos"),
        Route("/bansos/ekspor.xlsx", bansos.bansos_export, name="bansos_export"),
        Route("/ekspor", downloads.export_page, name="export"),
        Route("/ekspor/kelompok.csv", downloads.export_csv, name="export_csv"),
        Route("/ekspor/kelompok.xlsx", downloads.export_xlsx, name="export_xlsx"),
        Route("/ekspor/musrenbang.xlsx", downloads.export_musrenbang, name="export_musrenbang"),
        Route("/masuk/{token}", login.confirm_page, name="login"),
        Route("/masuk/{token}", login.confirm, methods=["POST"], name="login_post"),
        Route("/keluar", login.logout, methods=["POST"], name="logout"),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
        *(extra or []),
    ]


def create_app(
    *, config: AppConfig, engine: Engine, key: str, extra_routes: list[BaseRoute] | None = None,
    photos: PhotoSource | None = None, config_file: tuple[Path, Callable[[Path], AppConfig]] | None = None,
) -> Starlette:
    """Build the web app over a database; `key` signs login links and session cookies; `photos` shows residents'
    photos (none without it). With `config_file` (its path and loader), a change of the file applies to the next
    request (roles too)."""
    https = config.web.base_url.startswith("https://")
    reload = [] if config_file is None else [
        Middleware(ConfigReload, path=config_file[0], load=config_file[1], templates=HERE / "templates")]
    app = Starlette(
        routes=routes(extra_routes),
        middleware=[
            Middleware(AccessLog),
            Middleware(SecurityHeaders, hsts=https),
            *reload,
            Middleware(SessionMiddleware, secret_key=key, session_cookie=COOKIE, same_site="lax",
                       https_only=https, max_age=int(config.web.session_hours * 3600)),
        ],
        exception_handlers={401: _error, 403: _error, 404: _error},
    )
    app.state.web = WebContext(config=config, engine=engine, key=key, photos=photos)
    app.state.templates = make_templates(config, HERE / "templates")
    return app
