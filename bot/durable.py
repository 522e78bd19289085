"""Store every incoming update before Telegram counts it as delivered, and handle each one once.

The Updater (polling) and the webhook server put each update on `update_queue` before they confirm it
to Telegram (the next getUpdates offset, or the webhook's HTTP 200). `DurableQueue.put` writes the
update to the database first and drops a repeat; `DurableProcessor` marks it handled after the handlers
ran. At start, updates stored but never handled (the bot stopped in between) are put back in the queue.
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
from models.updates import mark_processed, store_update, unprocessed_updates

log = logging.getLogger(__name__)


class DurableQueue(asyncio.Queue[object]):
    """An update queue that stores updates in the database before accepting them."""

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self._engine = engine

    def _store(self, update: Update) -> bool:
        """Write the update; return False when it was seen before."""
        with session_scope(self._engine) as session:
            return store_update(session=session, update_id=update.update_id, payload=update.to_dict())

    async def put(self, item: object) -> None:
        """Store an Update, then queue it; a repeated update is dropped."""
        if isinstance(item, Update) and not await asyncio.to_thread(self._store, item):
            log.info("update %s was delivered again; ignored", item.update_id)
            return
        await super().put(item)

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

    def __init__(self, engine: Engine, failed: set[int], max_concurrent_updates: int = 8) -> None:
        super().__init__(max_concurrent_updates)
        self._engine = engine
        self._failed = failed  # update ids whose handlers raised: kept for the next start
        self.chat_locks = KeyedLocks()

    def _mark(self, update_id: int) -> None:
        """Record that an update was handled."""
        with session_scope(self._engine) as session:
            mark_processed(session=session, update_id=update_id)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Await the handlers (one update at a time per chat), then mark the update handled."""
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
        else:
            async with self.chat_locks.hold(chat.id):
                await coroutine
        if isinstance(update, Update) and update.update_id not in self._failed:
            await asyncio.to_thread(self._mark, update.update_id)
