"""Updates survive a crash: stored before acknowledgement, handled again after restart, never twice."""

import asyncio
import io
from collections import Counter, defaultdict

from sqlmodel import Session
from telegram import Update

from bot.console import Console
from bot.durable import DurableProcessor, KeyedLocks
from bot.settings import Settings
from handlers.deps import deps
from models.updates import InboundUpdate
from nlp.embed import Embedder
from tests.conftest import RESIDENT
from tests.handlers.journey import onboard, proposals

TEXT = "Mohon pemasangan lampu jalan di gang Mawar Berbas Pantai, gelap sekali malam hari."


async def test_update_stored_but_not_handled_is_handled_after_restart(settings: Settings, embedder: Embedder) -> None:
    first = Console(settings, io.StringIO(), embedder=embedder)
    await first.start()
    await onboard(first, RESIDENT)
    update = first.maker.text(RESIDENT, TEXT)
    await first.app.stop()  # the fetcher stops: what is queued now is stored, not handled ("crash")
    await first.app.update_queue.put(Update.de_json(update, first.app.bot))
    await first.app.shutdown()
    assert proposals(first) == []
    await first.app.post_shutdown(first.app)  # type: ignore[misc]

    second = Console(settings, io.StringIO(), embedder=embedder)
    await second.start()  # post_init puts the stored update back in the queue
    await second.app.update_queue.join()
    try:
        [draft] = proposals(second)
        assert draft.text_verbatim == TEXT
        assert any("Usulan Anda" in text for text in second.api.texts(RESIDENT))
    finally:
        await second.stop()


async def test_crash_between_storing_and_replying_loses_nothing_and_sends_once(
    settings: Settings, embedder: Embedder
) -> None:
    first = Console(settings, io.StringIO(), embedder=embedder)
    await first.start()
    await onboard(first, RESIDENT)

    def crash_on_draft_reply(method: str, params: dict) -> None:
        if method == "sendMessage" and "Usulan Anda" in str(params.get("text")):
            raise asyncio.CancelledError("the process dies here: the draft is stored, no reply sent")
        return None

    first.api.inject = crash_on_draft_reply
    update = first.maker.text(RESIDENT, TEXT)
    await first.send(update)
    assert len(proposals(first)) == 1
    with Session(deps(first.app).engine) as session:
        row = session.get(InboundUpdate, update["update_id"])
        assert row is not None and row.processed_at is None and row.payload is not None
    await first.stop()

    second = Console(settings, io.StringIO(), embedder=embedder)
    await second.start()
    await second.app.update_queue.join()
    try:
        assert len(proposals(second)) == 1
        drafts_shown = [t for t in second.api.texts(RESIDENT) if "Usulan Anda" in t]
        assert len(drafts_shown) == 1
        with Session(deps(second.app).engine) as session:
            row = session.get(InboundUpdate, update["update_id"])
            assert row is not None and row.processed_at is not None and row.payload is None
    finally:
        await second.stop()


async def test_chat_locks_keep_order_per_chat_and_are_forgotten_when_idle() -> None:
    locks, inside, seen = KeyedLocks(), Counter[int](), defaultdict[int, list[int]](list)

    async def handle(chat: int, n: int) -> None:
        async with locks.hold(chat):
            inside[chat] += 1
            assert inside[chat] == 1  # one update of a chat at a time
            await asyncio.sleep(0)
            seen[chat].append(n)
            inside[chat] -= 1

    await asyncio.gather(*(handle(chat, n) for n in range(3) for chat in range(500)))
    assert all(order == [0, 1, 2] for order in seen.values()) and len(seen) == 500
    assert len(locks) == 0


async def test_a_cancelled_waiter_leaves_no_lock_behind() -> None:
    locks, release = KeyedLocks(), asyncio.Event()

    async def holder() -> None:
        async with locks.hold(7):
            await release.wait()

    first = asyncio.create_task(holder())
    await asyncio.sleep(0)
    waiter = asyncio.create_task(holder())
    await asyncio.sleep(0)
    assert len(locks) == 1
    waiter.cancel()
    release.set()
    await asyncio.gather(first, waiter, return_exceptions=True)
    assert len(locks) == 0


async def test_many_chats_through_the_bot_leave_no_locks(console: Console) -> None:
    for user in range(RESIDENT, RESIDENT + 40):
        await console.send(console.maker.text(user, "/start"))
    processor = console.app.update_processor
    assert isinstance(processor, DurableProcessor)
    assert len(console.api.texts(RESIDENT + 39)) >= 1  # the updates were handled
    assert len(processor.chat_locks) == 0
