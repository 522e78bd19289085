"""The outbox worker: sends queued messages at Telegram's limits, each exactly once, and records each outcome.

Rows are claimed one by one right before their call (see handlers.sender), so the background worker and a
test's flush can drain together. Calls to different chats run concurrently (`outbox.max_in_flight`), paced
by one `Pacer`; a chat's messages go in order because only a chat's oldest unsent row is ever due.
"""

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Engine
from telegram import Bot
from telegram.error import TelegramError

from handlers.apptypes import AspirasiApp
from handlers.deps import HoldsBotData, deps
from handlers.sender import claim_row, record_result, send_row
from models.db import session_scope
from models.outbox import OutboxMessage, due_messages, release_claims
from models.types import utcnow
from services.core.config import OutboxConfig

log = logging.getLogger(__name__)
BOT_DATA_KEY = "outbox_worker"


class Pacer:
    """Telegram's limits: overall messages per second, one per chat per interval, N per minute per group."""

    def __init__(self, config: OutboxConfig, clock: Callable[[], float] = time.monotonic) -> None:
        self._config = config
        self._clock = clock
        self._next_overall = 0.0
        self._chat_last: dict[int, float] = {}
        self._group_sends: dict[int, deque[float]] = {}

    def chat_wait(self, chat_id: int) -> float:
        """Seconds until this chat may get another message (per-chat and per-group limits only)."""
        now, waits = self._clock(), [0.0]
        last = self._chat_last.get(chat_id)
        if last is not None:
            waits.append(last + self._config.per_chat_seconds - now)
        sends = self._group_sends.get(chat_id)
        if chat_id < 0 and sends and len(sends) >= self._config.group_per_minute:
            waits.append(sends[0] + 60.0 - now)
        return max(waits)

    def wait_for(self, chat_id: int) -> float:
        """Seconds until a message to this chat may go (0 when it may go now)."""
        return max(self._next_overall - self._clock(), self.chat_wait(chat_id), 0.0)

    def pause(self, seconds: float) -> None:
        """Hold every send for a while (Telegram's flood control said so)."""
        self._next_overall = max(self._next_overall, self._clock() + seconds)

    def sent(self, chat_id: int) -> None:
        """Record a send to a chat."""
        now = self._clock()
        interval = 1.0 / self._config.overall_per_second
        self._next_overall = max(self._next_overall, now - interval) + interval  # a late send may catch up one
        self._chat_last[chat_id] = now
        if chat_id < 0:
            sends = self._group_sends.setdefault(chat_id, deque())
            sends.append(now)
            while sends and sends[0] <= now - 60.0:
                sends.popleft()


class OutboxWorker:
    """Sends due outbox rows, paced; a crash leaves unsent rows for the next start."""

    def __init__(self, bot: Bot, engine: Engine, config: OutboxConfig) -> None:
        self._bot = bot
        self._engine = engine
        self._config = config
        self.pacer = Pacer(config)
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
                message_id, error = await send_row(self._bot, row), None
            except Exception as exc:  # TelegramError by kind; anything else is logged and retried with backoff
                message_id, error = None, exc
                if not isinstance(exc, TelegramError):
                    log.exception("outbox message %s (%s) failed unexpectedly", row.id, row.purpose)
            pause = await asyncio.to_thread(record_result, self._engine, row_id, message_id=message_id,
                                            error=error, max_attempts=self._config.max_attempts)
            if pause:
                self.pacer.pause(pause)
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
        try:
            await asyncio.sleep(self.pacer.wait_for(row.chat_id))
        except BaseException:
            self._in_flight.discard(row.id)
            self._slots.release()
            raise
        self.pacer.sent(row.chat_id)
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


async def stop_outbox(application: AspirasiApp, timeout: float = 10.0) -> None:
    """Let the worker finish its sends in flight, then stop it (from post_stop / post_shutdown)."""
    worker = application.bot_data.pop(BOT_DATA_KEY, None)
    task = application.bot_data.pop(f"{BOT_DATA_KEY}_task", None)
    if worker is None or task is None:
        return
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
