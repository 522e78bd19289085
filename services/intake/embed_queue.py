"""Micro-batched embedding for the running bot: texts that arrive close together share one forward pass.

A resident's text waits at most `window` seconds for others (or until `max_batch` are waiting); the batch is
then prepared and embedded on the batcher's own thread, off the event loop and off the database threads.
Texts arriving while a batch runs form the next one at once. One text alone is embedded as one batch.

Every text gets a ticket when it arrives. `turn(text)` hands its result back only when every earlier text has
finished its turn, so the grouping decision that follows (store the draft, suggest, assign) is taken in
arrival order, each one seeing the ones before it, as if the texts had been embedded one by one. Work that
depends on no earlier text (a draft's similar search: drafts never enter the index) may run before the turn
comes (`meanwhile`), so the ordered part stays short.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Generic, TypeVar

T = TypeVar("T")
KEPT_SIZES = 1000  # sizes of the latest batches kept for figures and tests


class MicroBatcher(Generic[T]):
    """Runs `work(texts) -> results` (one result per text, same order) on batches of texts that arrive together."""

    def __init__(self, work: Callable[[Sequence[str]], Sequence[T]], *, window: float = 0.002,
                 max_batch: int = 32) -> None:
        self._work, self.window, self.max_batch = work, window, max(1, max_batch)
        self._pending: list[tuple[str, asyncio.Future[T]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="embed")
        self.sizes: deque[int] = deque(maxlen=KEPT_SIZES)  # size of each batch run, oldest first
        self._issued = 0  # tickets handed out
        self._next = 0  # the ticket whose turn it is
        self._finished: set[int] = set()  # tickets done (or abandoned) before their turn came
        self._changed: asyncio.Condition | None = None

    async def run(self, text: str) -> T:
        """The result for one text, computed in a batch with the texts that arrive with it."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._pending.append((text, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        """Run batches until nothing waits; the first waits `window` for company, later ones go at once."""
        if self.window > 0 and len(self._pending) < self.max_batch:
            await asyncio.sleep(self.window)
        loop = asyncio.get_running_loop()
        while self._pending:
            batch, self._pending = self._pending[: self.max_batch], self._pending[self.max_batch :]
            self.sizes.append(len(batch))
            try:
                results = await loop.run_in_executor(self._executor, self._work, [text for text, _ in batch])
            except Exception as exc:  # every waiter sees the failure; the next batch still runs
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)  # in arrival order: the waiters resume in that order

    @asynccontextmanager
    async def turn(self, text: str, meanwhile: Callable[[T], object] | None = None) -> AsyncIterator[T]:
        """The text's result, held until every earlier text's turn has ended; the turn ends on leaving.

        `meanwhile(result)`: work on the result that does not depend on the earlier texts' turns, run on a worker
        thread as soon as the result is ready, while those turns still run (not in the ordered part)."""
        ticket = self._issued
        self._issued += 1
        changed = self._condition()
        try:
            result = await self.run(text)
            if meanwhile is not None:
                await asyncio.to_thread(meanwhile, result)
            async with changed:
                await changed.wait_for(lambda: self._next == ticket)
            yield result
        finally:
            await self._finish(ticket)

    def _condition(self) -> asyncio.Condition:
        """The condition turns wait on (made inside the running loop)."""
        if self._changed is None:
            self._changed = asyncio.Condition()
        return self._changed

    async def _finish(self, ticket: int) -> None:
        """End a ticket's turn (or abandon it early) and let the next waiting ticket go."""
        changed = self._condition()
        async with changed:
            self._finished.add(ticket)
            while self._next in self._finished:
                self._finished.discard(self._next)
                self._next += 1
            changed.notify_all()

    def close(self) -> None:
        """Stop the batcher's thread (after the running batch)."""
        self._executor.shutdown(wait=False, cancel_futures=True)
