"""The webhook (our Starlette app on uvicorn, as `aspirasi run --webhook` serves it): a constant-time secret
check, a 1 MB body limit checked before reading, and each update stored before the 200."""

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlmodel import Session
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from bot.app import build_application
from bot.console import CONSOLE_TOKEN, console_settings
from bot.fake_updates import UpdateMaker
from bot.memory_api import MemoryBotAPI
from bot.settings import Settings
from bot.webhook import MAX_BODY_BYTES, serve_webhook, webhook_app, webhook_server
from handlers.deps import deps
from models.updates import InboundUpdate
from nlp.embed import Embedder
from tests.conftest import RESIDENT

SECRET = "rahasia-123"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Served:
    """The bot behind its webhook server on a local port, on the in-memory Bot API."""

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.api = MemoryBotAPI()
        self.app = build_application(console_settings(settings), request=self.api, token=CONSOLE_TOKEN,
                                     rate_limit=False, embedder=embedder, webhook=True)
        hello = Route("/halo", lambda request: PlainTextResponse("halo"))  # another page in the same app
        self.asgi = webhook_app(self.app, path="tg", secret=SECRET, extra_routes=[hello])
        self.port = free_port()
        self.server = webhook_server(self.asgi, listen="127.0.0.1", port=self.port)


@pytest.fixture
async def served(settings: Settings, embedder: Embedder) -> AsyncIterator[Served]:
    bot = Served(settings, embedder)
    task = asyncio.create_task(serve_webhook(bot.app, bot.server, url="https://contoh.invalid/tg", secret=SECRET))
    while not bot.server.started:
        assert not task.done(), task.exception()
        await asyncio.sleep(0.05)
    try:
        yield bot
    finally:
        bot.server.should_exit = True
        await task


async def test_webhook_refuses_a_wrong_secret_and_stores_a_right_one(served: Served) -> None:
    assert served.api.sent(method="setWebhook")[0].params["secret_token"] == SECRET
    update = UpdateMaker().text(RESIDENT, "/start")
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{served.port}") as client:
        wrong = await client.post("/tg", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "salah"})
        missing = await client.post("/tg", json=update)
        right = await client.post("/tg", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
        page = await client.get("/halo")
    assert (wrong.status_code, missing.status_code, right.status_code) == (403, 403, 200)
    assert page.text == "halo"
    with Session(deps(served.app).engine) as session:
        assert session.get(InboundUpdate, update["update_id"]) is not None  # stored before the 200
    await served.app.update_queue.join()
    assert "UU No. 27 Tahun 2022" in served.api.texts(RESIDENT)[-1]


async def call(asgi: Any, headers: dict[str, str], chunks: list[bytes]) -> tuple[int, int]:
    """POST through the ASGI app directly; return the status and how many body chunks it read."""
    read = 0
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal read
        read += 1
        more = read < len(chunks)
        return {"type": "http.request", "body": chunks[read - 1] if read <= len(chunks) else b"", "more_body": more}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {"type": "http", "method": "POST", "path": "/tg", "raw_path": b"/tg", "query_string": b"",
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()], "http_version": "1.1",
             "scheme": "http", "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1), "root_path": ""}
    await asgi(scope, receive, send)
    return status, read


async def test_big_bodies_and_wrong_secrets_are_refused_before_the_body_is_read(
    settings: Settings, embedder: Embedder
) -> None:
    bot = Served(settings, embedder)
    sixty_mb = [b"x" * 1_048_576] * 60
    wrong = {"x-telegram-bot-api-secret-token": "salah", "content-length": str(60 * 1_048_576)}
    assert await call(bot.asgi, wrong, sixty_mb) == (403, 0)
    declared = {"x-telegram-bot-api-secret-token": SECRET, "content-length": str(60 * 1_048_576)}
    assert await call(bot.asgi, declared, sixty_mb) == (413, 0)
    chunked = {"x-telegram-bot-api-secret-token": SECRET}  # no Content-Length: stopped while streaming
    status, read = await call(bot.asgi, chunked, sixty_mb)
    assert status == 413 and read == 2 and MAX_BODY_BYTES < 2 * 1_048_576
    not_json = {"x-telegram-bot-api-secret-token": SECRET}
    assert (await call(bot.asgi, not_json, [json.dumps({"hallo": 1}).encode()]))[0] == 400
