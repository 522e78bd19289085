"""The webhook checks Telegram's secret token and stores each update before answering 200."""

import socket

import httpx
from sqlmodel import Session

from bot.console import Console
from models.updates import InboundUpdate
from tests.conftest import RESIDENT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_webhook_refuses_a_wrong_secret_and_stores_a_right_one(console: Console) -> None:
    port = free_port()
    updater = console.app.updater
    assert updater is not None
    await updater.start_webhook(listen="127.0.0.1", port=port, url_path="tg", secret_token="rahasia-123",
                                webhook_url="https://contoh.invalid/tg")
    update = console.maker.text(RESIDENT, "/start")
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            wrong = await client.post("/tg", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "salah"})
            right = await client.post("/tg", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "rahasia-123"})
        assert wrong.status_code == 403 and right.status_code == 200
        with Session(console.app.bot_data["deps"].engine) as session:
            assert session.get(InboundUpdate, update["update_id"]) is not None  # stored before the 200
        await console.app.update_queue.join()
        assert "UU No. 27 Tahun 2022" in console.api.texts(RESIDENT)[-1]
    finally:
        await updater.stop()
