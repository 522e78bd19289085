"""`aspirasi run` with web.enabled: the bot polls and the web page is served in the same process and loop."""

import asyncio
import re
import socket

import httpx

from bot.app import build_application
from bot.cli_web import build_web
from bot.console import CONSOLE_TOKEN, console_settings
from bot.fake_updates import UpdateMaker
from bot.memory_api import MemoryBotAPI
from bot.serve import serve_bot_and_web
from bot.settings import Settings
from nlp.embed import Embedder

MODERATOR = 900_002  # the console's moderator persona


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _until(check, what: str) -> None:  # type: ignore[no-untyped-def]
    """Wait (up to 600 polls) until check() is true."""
    for _ in range(600):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


async def test_polling_bot_and_web_page_in_one_loop(settings: Settings, embedder: Embedder) -> None:
    port = _free_port()
    settings = console_settings(settings)
    web = settings.config.web.model_copy(update={"enabled": True, "port": port, "base_url": f"http://127.0.0.1:{port}"})
    settings.config = settings.config.model_copy(update={"web": web})
    api = MemoryBotAPI()
    application = build_application(settings, request=api, token=CONSOLE_TOKEN, rate_limit=False, embedder=embedder)
    stop, web_app = asyncio.Event(), build_web(settings)
    running = asyncio.create_task(serve_bot_and_web(application, web_app, host="127.0.0.1", port=port,
                                                    allowed_updates=["message"], stop=stop))
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base) as client:
        async def up() -> bool:
            try:
                return (await client.get("/")).status_code == 401
            except httpx.ConnectError:
                return False

        await _until(up, "the web page answers")
        api.queue_update(UpdateMaker(start_update_id=50).text(MODERATOR, "/web"))  # polled like Telegram's
        await _until(lambda: asyncio.sleep(0, bool(api.texts(MODERATOR))), "the bot answers /web")
        link = re.search(rf"{re.escape(base)}(/masuk/[\w.-]+)", api.texts(MODERATOR)[-1])
        assert link, api.texts(MODERATOR)
        page = await client.get(link.group(1))
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf
        await client.post(link.group(1), data={"csrf": csrf.group(1)})
        assert "Masuk sebagai moderator forum" in (await client.get("/")).text
    stop.set()
    await running
    web_app.state.web.engine.dispose()
    assert not application.running


def test_web_page_mounts_beside_a_webhook_route(settings: Settings) -> None:
    """The shape `run --webhook` uses: the webhook's route first, the whole page mounted after it."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route
    from starlette.testclient import TestClient

    from bot.cli_web import web_routes
    from services.weblogin import make_link, signing_key

    async def hook(request: Request) -> PlainTextResponse:
        return PlainTextResponse("update stored")

    settings = console_settings(settings)
    mounted = web_routes(settings)
    outer = Starlette(routes=[Route("/tg", hook, methods=["POST"]), *mounted])
    with TestClient(outer, base_url="http://127.0.0.1:8080") as client:
        assert client.post("/tg").text == "update stored"
        assert client.get("/").status_code == 401 and "content-security-policy" in client.get("/").headers
        link = make_link(config=settings.config, key=signing_key(settings.data_dir), user_id=MODERATOR)
        path = link.removeprefix(settings.config.web.base_url)
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
        assert csrf
        assert 'href="/kelompok"' in client.post(path, data={"csrf": csrf.group(1)}).text
    mounted[0].app.state.web.engine.dispose()  # type: ignore[attr-defined]
