"""One staff answer reaches every resident of a cluster exactly once: flood control, a block and a crash."""

import asyncio
import io
import time
from collections import Counter
from typing import Any

from sqlmodel import Session, select
from telegram.error import TimedOut

from bot.console import Console
from bot.memory_api import Failure, MemoryBotAPI
from bot.settings import Settings
from handlers.outbox_worker import running_worker
from models.outbox import OutboxMessage, OutboxState
from models.residents import Resident
from nlp.embed import Embedder
from tests.handlers.answers_seed import (
    STAFF_CHAT,
    STAFF_USER,
    engine_of,
    post_to_staff,
    seed_cluster,
    wait_until_sent,
)

ANSWER = "Perbaikan dijadwalkan bulan depan oleh Dinas PUPR."


def answers_per_chat(*apis: MemoryBotAPI) -> Counter[int]:
    """How many copies of the answer each resident chat got, over every process."""
    return Counter(chat for api in apis for (chat, _), m in api.messages.items()
                   if chat > 0 and ANSWER in str(m.get("text", "")))


async def test_answer_to_300_residents_reaches_each_exactly_once(console: Console) -> None:
    cluster_id, chats = seed_cluster(engine_of(console), 300)
    staff_message = await post_to_staff(console, cluster_id)
    await console.send(console.maker.reply_to(STAFF_USER, staff_message, ANSWER, chat_id=STAFF_CHAT))
    await wait_until_sent(console)
    assert answers_per_chat(console.api) == Counter(dict.fromkeys(chats, 1))
    assert "300" in console.api.texts(STAFF_CHAT)[-1]
    text = next(m["text"] for (c, _), m in console.api.messages.items() if c == chats[0])
    assert "K-" in text and "Pattimura" in text and "Balas" in text


class Faults:
    """Flood control once, one resident who blocked the bot, and a crash after `crash_after` accepted sends."""

    def __init__(self, blocked: int, crash_after: int | None) -> None:
        self.blocked, self.crash_after = blocked, crash_after
        self.accepted, self.flooded, self.crashed = 0, False, False

    def __call__(self, method: str, params: dict[str, Any]) -> Failure | None:
        chat = int(params.get("chat_id", 0))
        if method != "sendMessage" or chat <= 0:
            return None
        if chat == self.blocked:
            return 403, "Forbidden: bot was blocked by the user", {}
        if self.crashed or (self.crash_after is not None and self.accepted >= self.crash_after):
            self.crashed = True
            raise asyncio.CancelledError  # the process dies before Telegram gets this call
        if self.accepted == 60 and not self.flooded:
            self.flooded = True
            return 429, "Too Many Requests: retry after 1", {"retry_after": 1}
        self.accepted += 1
        return None


async def test_flood_control_block_and_crash_still_deliver_exactly_once(
    settings: Settings, embedder: Embedder
) -> None:
    first = Console(settings, io.StringIO(), embedder=embedder)
    await first.start()
    cluster_id, chats = seed_cluster(engine_of(first), 300)
    blocked = chats[37]
    first.api.inject = faults = Faults(blocked, crash_after=120)
    staff_message = await post_to_staff(first, cluster_id)
    await first.send(first.maker.reply_to(STAFF_USER, staff_message, ANSWER, chat_id=STAFF_CHAT))
    deadline = time.monotonic() + 30
    while not faults.crashed:  # the background worker sends until the "crash"
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    assert faults.flooded and faults.accepted == 120
    worker = running_worker(first.app)
    while worker is not None and worker.busy:  # the sends already under way die too (a real crash ends them)
        await asyncio.sleep(0.01)
    await first.stop()

    # the restart, on the same database: rows the crash left `sending` are sent again at start
    second = Console(settings, io.StringIO(), embedder=embedder)
    second.api.inject = Faults(blocked, crash_after=None)
    await second.start()
    try:
        await wait_until_sent(second)
        with Session(engine_of(second)) as session:
            resident = session.exec(select(Resident).where(Resident.telegram_id == blocked)).one()
            row = session.exec(select(OutboxMessage).where(OutboxMessage.chat_id == blocked)).one()
    finally:
        await second.stop()
    expected = Counter({chat: 1 for chat in chats if chat != blocked})
    assert answers_per_chat(first.api, second.api) == expected
    assert resident.active is False and row.state == OutboxState.BLOCKED


async def test_timeouts_retry_with_backoff_and_bad_requests_are_dropped(console: Console) -> None:
    cluster_id, chats = seed_cluster(engine_of(console), 3)
    timeouts = {chats[0]: 1}

    def inject(method: str, params: dict[str, Any]) -> Failure | None:
        chat = int(params.get("chat_id", 0))
        if method == "sendMessage" and timeouts.get(chat, 0) > 0:
            timeouts[chat] -= 1
            return TimedOut()
        return (400, "Bad Request: chat not found", {}) if chat == chats[1] else None

    console.api.inject = inject
    staff_message = await post_to_staff(console, cluster_id)
    await console.send(console.maker.reply_to(STAFF_USER, staff_message, ANSWER, chat_id=STAFF_CHAT))
    await wait_until_sent(console, timeout=30)
    assert answers_per_chat(console.api) == Counter({chats[0]: 1, chats[2]: 1})
    with Session(engine_of(console)) as session:
        states = {r.chat_id: (r.state, r.attempts) for r in session.exec(select(OutboxMessage))}
    assert states[chats[0]] == (OutboxState.SENT, 2)
    assert states[chats[1]][0] == OutboxState.FAILED
