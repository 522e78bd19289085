"""Handle each chat's updates in order, in whichever copy gets to them first.

A copy looks for chats with pending updates, takes a chat's advisory lock (`chat:<id>`) on its lock
connection, and in ONE transaction locks the chat's oldest unhandled update row, runs the handlers (every
`session_scope` joins that transaction) and marks it processed; then it lets go of the chat. A copy killed
mid-update loses its transaction and its lock together: another copy redoes the update. The row lock also
covers a lock connection lost mid-update: the next holder waits for the first transaction and sees its outcome.
"""

import asyncio
import contextlib
import logging
from functools import partial

from sqlalchemy import Engine
from telegram import Update

from bot.cluster.locks import LockConnection
from handlers.apptypes import AspirasiApp
from handlers.outbox_worker import wake_outbox
from models.claims import chat_key, claim_oldest, pending_chats
from models.db import one_transaction

log = logging.getLogger(__name__)


class ChatWorker:
    """Claims chats with pending updates and handles their oldest update, `workers` chats at a time."""

    def __init__(self, application: AspirasiApp, engine: Engine, *, workers: int, poll_seconds: float) -> None:
        self._app = application
        self._engine = engine
        self._workers = workers
        self._poll = poll_seconds
        self.locks = LockConnection(engine, "chats")
        self.wake = asyncio.Event()
        self._busy: dict[int | None, asyncio.Task[bool]] = {}
        self._stopping = False
        self.handled = 0

    def _pending(self) -> list[int | None]:
        """Chats with updates waiting."""
        with self._engine.connect() as connection:
            return pending_chats(connection, limit=self._workers * 4)

    async def _handle_one(self, chat_id: int | None) -> bool:
        """Handle the chat's oldest pending update in one transaction; False when there was none to handle."""
        with one_transaction(self._engine) as connection:
            claimed = await asyncio.to_thread(claim_oldest, connection, chat_id)
            if claimed is None:
                return False
            update = Update.de_json(claimed[1], self._app.bot)
            processor = self._app.update_processor
            await processor.process_update(update, self._app.process_update(update))
            if not await self.locks.alive():  # the chat's lock went with its connection: let another copy redo it
                raise ConnectionError("lock connection lost while handling an update")
        self.handled += 1
        wake_outbox(self._app)
        return True

    async def _run_chat(self, chat_id: int | None) -> bool:
        """Hold the chat's lock for one update; the lock is always let go."""
        try:
            return await self._handle_one(chat_id)
        except Exception:
            log.exception("a chat's update could not be handled here; it stays pending")
            return False
        finally:
            await self.locks.unlock(chat_key(chat_id))

    async def round(self) -> int:
        """Start work on every pending chat this copy can take now; return how many were started."""
        started = 0
        for chat_id in await asyncio.to_thread(self._pending):
            if len(self._busy) >= self._workers:
                break
            if chat_id in self._busy or not await self.locks.try_lock(chat_key(chat_id)):
                continue
            task = asyncio.create_task(self._run_chat(chat_id), name=f"chat-{chat_id}")
            self._busy[chat_id] = task
            task.add_done_callback(partial(self._finished, chat_id))
            started += 1
        return started

    def _finished(self, chat_id: int | None, _task: "asyncio.Task[bool]") -> None:
        """A chat's update is done: look again at once (its next update may wait)."""
        self._busy.pop(chat_id, None)
        self.wake.set()

    async def run(self) -> None:
        """Claim and handle until stopped; woken early when an update arrives or a chat is done."""
        while not self._stopping:
            self.wake.clear()
            try:
                await self.round()
            except Exception:  # the database or the lock connection is away: try again shortly
                log.exception("claiming pending updates failed; retrying")
                await self.locks.close()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=self._poll)

    async def stop(self) -> None:
        """Finish the updates being handled, then drop the lock connection."""
        self._stopping = True
        self.wake.set()
        if self._busy:
            await asyncio.gather(*self._busy.values(), return_exceptions=True)
        await self.locks.close()
