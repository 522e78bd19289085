"""Session advisory locks on a dedicated, unpooled connection: a lock dies with its connection, so a killed
copy (or a terminated backend) frees its chats and roles at once, and nobody else can release them."""

import asyncio
import logging

import psycopg
from sqlalchemy import Engine

from models.claims import LOCK_KEY

log = logging.getLogger(__name__)
CHECK_TIMEOUT = 3.0  # seconds a liveness check may take before the connection counts as lost


def conninfo(engine: Engine) -> str:
    """The engine's PostgreSQL address as psycopg takes it (search_path options kept)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


class LockConnection:
    """One connection holding named advisory locks; `alive()` tells whether they are still held."""

    def __init__(self, engine: Engine, purpose: str) -> None:
        self._info = conninfo(engine)
        self._purpose = purpose
        self._conn: psycopg.AsyncConnection[tuple[object, ...]] | None = None
        self._lock = asyncio.Lock()  # one statement at a time on the connection
        self.held: set[str] = set()

    async def _connection(self) -> psycopg.AsyncConnection[tuple[object, ...]]:
        """The connection, opened (again) when needed; a new connection holds no lock."""
        if self._conn is None or self._conn.closed:
            self.held.clear()
            self._conn = await psycopg.AsyncConnection.connect(
                self._info, autocommit=True, application_name=f"aspirasi-{self._purpose}")
        return self._conn

    async def try_lock(self, name: str) -> bool:
        """Take the named lock if nobody holds it; False when another connection does."""
        async with self._lock:
            conn = await self._connection()
            row = await (await conn.execute(f"SELECT pg_try_advisory_lock({LOCK_KEY})", (name,))).fetchone()
            if row is not None and row[0]:
                self.held.add(name)
                return True
            return False

    async def unlock(self, name: str) -> None:
        """Let go of a named lock (a lost connection let go of it already)."""
        async with self._lock:
            self.held.discard(name)
            if self._conn is not None and not self._conn.closed:
                await self._conn.execute(f"SELECT pg_advisory_unlock({LOCK_KEY})", (name,))

    async def alive(self) -> bool:
        """Tell whether the connection (and so every lock it held) is still there."""
        if self._conn is None or self._conn.closed:
            return False
        try:
            async with self._lock:
                await asyncio.wait_for(self._conn.execute("SELECT 1"), CHECK_TIMEOUT)
            return True
        except (psycopg.Error, TimeoutError, OSError):
            await self.close()
            return False

    async def backend_pid(self) -> int | None:
        """The server process holding the locks (the health page shows it; tests terminate it)."""
        if self._conn is None or self._conn.closed:
            return None
        return int(self._conn.info.backend_pid)

    async def close(self) -> None:
        """Drop the connection and with it every lock."""
        self.held.clear()
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                await conn.close()
            except psycopg.Error:
                log.debug("lock connection %s closed with an error", self._purpose)
