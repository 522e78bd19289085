"""/web in Telegram: a login link for moderators, staff and admins that logs in once; residents get a polite no."""

import re
from pathlib import Path

from starlette.testclient import TestClient

from bot.console import PERSONAS, Console
from handlers.deps import deps
from services.weblogin import signing_key
from tests.conftest import RESIDENT
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
