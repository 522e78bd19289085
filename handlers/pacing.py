"""Telegram's sending limits, kept at the moment each Bot API call goes out.

The bot's rate limiter (python-telegram-bot's hook right before the HTTP request) asks the `Pacer` for a turn
for every call that sends, edits or deletes a message in a chat. What the pacer guarantees, for the calls of
one process (`m` is `outbox.margin_seconds`, slack for the time a call takes to reach Telegram):

- overall: two calls start at least (1 + m) / `overall_per_second` seconds apart, so no window of 1 + m
  seconds holds more than `overall_per_second` of them;
- per chat (outbox messages only): a chat's calls start at least `per_chat_seconds` + m apart;
- per group (chat ids below zero): no window of 60 + m seconds holds more than `group_per_minute` calls.

Calls a handler makes directly (answering a button by editing its message) keep the overall and group limits;
only the outbox's messages (which pass an `OutboxCall`) keep the per-chat limit too, as before.
"""

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from services.core.config import OutboxConfig

# Bot API methods that put something in a chat (sendMessage, sendPhoto, copyMessage, editMessageText, ...)
PACED_PREFIXES = ("send", "copyMessage", "forwardMessage", "editMessage", "deleteMessage")
MINUTE = 60.0


class SendingStopped(Exception):
    """The outbox worker stopped (it lost the sender role) while its call waited for a turn; nothing went out
    for that call. `partly` is set when earlier parts of the same outbox row did go out."""

    partly = False


@dataclass(frozen=True)
class OutboxCall:
    """What the outbox worker tells the rate limiter about its calls: keep the per-chat limit too, and give up
    waiting once `stop` is set."""

    stop: asyncio.Event = field(default_factory=asyncio.Event)


class Pacer:
    """Overall, per-chat and per-group limits; `acquire` waits for a turn and records it."""

    def __init__(self, config: OutboxConfig, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._config = config
        self._clock = clock
        self._sleep = sleep
        self._margin = config.margin_seconds
        self._spacing = (1.0 + self._margin) / config.overall_per_second
        self._next_overall = -math.inf
        self._chat_last: dict[int, float] = {}
        self._group_sends: dict[int, deque[float]] = {}
        self._turns = asyncio.Lock()  # overall turns go in the order they were asked for

    @property
    def window(self) -> float:
        """The stretch of time holding at most `overall_per_second` calls (1 s plus the margin)."""
        return 1.0 + self._margin

    def chat_wait(self, chat_id: int, *, per_chat: bool = True) -> float:
        """Seconds until this chat may get another call (its own limits only; 0 when it may now)."""
        now, waits = self._clock(), [0.0]
        last = self._chat_last.get(chat_id)
        if per_chat and last is not None and self._config.per_chat_seconds > 0:
            waits.append(last + self._config.per_chat_seconds + self._margin - now)
        sends = self._group_sends.get(chat_id)
        allowed = int(self._config.group_per_minute)
        if sends is not None and len(sends) >= allowed:
            waits.append(sends[len(sends) - allowed] + MINUTE + self._margin - now)
        return max(waits)

    def wait_for(self, chat_id: int, *, per_chat: bool = True) -> float:
        """Seconds until a call to this chat may start (0 when it may start now)."""
        return max(self._next_overall - self._clock(), self.chat_wait(chat_id, per_chat=per_chat), 0.0)

    def pause(self, seconds: float) -> None:
        """Hold every call for a while (Telegram's flood control said so)."""
        self._next_overall = max(self._next_overall, self._clock() + seconds)

    def sent(self, chat_id: int) -> None:
        """Record a call starting now."""
        now = self._clock()
        self._next_overall = max(self._next_overall, now + self._spacing)
        self._chat_last[chat_id] = now
        if chat_id < 0:
            sends = self._group_sends.setdefault(chat_id, deque())
            sends.append(now)
            while sends and sends[0] <= now - MINUTE - self._margin:
                sends.popleft()

    def seed_group(self, chat_id: int, ages: Iterable[float]) -> None:
        """Count calls another process made to a group `ages` seconds ago (a new sender takes over)."""
        now = self._clock()
        sends = self._group_sends.setdefault(chat_id, deque())
        merged = sorted([*sends, *(now - age for age in ages if age < MINUTE + self._margin)])
        sends.clear()
        sends.extend(merged)

    async def acquire(self, chat_id: int, *, per_chat: bool = True, stop: asyncio.Event | None = None) -> None:
        """Wait until a call to this chat may start, and record it; SendingStopped once `stop` is set."""
        while True:
            await self._wait(self.chat_wait(chat_id, per_chat=per_chat), stop)  # others are not held up
            async with self._turns:
                await self._wait(self._next_overall - self._clock(), stop)
                if self.chat_wait(chat_id, per_chat=per_chat) <= 0:  # no other call took this chat's turn
                    self.sent(chat_id)
                    return

    async def _wait(self, seconds: float, stop: asyncio.Event | None) -> None:
        """Sleep; end early with SendingStopped when `stop` is set."""
        if stop is not None and stop.is_set():
            raise SendingStopped
        if seconds <= 0:
            return
        if stop is None:
            await self._sleep(seconds)
            return
        sleeping, stopping = asyncio.ensure_future(self._sleep(seconds)), asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({sleeping, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in (sleeping, stopping):
                waiter.cancel()
        if stop.is_set():
            raise SendingStopped


class TelegramLimits(BaseRateLimiter[OutboxCall]):
    """python-telegram-bot's rate limiter hook: every paced call waits for its turn right before its request.

    With `direct_calls` off (tests and the console), only the outbox's calls are paced."""

    def __init__(self, config: OutboxConfig, *, direct_calls: bool = True, pacer: Pacer | None = None) -> None:
        self.pacer = pacer or Pacer(config)
        self._direct_calls = direct_calls

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: OutboxCall | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Wait for the call's turn (when it is paced), then make it; a flood answer pauses every call."""
        chat_id = data.get("chat_id")
        if isinstance(chat_id, int) and endpoint.startswith(PACED_PREFIXES) and (
                rate_limit_args is not None or self._direct_calls):
            await self.pacer.acquire(chat_id, per_chat=rate_limit_args is not None,
                                     stop=rate_limit_args.stop if rate_limit_args is not None else None)
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as exc:
            delay = exc.retry_after
            self.pacer.pause(delay if isinstance(delay, (int, float)) else delay.total_seconds())
            raise
