"""Updates survive a crash: stored before acknowledgement, handled again after restart, never twice."""

import asyncio
import io

from sqlmodel import Session
from telegram import Update

from bot.console import Console
from bot.settings import Settings
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
    with Session(first.app.bot_data["deps"].engine) as session:
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
        with Session(second.app.bot_data["deps"].engine) as session:
            row = session.get(InboundUpdate, update["update_id"])
            assert row is not None and row.processed_at is not None and row.payload is None
    finally:
        await second.stop()
