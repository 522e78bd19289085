"""The outbox worker: sends queued messages at Telegram's limits, each exactly once, and records each outcome.

Rows are claimed one by one right before their call (see handlers.sender), so the background worker and a
test's flush can drain together. Calls to different chats run concurrently (`outbox.max_in_flight`); each
waits for its turn at the bot's rate limiter (handlers.pacing), at the moment it goes out. A chat's messages go
in order because only a chat's oldest unsent row is ever due.
"""

import asyncio
import contextlib
import logging
from datetime import timedelta

from sqlalchemy import Engine
from telegram import Bot
from telegram.error import TelegramError
from telegram.ext import ExtBot

from handlers.apptypes import AspirasiApp
from handlers.deps import HoldsBotData, deps
from handlers.pacing import OutboxCall, Pacer, SendingStopped, TelegramLimits
from handlers.sender import claim_row, give_back, record_result, send_row
from models.db import session_scope
from models.outbox import OutboxMessage, due_messages, release_claims
from models.types import utcnow
from services.core.config import OutboxConfig

log = logging.getLogger(__name__)
BOT_DATA_KEY = "outbox_worker"


class OutboxWorker:
    """Sends due outbox rows, paced; a crash leaves unsent rows for the next start."""

    def __init__(self, bot: Bot, engine: Engine, config: OutboxConfig) -> None:
        self._bot = bot
        self._engine = engine
        self._config = config
        self.pacer = pacer_of(bot)
        self._call = OutboxCall()  # its `stop` ends the waits of calls not yet made (see abandon())
        self.wake = asyncio.Event()
        self._in_flight: set[int] = set()
        self._slots = asyncio.Semaphore(config.max_in_flight)
        self._stopping = False

    def _due(self, limit: int) -> list[OutboxMessage]:
        """Load the rows whose time has come (and rows a crashed sender left past their lease)."""
        now = utcnow()
        stale_before = now - timedelta(seconds=self._config.lease_seconds)
        with session_scope(self._engine) as session:
            return due_messages(session=session, now=now, limit=limit, stale_before=stale_before)

    async def _send(self, row_id: int) -> bool:
        """Claim, send and record one row; False if another sender had it."""
        try:
            row = await asyncio.to_thread(claim_row, self._engine, row_id, self._config.lease_seconds)
            if row is None:
                return False
            try:
                message_id, error = await send_row(self._bot, row, self._call), None
            except SendingStopped as stopped:  # nothing went out: pending again (unless a part of it did)
                if not stopped.partly:
                    await asyncio.to_thread(give_back, self._engine, row_id, row.claimed_at)
                return False
            except Exception as exc:  # TelegramError by kind; anything else is logged and retried with backoff
                message_id, error = None, exc
                if not isinstance(exc, TelegramError):
                    log.exception("outbox message %s (%s) failed unexpectedly", row.id, row.purpose)
            await asyncio.to_thread(record_result, self._engine, row_id, message_id=message_id, error=error,
                                    max_attempts=self._config.max_attempts)  # a flood answer paused the pacer
            return True
        finally:
            self._in_flight.discard(row_id)
            self._slots.release()

    async def _start(self, row: OutboxMessage, wait_for_chats: bool) -> asyncio.Task[bool] | None:
        """Start sending a row when the limits allow; None to leave it for a later round."""
        assert row.id is not None
        if row.id in self._in_flight or (not wait_for_chats and self.pacer.chat_wait(row.chat_id) > 0):
            return None
        # Reserved before the first await: a drain that fetched the same row meanwhile (settle() beside the
        # background worker) skips it, and settle() waits for it instead of returning while it is paced.
        self._in_flight.add(row.id)
        try:
            await self._slots.acquire()
        except BaseException:
            self._in_flight.discard(row.id)
            raise
        return asyncio.create_task(self._send(row.id))

    async def drain(self, batch: int = 200, *, wait_for_chats: bool = True) -> int:
        """Send everything due now, fetching more while earlier sends are in flight; return rows attempted."""
        attempted, tasks = 0, set[asyncio.Task[bool]]()
        while not self._stopping:
            rows = await asyncio.to_thread(self._due, batch)
            started = [task for row in rows if (task := await self._start(row, wait_for_chats)) is not None]
            tasks.update(started)
            if not tasks:
                break
            done = {task for task in tasks if task.done()}
            if not started:  # nothing new is due: wait for a send to finish (it may free its chat)
                done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            tasks -= done
            attempted += _count(done)
        if tasks:  # stopping: let the sends in flight finish
            await asyncio.wait(tasks)
            attempted += _count(tasks)
        return attempted

    async def settle(self) -> int:
        """Drain, then wait for sends other drains of this worker have in flight (for tests and the console)."""
        sent = await self.drain()
        while self._in_flight:
            await asyncio.sleep(0.005)
            sent += await self.drain()
        return sent

    async def run(self, poll_seconds: float = 1.0) -> None:
        """Drain until stopped; woken early when something is queued."""
        while not self._stopping:
            self.wake.clear()
            try:
                await self.drain(wait_for_chats=False)
            except Exception:  # a database hiccup must not stop deliveries for good
                log.exception("outbox worker failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=poll_seconds)

    @property
    def busy(self) -> bool:
        """Tell whether sends are in flight."""
        return bool(self._in_flight)

    def stop(self) -> None:
        """Ask the worker to finish the sends in flight and stop."""
        self._stopping = True
        self.wake.set()

    def abandon(self) -> None:
        """Stop, and let calls still waiting for their turn go back to the queue unsent (another copy sends
        now; only calls already made may still reach Telegram)."""
        self._call.stop.set()
        self.stop()


def pacer_of(bot: Bot) -> Pacer:
    """The pacer of the bot's rate limiter (bot.app builds every bot with one)."""
    limiter = bot.rate_limiter if isinstance(bot, ExtBot) else None
    if not isinstance(limiter, TelegramLimits):
        raise TypeError("the outbox needs a bot built with handlers.pacing.TelegramLimits as its rate limiter")
    return limiter.pacer


def _count(done: set[asyncio.Task[bool]]) -> int:
    """Count attempted sends; a cancelled send cancels the drain (the process is going down)."""
    attempted = 0
    for task in done:
        if task.cancelled():
            raise asyncio.CancelledError
        if (error := task.exception()) is not None:
            log.error("outbox send failed", exc_info=error)
        elif task.result():
            attempted += 1
    return attempted


async def start_outbox(application: AspirasiApp) -> None:
    """Start the background worker (from post_init, before any handler runs)."""
    d = deps(application)
    with session_scope(d.engine) as session:
        released = release_claims(session=session)
    if released:
        log.warning("%d outbox message(s) were being sent when the bot stopped; sending them again", released)
    worker = OutboxWorker(application.bot, d.engine, d.config.outbox)
    application.bot_data[BOT_DATA_KEY] = worker
    application.bot_data[f"{BOT_DATA_KEY}_task"] = asyncio.create_task(worker.run(), name="outbox-worker")


async def stop_outbox(application: AspirasiApp, timeout: float = 10.0, *, abandon: bool = False) -> None:
    """Let the worker finish its sends in flight, then stop it (from post_stop / post_shutdown). With `abandon`
    (a copy lost the sender role), calls still waiting for their turn are not made."""
    worker = application.bot_data.pop(BOT_DATA_KEY, None)
    task = application.bot_data.pop(f"{BOT_DATA_KEY}_task", None)
    if worker is None or task is None:
        return
    if abandon:
        worker.abandon()
    else:
        worker.stop()
    try:
        await asyncio.wait_for(task, timeout=timeout)
    except (TimeoutError, asyncio.CancelledError):
        log.warning("outbox worker did not stop in %.0f s; unsent rows wait for the next start", timeout)
    except Exception:
        log.exception("outbox worker ended with an error")


def wake_outbox(holder: HoldsBotData) -> None:
    """Tell the worker (if it runs) that messages were queued; from a context or the Application."""
    worker = running_worker(holder)
    if worker is not None:
        worker.wake.set()


def running_worker(holder: HoldsBotData) -> OutboxWorker | None:
    """The application's background worker, if started."""
    worker = holder.bot_data.get(BOT_DATA_KEY)
    return worker if isinstance(worker, OutboxWorker) else None
