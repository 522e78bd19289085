"""/web in Telegram: a login link for moderators, staff and admins that logs in once; residents get a polite no."""

import re
from pathlib import Path

from starlette.applications import Starlette
from starlette.testclient import TestClient

from bot.console import PERSONAS, Console
from bot.serve import build_web
from bot.settings import Settings, load_config
from handlers.deps import deps
from services.access.weblogin import signing_key, viewer_for
from tests.conftest import RESIDENT, ROOT
from tests.handlers.answers_seed import engine_of
from tests.handlers.moderation_seed import MODERATOR, command
from web.app import create_app

LINK = re.compile(r"(http://127\.0\.0\.1:8080(/masuk/[\w.-]+))")


def _client(console: Console) -> TestClient:
    config = deps(console.app).config
    app = create_app(config=config, engine=engine_of(console), key=signing_key(Path(config.data_dir)))
    return TestClient(app, base_url="http://127.0.0.1:8080")


async def test_moderator_link_logs_in_once(console: Console) -> None:
    text = await command(console, MODERATOR, "/web")
    match = LINK.search(text)
    assert match, text
    assert "10 menit" in text
    with _client(console) as client:
        page = client.get(match.group(2))
        assert page.status_code == 200 and "Masuk sekarang" in page.text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf
        assert client.post(match.group(2), data={"csrf": csrf.group(1)}).status_code == 200
        assert "moderator forum" in client.get("/").text


async def test_staff_and_admin_get_links_residents_do_not(console: Console) -> None:
    assert LINK.search(await command(console, PERSONAS["staf"].user_id, "/web"))
    assert LINK.search(await command(console, PERSONAS["admin"].user_id, "/web"))
    refused = await command(console, RESIDENT, "/web")
    assert "hanya untuk moderator forum, staf perencanaan, dan admin" in refused and "/masuk/" not in refused


async def test_console_personas_links_open_the_page_aspirasi_web_serves(console: Console, settings: Settings) -> None:
    """The console's moderator, staff and admin get links that `aspirasi web` accepts: it reads their roles from
    the config file (console.web_roles), not from the console's own process."""
    app = build_web(settings)  # as `aspirasi web` and `aspirasi run`'s page build it
    try:
        await _log_in_as_personas(console, app)
    finally:
        app.state.web.engine.dispose()


async def _log_in_as_personas(console: Console, app: Starlette) -> None:
    """Each privileged persona's /web link logs in on the app, with that persona's role."""
    for persona, role in (("moderator", "moderator forum"), ("staf", "staf perencanaan"), ("admin", "admin")):
        match = LINK.search(await command(console, PERSONAS[persona].user_id, "/web"))
        assert match, persona
        with TestClient(app, base_url="http://127.0.0.1:8080") as client:
            page = client.get(match.group(2))
            assert page.status_code == 200 and "Masuk sekarang" in page.text, page.text
            csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
            assert csrf
            done = client.post(match.group(2), data={"csrf": csrf.group(1)}, follow_redirects=False)
            assert done.status_code == 303, done.text
            assert f"Masuk sebagai {role}" in client.get("/").text


def test_console_ids_have_no_role_in_telegram_and_none_when_switched_off() -> None:
    config = load_config(ROOT / "config.yaml")
    assert config.console.web_roles is True
    admin = viewer_for(config, PERSONAS["admin"].user_id)
    assert admin is not None and admin.role == "admin"
    assert viewer_for(config, PERSONAS["admin"].user_id, console=False) is None  # a Telegram /web
    off = config.model_copy(update={"console": config.console.model_copy(update={"web_roles": False})})
    assert viewer_for(off, PERSONAS["moderator"].user_id) is None
