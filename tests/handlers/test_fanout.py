"""One staff answer reaches every resident of a cluster exactly once: flood control, a block and a crash.

Timing is judged from the send times the in-memory Bot API saw, as orderings and rates that a slow machine can
only make easier to meet; waits fail only when nothing moves (a hang), never because a run was slow.
"""

import asyncio
import io
import time
from collections import Counter
from collections.abc import Callable
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
        self.calls: list[tuple[float, int]] = []  # (time, chat) of every sendMessage to a resident
        self.flood: tuple[float, int] | None = None

    def __call__(self, method: str, params: dict[str, Any]) -> Failure | None:
        chat = int(params.get("chat_id", 0))
        if method != "sendMessage" or chat <= 0:
            return None
        self.calls.append((time.monotonic(), chat))
        if chat == self.blocked:
            return 403, "Forbidden: bot was blocked by the user", {}
        if self.crashed or (self.crash_after is not None and self.accepted >= self.crash_after):
            self.crashed = True
            raise asyncio.CancelledError  # the process dies before Telegram gets this call
        if self.accepted == 60 and not self.flooded:
            self.flooded, self.flood = True, (time.monotonic(), chat)
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
    await until(lambda: faults.crashed, progress=lambda: len(faults.calls))  # the worker sends until the "crash"
    assert faults.flooded and faults.accepted == 120
    worker = running_worker(first.app)
    while worker is not None and worker.busy:  # the sends already under way die too (a real crash ends them)
        await asyncio.sleep(0.01)
    await first.stop()

    # the restart, on the same database: rows the crash left `sending` are sent again at start
    second = Console(settings, io.StringIO(), embedder=embedder)
    second.api.inject = after_restart = Faults(blocked, crash_after=None)
    after_restart.calls = faults.calls  # one record of send times over both processes
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
    assert faults.flood is not None
    flood_at, flooded_chat = faults.flood
    retried_at = next(at for at, chat in faults.calls if chat == flooded_chat and at > flood_at)
    assert retried_at - flood_at >= 1.0  # the flooded message waited as Telegram said (retry_after 1)


async def until(done: Callable[[], bool], *, progress: Callable[[], int], stall: float = 120.0) -> None:
    """Wait until done(); fail only when progress() has not moved for `stall` seconds (a hang guard)."""
    seen, moved_at = progress(), time.monotonic()
    while not done():
        if progress() != seen:
            seen, moved_at = progress(), time.monotonic()
        assert time.monotonic() - moved_at < stall, "no progress"
        await asyncio.sleep(0.05)


async def test_fan_out_keeps_to_the_overall_rate(settings: Settings, embedder: Embedder) -> None:
    """Sends starting in any stretch of time are at most rate x duration + 2 (one may catch up after a gap);
    those arriving in it add at most the sends already in flight. A slow machine only spreads them out."""
    outbox = settings.config.outbox.model_copy(update={"overall_per_second": 20, "max_in_flight": 4})
    paced = Settings(settings.config.model_copy(update={"outbox": outbox}), settings.secrets, settings.config_path)
    console = Console(paced, io.StringIO(), embedder=embedder)
    await console.start()
    try:
        cluster_id, chats = seed_cluster(engine_of(console), 50)
        console.api.inject = faults = Faults(blocked=0, crash_after=None)
        faults.flooded = True  # no flood control in this run
        staff_message = await post_to_staff(console, cluster_id)
        await console.send(console.maker.reply_to(STAFF_USER, staff_message, ANSWER, chat_id=STAFF_CHAT))
        await wait_until_sent(console)
    finally:
        await console.stop()
    assert answers_per_chat(console.api) == Counter(dict.fromkeys(chats, 1))
    times = sorted(at for at, _ in faults.calls)
    assert len(times) == 50
    assert len(times) - 2 - outbox.max_in_flight <= outbox.overall_per_second * (times[-1] - times[0])


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
    await wait_until_sent(console)
    assert answers_per_chat(console.api) == Counter({chats[0]: 1, chats[2]: 1})
    with Session(engine_of(console)) as session:
        states = {r.chat_id: (r.state, r.attempts) for r in session.exec(select(OutboxMessage))}
    assert states[chats[0]] == (OutboxState.SENT, 2)
    assert states[chats[1]][0] == OutboxState.FAILED
