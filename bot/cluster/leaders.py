"""One sender and one scheduler among the copies, elected by advisory locks (`sender`, `scheduler`).

Each role has its own lock connection. A standby tries the lock every `cluster.poll_seconds`; the holder checks
its connection as often and steps down the moment it is lost (its lock is gone; another copy may hold it
already). A new sender first flags the rows a dead sender left `sending` as uncertain and sends them again.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from sqlalchemy import Engine

from bot.cluster.locks import LockConnection

log = logging.getLogger(__name__)
Step = Callable[[], Awaitable[None]]


class Leader:
    """Holds a named role while its lock connection lives; runs `gain` on taking it and `lose` on losing it."""

    def __init__(self, engine: Engine, role: str, *, gain: Step, lose: Step, poll_seconds: float) -> None:
        self.role = role
        self._gain, self._lose = gain, lose
        self._poll = poll_seconds
        self.locks = LockConnection(engine, role)
        self.leading_since: float | None = None  # time.monotonic() when this copy took the role
        self._stopping = asyncio.Event()

    @property
    def leading(self) -> bool:
        """Tell whether this copy holds the role now."""
        return self.leading_since is not None

    async def _step(self) -> None:
        """One look: take the role if free, or give it up if the lock connection is gone."""
        if self.leading:
            if not await self.locks.alive():
                log.warning("lost the %s lock (connection gone); standing by", self.role)
                await self._step_down()
            return
        try:
            taken = await self.locks.try_lock(self.role)
        except Exception:  # the database is away: stay a standby, try again
            await self.locks.close()
            return
        if taken:
            self.leading_since = time.monotonic()
            log.warning("this copy is now the %s", self.role)
            try:
                await self._gain()
            except Exception:
                log.exception("taking the %s role failed; letting it go", self.role)
                await self._step_down()

    async def _step_down(self) -> None:
        """Stop acting in the role and drop its lock."""
        self.leading_since = None
        try:
            await self._lose()
        finally:
            await self.locks.close()

    async def run(self) -> None:
        """Look every poll interval until stopped."""
        while not self._stopping.is_set():
            await self._step()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self._poll)
        if self.leading:
            await self._step_down()
        await self.locks.close()

    def stop(self) -> None:
        """Give up the role (at the next look) and stop."""
        self._stopping.set()
