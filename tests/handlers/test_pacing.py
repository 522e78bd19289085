"""Telegram's limits kept at the moment each call goes out (handlers.pacing), driven by a fake clock: no test
here waits for real time, and every check reads the times the pacer let calls start."""

import asyncio
import itertools
from typing import Any

import pytest
from sqlmodel import Session, select
from telegram.error import RetryAfter
from telegram.ext import ExtBot

from bot.console import CONSOLE_TOKEN
from bot.memory_api import MemoryBotAPI
from handlers.outbox_worker import OutboxWorker
from handlers.pacing import OutboxCall, Pacer, SendingStopped, TelegramLimits
from models.db import make_engine, session_scope, upgrade
from models.outbox import OutboxBase, OutboxMessage, OutboxState, enqueue
from services.core.config import OutboxConfig

LIMITS = OutboxConfig(overall_per_second=30, per_chat_seconds=1.0, group_per_minute=20, margin_seconds=0.1)
GROUP = -100_200


class FakeClock:
    """A clock that moves only when someone sleeps on it."""

    def __init__(self) -> None:
        self.now = 5_000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)  # let the other callers run, as a real sleep would


def most_in_window(times: list[float], window: float) -> int:
    """The most starts in any half-open window [t, t + window) (t ranging over the starts themselves, which is
    where the busiest window begins)."""
    ordered = sorted(times)
    return max((sum(1 for u in ordered[i:] if u - t < window) for i, t in enumerate(ordered)), default=0)


def paced(clock: FakeClock, limits: OutboxConfig = LIMITS) -> Pacer:
    return Pacer(limits, clock=clock, sleep=clock.sleep)


async def starts(pacer: Pacer, clock: FakeClock, chats: list[int], *, per_chat: bool = True) -> list[float]:
    """Acquire a turn for each chat, all at once (as concurrent sends do); return when each started."""
    began: list[float] = []

    async def one(chat: int) -> None:
        await pacer.acquire(chat, per_chat=per_chat)
        began.append(clock())

    await asyncio.gather(*(one(chat) for chat in chats))
    return began


async def test_no_window_of_one_second_and_the_margin_holds_more_than_the_overall_limit() -> None:
    clock = FakeClock()
    times = await starts(paced(clock), clock, list(range(1, 121)))
    assert len(times) == 120
    assert most_in_window(times, 1.1) == 30
    assert most_in_window(times, 1.0) <= 30
    assert times[-1] - times[0] >= 119 * 1.1 / 30 - 1e-9  # the rate is the limit over the margin, no faster


async def test_a_late_call_does_not_let_the_next_ones_crowd_in() -> None:
    clock = FakeClock()
    pacer = paced(clock)
    first = await starts(pacer, clock, list(range(1, 11)))
    clock.now += 0.5  # the event loop was busy: nothing went out for a while
    second = await starts(pacer, clock, list(range(11, 41)))
    gaps = [b - a for a, b in itertools.pairwise(second)]
    assert min(gaps) >= 1.1 / 30 - 1e-9 and most_in_window(first + second, 1.1) <= 30


async def test_a_private_chat_gets_one_outbox_message_per_second_and_the_margin() -> None:
    clock = FakeClock()
    pacer = paced(clock)
    times = sorted(await starts(pacer, clock, [7, 7, 7]))
    assert min(b - a for a, b in itertools.pairwise(times)) >= 1.1 - 1e-9


async def test_direct_calls_keep_the_overall_limit_but_not_the_per_chat_one() -> None:
    clock = FakeClock()
    times = await starts(paced(clock), clock, [7, 7, 7], per_chat=False)
    assert max(times) - min(times) == pytest.approx(2 * 1.1 / 30)


async def test_a_group_gets_at_most_twenty_calls_in_any_minute_and_the_margin() -> None:
    clock = FakeClock()
    pacer = paced(clock, LIMITS.model_copy(update={"per_chat_seconds": 0}))
    times = await starts(pacer, clock, [GROUP] * 45)
    assert most_in_window(times, 60.1) == 20
    assert sorted(times)[20] - sorted(times)[0] >= 60.1 - 1e-9


async def test_a_new_sender_counts_what_the_last_one_sent_to_a_group() -> None:
    clock = FakeClock()
    pacer = paced(clock, LIMITS.model_copy(update={"per_chat_seconds": 0}))
    pacer.seed_group(GROUP, [50.0 - i for i in range(18)] + [300.0])  # 18 in the last minute, one long ago
    began = clock()
    times = await starts(pacer, clock, [GROUP] * 3)
    assert sorted(times)[1] - began < 1  # two more fit in this minute
    assert sorted(times)[2] >= began - 50.0 + 60.1 - 1e-9  # the third waits for the oldest to leave the window


