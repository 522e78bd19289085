"""`aspirasi run [--webhook]` with web.enabled: the bot and the web page (at web.host:web.port) in one process
and loop."""

import asyncio
import json
import re
import socket

import httpx
from pydantic import SecretStr

from bot.app import build_application
from bot.console import CONSOLE_TOKEN, console_settings
from bot.fake_updates import UpdateMaker
from bot.memory_api import MemoryBotAPI
from bot.serve import build_web, serve_bot_and_web, webhook_listeners
from bot.settings import Settings
from bot.webhook import serve_webhook
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


async def test_run_webhook_serves_the_web_page_on_its_own_listener(settings: Settings, embedder: Embedder) -> None:
    """The shape `run --webhook` uses: Telegram's route on the webhook listener, the page at web.host:web.port."""
    hook_port, web_port = _free_port(), _free_port()
    settings = console_settings(settings)
    config = settings.config
    web = config.web.model_copy(update={"enabled": True, "port": web_port, "base_url": f"http://127.0.0.1:{web_port}"})
    hook = config.telegram.webhook.model_copy(update={"listen": "127.0.0.1", "port": hook_port,
                                                      "url": "https://bot.example.id/tg"})
    settings = Settings(config.model_copy(update={"web": web, "telegram": config.telegram.model_copy(
        update={"webhook": hook})}), settings.secrets.model_copy(update={
            "telegram_webhook_secret": SecretStr("s3cret")}), settings.config_path)
    api = MemoryBotAPI()
    application = build_application(settings, request=api, token=CONSOLE_TOKEN, rate_limit=False, embedder=embedder,
                                    webhook=True)
    server, *beside = webhook_listeners(settings, application)
    running = asyncio.create_task(serve_webhook(application, server, url=hook.url or "", secret="s3cret",
                                                beside=beside))
    update = UpdateMaker(start_update_id=70).text(MODERATOR, "/web")
    async with httpx.AsyncClient() as client:
        async def up() -> bool:
            try:
                return (await client.get(f"http://127.0.0.1:{web_port}/")).status_code == 401 and (
                    await client.get(f"http://127.0.0.1:{hook_port}/")).status_code == 404
            except httpx.ConnectError:
                return False

        await _until(up, "both listeners answer")
        posted = await client.post(f"http://127.0.0.1:{hook_port}/tg", content=json.dumps(update),
                                   headers={"x-telegram-bot-api-secret-token": "s3cret"})
        assert posted.status_code == 200
        await _until(lambda: asyncio.sleep(0, bool(api.texts(MODERATOR))), "the bot answers /web")
        assert f"http://127.0.0.1:{web_port}/masuk/" in api.texts(MODERATOR)[-1]
    server.should_exit = True
    await running
    beside[0].config.app.state.web.engine.dispose()
