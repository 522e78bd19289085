"""A failed update is tried again with backoff, counted, and kept as a dead letter after the last attempt."""

from datetime import timedelta

from sqlmodel import Session, select

from bot.console import Console
from bot.durable import DurableQueue
from handlers.deps import deps
from models.db import session_scope
from models.outbox import OutboxMessage
from models.types import utcnow
from models.updates import InboundUpdate
from tests.conftest import RESIDENT
from tests.handlers.journey import onboard

BROKEN = b'{"ok": true, "result": {"unexpected": 1}}'  # Telegram answers something the bot cannot read


def row_of(console: Console, update_id: int) -> InboundUpdate:
    with Session(deps(console.app).engine) as session:
        row = session.get(InboundUpdate, update_id)
        assert row is not None
        return row


def due_now(console: Console, update_id: int) -> None:
    """Let the pause run out (the time, not the logic, is what the test shortens)."""
    with session_scope(deps(console.app).engine) as session:
        row = session.get(InboundUpdate, update_id)
        assert row is not None and row.next_attempt_at is not None
        row.next_attempt_at -= timedelta(days=1)
        session.add(row)


async def test_failed_update_retries_with_backoff_then_dead_letters_with_a_notice(console: Console) -> None:
    await onboard(console, RESIDENT)
    config = deps(console.app).config
    retry = config.updates
    queue = console.app.update_queue
    assert isinstance(queue, DurableQueue)
    console.api.inject = lambda method, params: BROKEN if method == "sendDocument" else None
    update = console.maker.text(RESIDENT, "/data_saya")
    started = utcnow()
    await console.send(update)  # the handler fails on every run: the document's answer cannot be read
    for attempt in range(1, retry.max_attempts):
        row = row_of(console, update["update_id"])
        assert row.attempts == attempt and row.processed_at is None and row.dead_at is None
        expected = min(retry.first_pause_seconds * 2 ** (attempt - 1), retry.max_pause_seconds)
        pause = (row.next_attempt_at - started).total_seconds()  # type: ignore[operator]
        assert expected <= pause < expected + 120  # doubles after each failure
        assert await queue.requeue_due(console.app.bot) == 0  # not before the pause is over
        due_now(console, update["update_id"])
        started = utcnow()
        assert await queue.requeue_due(console.app.bot) == 1
        await queue.join()
    dead = row_of(console, update["update_id"])
    assert dead.attempts == retry.max_attempts and dead.dead_at is not None and dead.next_attempt_at is None
    assert dead.payload is not None  # kept for an operator, never retried by itself
    console.api.inject = None
    await console.flush_outbox()
    admin_chat = config.telegram.admin_chat_id or config.telegram.admin_ids[0]
    [notice] = [text for text in console.api.texts(admin_chat) if "dead letter" in text]
    assert str(update["update_id"]) in notice and str(RESIDENT) not in notice and "Nama" not in notice
    with Session(deps(console.app).engine) as session:
        assert len(session.exec(select(OutboxMessage).where(OutboxMessage.purpose == "alert")).all()) == 1