async def test_a_flood_answer_pauses_every_call() -> None:
    clock = FakeClock()
    pacer = paced(clock)
    pacer.pause(5)
    began = clock()
    times = await starts(pacer, clock, [1, 2])
    assert min(times) >= began + 5


async def test_a_stopped_outbox_call_gives_up_its_wait() -> None:
    clock = FakeClock()
    pacer = paced(clock)
    stop = asyncio.Event()
    await pacer.acquire(9, stop=stop)
    second = asyncio.create_task(pacer.acquire(9, stop=stop))  # the chat's second message waits for its turn
    await asyncio.sleep(0)
    stop.set()
    with pytest.raises(SendingStopped):
        await second
    with pytest.raises(SendingStopped):
        await pacer.acquire(10, stop=stop)  # nothing starts once stopped


class Recorder:
    """Stands in for the HTTP request behind the rate limiter: records when each call was made."""

    def __init__(self, clock: FakeClock, fail: Exception | None = None) -> None:
        self.clock, self.fail, self.calls = clock, fail, list[float]()

    async def __call__(self) -> bool:
        self.calls.append(self.clock())
        if self.fail is not None:
            raise self.fail
        return True


async def call(limits: TelegramLimits, recorder: Recorder, endpoint: str, data: dict[str, Any],
               args: OutboxCall | None = None) -> None:
    await limits.process_request(recorder, (), {}, endpoint, data, args)


async def test_the_rate_limiter_paces_calls_into_chats_and_lets_others_through() -> None:
    clock = FakeClock()
    limits = TelegramLimits(LIMITS, pacer=paced(clock))
    recorder = Recorder(clock)
    outbox = OutboxCall()
    await call(limits, recorder, "sendMessage", {"chat_id": 5, "text": "a"}, outbox)
    await call(limits, recorder, "sendMessage", {"chat_id": 5, "text": "b"}, outbox)
    await call(limits, recorder, "answerCallbackQuery", {"callback_query_id": "1"})
    await call(limits, recorder, "editMessageText", {"chat_id": 5, "message_id": 1, "text": "c"})
    assert recorder.calls[1] - recorder.calls[0] >= 1.1 - 1e-9  # the outbox's second message to the chat
    assert recorder.calls[2] == recorder.calls[1]  # answering a button is not a message in a chat
    assert recorder.calls[3] - recorder.calls[1] == pytest.approx(1.1 / 30)  # a direct edit: overall turn only


async def test_without_direct_calls_only_the_outbox_is_paced() -> None:
    clock = FakeClock()
    limits = TelegramLimits(LIMITS, direct_calls=False, pacer=paced(clock))
    recorder = Recorder(clock)
    for _ in range(3):
        await call(limits, recorder, "sendMessage", {"chat_id": GROUP, "text": "x"})
    assert recorder.calls[0] == recorder.calls[-1]


async def test_a_flood_answer_through_the_rate_limiter_pauses_the_next_calls() -> None:
    clock = FakeClock()
    limits = TelegramLimits(LIMITS, pacer=paced(clock))
    with pytest.raises(RetryAfter):
        await call(limits, Recorder(clock, RetryAfter(3)), "sendMessage", {"chat_id": 1, "text": "x"})
    recorder = Recorder(clock)
    began = clock()
    await call(limits, recorder, "sendMessage", {"chat_id": 2, "text": "y"})
    assert recorder.calls[0] >= began + 3


async def test_an_abandoning_worker_gives_back_the_rows_it_never_sent(database_url: str) -> None:
    """A sender that loses its role stops at once: rows waiting for their turn go back to the queue unsent, with
    their attempt not counted."""
    engine = make_engine(database_url)
    upgrade(engine)
    one_a_minute = LIMITS.model_copy(update={"group_per_minute": 1, "per_chat_seconds": 0})
    with session_scope(engine) as session:
        for i in range(3):
            enqueue(session=session, message=OutboxBase(dedupe_key=f"g{i}", chat_id=GROUP, payload={"text": f"{i}"}))
    api = MemoryBotAPI()
    bot = ExtBot(CONSOLE_TOKEN, request=api, rate_limiter=TelegramLimits(one_a_minute))
    await bot.initialize()
    worker = OutboxWorker(bot, engine, one_a_minute)
    draining = asyncio.create_task(worker.settle())
    try:
        while len(api.sent()) < 1 or not worker.busy:
            await asyncio.sleep(0.01)
        worker.abandon()
        await asyncio.wait_for(draining, 30)
    finally:
        await bot.shutdown()
    with Session(engine) as session:
        rows = list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))
    engine.dispose()
    assert [r.state for r in rows] == [OutboxState.SENT, OutboxState.PENDING, OutboxState.PENDING]
    assert [r.attempts for r in rows] == [1, 0, 0] and len(api.sent()) == 1
