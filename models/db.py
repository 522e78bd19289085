"""The engine, sessions and migrations: SQLite (WAL, foreign keys on) by default, PostgreSQL by URL."""

import os
import re
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, event
from sqlmodel import Session, create_engine

MIGRATIONS = Path(__file__).with_name("migrations")
AMBIENT: ContextVar[Connection | None] = ContextVar("aspirasi_transaction", default=None)  # see one_transaction
BUSY_TIMEOUT_MS = 5000  # how long a SQLite writer waits for another process's writer before "database is locked"
_WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)  # where pysqlite opens a transaction
_HOLDS_GATE = "aspirasi_holds_write_gate"


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgresql:// URLs."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Turn on WAL, foreign keys, secure delete and a busy timeout on every SQLite connection.

    secure_delete overwrites deleted content with zeros, so an erased resident's words do not linger in free
    pages of the file (the build's default is off on most platforms).
    """
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


class WriteGate:
    """Lets one of this process's connections to a SQLite file write at a time; the others wait their turn.

    SQLite admits one writer and makes the others poll (busy_timeout), sleeping up to 100 ms between tries:
    with several threads writing short transactions back to back (residents' updates at busy times), a poller
    can lose every try and fail with "database is locked" after the timeout. A connection takes the gate at
    its first write, where pysqlite opens the transaction, and gives it back at commit or rollback, so the
    process's writers wait on a lock instead of polling. SQLite's own lock still arbitrates with other
    processes; after the timeout a writer goes on without the gate and SQLite decides, as without it.
    """

    def __init__(self, timeout: float) -> None:
        self._lock = threading.Lock()
        self._timeout = timeout

    def locked(self) -> bool:
        """Whether a connection is inside a writing transaction now."""
        return self._lock.locked()

    def before_execute(self, connection: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        """Take the gate before a connection's first write of a transaction."""
        if connection.info.get(_HOLDS_GATE) or not _WRITES.match(statement):
            return
        if self._lock.acquire(timeout=self._timeout):
            connection.info[_HOLDS_GATE] = True

    def release(self, connection: Connection) -> None:
        """Give the gate back when the connection's transaction ends (commit or rollback)."""
        self._release(connection.info)

    def release_on_reset(self, _dbapi_connection: Any, record: Any, *_args: Any) -> None:
        """Give the gate back when the pool rolls back a connection handed back mid-transaction."""
        self._release(record.info)

    def _release(self, info: dict[Any, Any]) -> None:
        if info.pop(_HOLDS_GATE, False):
            self._lock.release()


_GATES: "weakref.WeakKeyDictionary[Engine, WriteGate]" = weakref.WeakKeyDictionary()


def write_gate(engine: Engine) -> WriteGate | None:
    """The write gate of a SQLite engine (None for PostgreSQL, whose writers wait on row locks)."""
    return _GATES.get(engine)


def _add_write_gate(engine: Engine) -> None:
    """Queue this process's SQLite writers on a WriteGate."""
    gate = _GATES[engine] = WriteGate(BUSY_TIMEOUT_MS / 1000)
    event.listen(engine, "before_cursor_execute", gate.before_execute)
    event.listen(engine, "commit", gate.release)
    event.listen(engine, "rollback", gate.release)
    event.listen(engine.pool, "reset", gate.release_on_reset)


def _owner_only_file(path: Path) -> None:
    """Make the SQLite file readable by its owner only (0600), creating it empty if need be; SQLite gives its
    -wal and -shm files the same mode. A file left group- or world-readable by an older version is tightened."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)


def make_engine(url: str) -> Engine:
    """Create the engine for a database URL; a SQLite file (and its folder) is made owner-only if needed."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1].split("?", 1)[0]
        if path and path != ":memory:":
            _owner_only_file(Path(path))
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        _add_write_gate(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def forget_deleted(engine: Engine) -> None:
    """After an erasure: on SQLite, copy the WAL into the file and empty it, so old page images go too
    (deleted content in the file itself is already zeroed by secure_delete). PostgreSQL: nothing to do here."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """Give a session that commits on success and rolls back on error. Inside `one_transaction` (a copy of a
    cluster handling one update) it joins that transaction through a savepoint: nothing is committed before the
    whole update is."""
    joined = AMBIENT.get()
    session_of = (Session(bind=joined, expire_on_commit=False, join_transaction_mode="create_savepoint")
                  if joined is not None and joined.engine is engine else Session(engine, expire_on_commit=False))
    with session_of as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def one_transaction(engine: Engine) -> Iterator[Connection]:
    """Run every `session_scope` on this engine, in this context (threads started from it included), in one
    transaction, committed at the end: an update's effects, its outbox rows and its "processed" mark commit
    together, or not at all (a killed process's transaction rolls back)."""
    with engine.connect() as connection, connection.begin():
        token = AMBIENT.set(connection)
        try:
            yield connection
        finally:
            AMBIENT.reset(token)


@contextmanager
def migrated_session(url: str) -> Iterator[Session]:
    """A session on the database at `url`, migrated first (for one-shot CLI commands)."""
    engine = make_engine(url)
    upgrade(engine)
    try:
        with session_scope(engine) as session:
            yield session
    finally:
        engine.dispose()


def alembic_config(engine: Engine) -> Config:
    """Return an Alembic config that migrates through this engine."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the migrations up to a revision (the only way the schema changes), then refresh SQLite's planner
    statistics when they are stale (`refresh_statistics`)."""
    command.upgrade(alembic_config(engine), revision)
    refresh_statistics(engine)


def refresh_statistics(engine: Engine) -> bool:
    """On SQLite, gather the query planner's statistics (ANALYZE) when there are none or the aspirations grew
    or shrank twofold since; whether it did. Without them SQLite reads every submitted aspiration to find one
    cluster's (it picks the index on state over the one on cluster). PostgreSQL gathers its own."""
    if engine.dialect.name != "sqlite":
        return False
    with engine.begin() as conn:
        rows = int(conn.exec_driver_sql("SELECT count(*) FROM proposal").scalar_one())
        has_table = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'").first() is not None
        stat = conn.exec_driver_sql("SELECT stat FROM sqlite_stat1 WHERE tbl = 'proposal' AND idx IS NOT NULL "
                                    "LIMIT 1").scalar() if has_table else None
        seen = int(str(stat).split()[0]) if stat else -1
        if seen >= 0 and seen // 2 <= rows <= 2 * seen + 100:
            return False
        conn.exec_driver_sql("ANALYZE")
    return True
