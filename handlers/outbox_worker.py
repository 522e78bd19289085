"""The outbox worker: sends queued messages at Telegram's limits and records each outcome."""

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable

from sqlalchemy import Engine
from telegram import Bot
from telegram.error import TelegramError

from handlers.sender import record_result, send_row
from models.db import session_scope
from models.outbox import OutboxMessage, due_messages
from models.types import utcnow
from services.config import OutboxConfig

log = logging.getLogger(__name__)


class Pacer:
    """Telegram's limits: overall messages per second, one per chat per interval, N per minute per group."""

    def __init__(self, config: OutboxConfig, clock: Callable[[], float] = time.monotonic) -> None:
        self._config = config
        self._clock = clock
        self._next_overall = 0.0
        self._chat_last: dict[int, float] = {}
        self._group_sends: dict[int, deque[float]] = {}

    def wait_for(self, chat_id: int) -> float:
        """Seconds until a message to this chat may go (0 when it may go now)."""
        now = self._clock()
        waits = [self._next_overall - now]
        last = self._chat_last.get(chat_id)
        if last is not None:
            waits.append(last + self._config.per_chat_seconds - now)
        sends = self._group_sends.get(chat_id)
        if chat_id < 0 and sends and len(sends) >= self._config.group_per_minute:
            waits.append(sends[0] + 60.0 - now)
        return max(0.0, *waits)

    def sent(self, chat_id: int) -> None:
        """Record a send to a chat."""
        now = self._clock()
        self._next_overall = max(self._next_overall, now) + 1.0 / self._config.overall_per_second
        self._chat_last[chat_id] = now
        if chat_id < 0:
            sends = self._group_sends.setdefault(chat_id, deque())
            sends.append(now)
            while sends and sends[0] <= now - 60.0:
                sends.popleft()


class OutboxWorker:
    """Sends due outbox rows in order, paced; a crash leaves unsent rows pending for the next start."""

    def __init__(self, bot: Bot, engine: Engine, config: OutboxConfig) -> None:
        self._bot = bot
        self._engine = engine
        self._config = config
        self.pacer = Pacer(config)
        self.wake = asyncio.Event()

    def _due(self, limit: int) -> list[OutboxMessage]:
        """Load the rows whose time has come."""
        with session_scope(self._engine) as session:
            return due_messages(session=session, now=utcnow(), limit=limit)

    async def send_one(self, row: OutboxMessage) -> None:
        """Send one row after waiting for the limits, and store the outcome."""
        assert row.id is not None
        await asyncio.sleep(self.pacer.wait_for(row.chat_id))
        self.pacer.sent(row.chat_id)
        try:
            message_id = await send_row(self._bot, row)
        except TelegramError as exc:
            await asyncio.to_thread(record_result, self._engine, row.id, message_id=None, error=exc)
            return
        await asyncio.to_thread(record_result, self._engine, row.id, message_id=message_id, error=None)

    async def drain(self, batch: int = 200) -> int:
        """Send everything that is due now; return how many rows were attempted."""
        attempted = 0
        while rows := await asyncio.to_thread(self._due, batch):
            for row in rows:
                await self.send_one(row)
            attempted += len(rows)
            if len(rows) < batch:
                break
        return attempted

    async def run(self, poll_seconds: float = 2.0) -> None:
        """Drain forever; woken early when something is queued."""
        while True:
            try:
                await self.drain()
            except Exception:  # a database hiccup must not stop deliveries for good
                log.exception("outbox worker failed; retrying")
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=poll_seconds)
