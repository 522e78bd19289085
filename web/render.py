"""Pages rendered with Jinja2: the texts, dates and labels every template uses."""

from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import pass_context
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from services.core import formats
from services.core.config import AppConfig
from services.core.texts import status_label
from services.core.texts_web import long_date, tw
from web.security import csrf_token, current_viewer


@pass_context
def _path_for(context: Any, name: str, /, **params: Any) -> str:
    """The path of a named route."""
    return str(context["request"].app.url_path_for(name, **params))


def make_templates(config: AppConfig, folder: Path) -> Jinja2Templates:
    """Jinja2 with the texts, dates and labels every template uses."""
    templates = Jinja2Templates(directory=str(folder))
    tz = config.city.tz
    env = templates.env
    env.globals.update(tw=tw, status_label=status_label, config=config,
                       category_label=lambda code: config.categories[code].label
                       if code in config.categories else (code or "-"))
    env.globals["url_for"] = _path_for  # paths, not absolute URLs: right behind any reverse proxy
    env.filters["when"] = lambda moment: long_date(moment, tz) if isinstance(moment, datetime) else ""
    env.filters["day"] = lambda moment: long_date(moment, tz, with_time=False) if isinstance(moment, datetime) else ""
    env.filters["days"] = lambda value: tw("days_value", days=formats.decimal(value))  # "0,0 hari"
    return templates


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    """Render a page with the viewer and the CSRF token in its context."""
    templates: Jinja2Templates = request.app.state.templates
    page = {"viewer": current_viewer(request), "csrf": csrf_token(request), **context}
    return templates.TemplateResponse(request, name, page, status_code=status_code)


