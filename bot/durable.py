"""Store every incoming update before Telegram counts it as delivered, and handle each one once.

The Updater (polling) and the webhook server put each update on `update_queue` before they confirm it
to Telegram (the next getUpdates offset, or the webhook's HTTP 200). `DurableQueue.put` writes the
update to the database first and drops a repeat; `DurableProcessor` marks it handled after the handlers
ran. At start, updates stored but never handled (the bot stopped in between) are put back in the queue.
An update whose handlers failed is tried again after a growing pause (`updates` in config, a repeating job
calls `requeue_due`); after the last attempt it is a dead letter and the admin chat gets a notice that names
the update's number only, never its content.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from telegram import Bot, Update
from telegram.ext import SimpleUpdateProcessor

from models.db import session_scope
from models.outbox import OutboxBase, OutboxPurpose, enqueue
from models.types import utcnow
from models.updates import mark_processed, record_failure, store_update, take_due_retries, unprocessed_updates
from services.core.config import AppConfig
from services.core.texts import t

log = logging.getLogger(__name__)


class DurableQueue(asyncio.Queue[object]):
    """An update queue that stores updates in the database before accepting them."""

    def __init__(self, engine: Engine, *, store_only: bool = False) -> None:
        super().__init__()
        self._engine = engine
        self.store_only = store_only  # a copy of a cluster: updates are claimed from the database (bot/cluster)

    def _store(self, update: Update) -> bool:
        """Write the update; return False when it was seen before."""
        chat = update.effective_chat
        with session_scope(self._engine) as session:
            return store_update(session=session, update_id=update.update_id, payload=update.to_dict(),
                                chat_id=chat.id if chat is not None else None)

    async def put(self, item: object) -> None:
        """Store an Update, then queue it; a repeated update is dropped. In a cluster it is only stored."""
        if isinstance(item, Update) and not await asyncio.to_thread(self._store, item):
            log.info("update %s was delivered again; ignored", item.update_id)
            return
        if not (self.store_only and isinstance(item, Update)):
            await super().put(item)

    async def requeue_due(self, bot: Bot) -> int:
        """Queue again the failed updates whose pause is over; return how many (none in a cluster: there the
        claims take them when their pause is over)."""
        if self.store_only:
            return 0
        def _take() -> list[dict[str, Any]]:
            with session_scope(self._engine) as session:
                return [row.payload for row in take_due_retries(session=session, now=utcnow()) if row.payload]

        payloads = await asyncio.to_thread(_take)
        for payload in payloads:
            update = Update.de_json(payload, bot)
            if update is not None:
                await super().put(update)
        return len(payloads)

    async def requeue_unprocessed(self, bot: Bot) -> int:
        """Queue again the updates that were stored but not handled before the last stop."""
        with session_scope(self._engine) as session:
            rows = [(row.update_id, row.payload) for row in unprocessed_updates(session=session)]
        for _, payload in rows:
            update = Update.de_json(payload, bot) if payload else None
            if update is not None:
                await super().put(update)
        if rows:
            log.warning("re-processing %d update(s) stored before the last stop", len(rows))
        return len(rows)


@dataclass
class _KeyLock:
    """A lock and the number of tasks holding or waiting for it."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class KeyedLocks:
    """One lock per key (a chat), forgotten as soon as no task holds or waits on it: memory stays bounded."""

    def __init__(self) -> None:
        self._locks: dict[int, _KeyLock] = {}

    def __len__(self) -> int:
        """How many keys have a lock now (held or waited for)."""
        return len(self._locks)

    @asynccontextmanager
    async def hold(self, key: int) -> AsyncIterator[None]:
        """Hold the key's lock; the last task to let go removes it."""
        entry = self._locks.setdefault(key, _KeyLock())
        entry.users += 1
        try:
            async with entry.lock:
                yield
        finally:
            entry.users -= 1
            if entry.users == 0:
                del self._locks[key]


class DurableProcessor(SimpleUpdateProcessor):
    """Run updates concurrently across chats and in order within a chat; mark each one handled."""

    def __init__(self, engine: Engine, failed: set[int], config: AppConfig, max_concurrent_updates: int = 8) -> None:
        super().__init__(max_concurrent_updates)
        self._engine = engine
        self._failed = failed  # update ids whose handlers raised (the error handler adds them)
        self._config = config
        self.chat_locks = KeyedLocks()

    def _mark(self, update_id: int) -> None:
        """Record that an update was handled."""
        with session_scope(self._engine) as session:
            mark_processed(session=session, update_id=update_id)

    def _failure(self, update_id: int) -> None:
        """Count a failed run; on the last one, queue a notice for the admin chat (the number, no content)."""
        retry, telegram = self._config.updates, self._config.telegram
        with session_scope(self._engine) as session:
            row = record_failure(session=session, update_id=update_id, now=utcnow(), max_attempts=retry.max_attempts,
                                 first_pause=retry.first_pause_seconds, max_pause=retry.max_pause_seconds)
            if row is None:
                return
            if row.dead_at is None:
                log.warning("update %s failed (attempt %d); tried again later", update_id, row.attempts)
                return
            log.error("update %s failed %d times; kept as a dead letter", update_id, row.attempts)
            admin_chat = telegram.admin_chat_id or next(iter(telegram.admin_ids), None)
            if admin_chat is not None:
                enqueue(session=session, message=OutboxBase(
                    dedupe_key=f"dead-update:{update_id}", chat_id=admin_chat, purpose=OutboxPurpose.ALERT,
                    payload={"text": t("update_dead_letter", update_id=update_id, attempts=row.attempts),
                             "parse_mode": "HTML"}))

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Await the handlers (one update at a time per chat), then mark the update handled."""
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
        else:
            async with self.chat_locks.hold(chat.id):
                await coroutine
        if not isinstance(update, Update):
            return
        if update.update_id in self._failed:
            self._failed.discard(update.update_id)
            await asyncio.to_thread(self._failure, update.update_id)
        else:
            await asyncio.to_thread(self._mark, update.update_id)
