"""The SQLite engine: deleted content is overwritten, not left in free pages of the file.

This machine's SQLite is built with SECURE_DELETE on; builds without it leave deleted rows readable, which
the control case (the pragma turned off by hand) shows. The engine turns it on whatever the build.
"""

import sqlite3
from pathlib import Path

from sqlalchemy import text

from models.db import make_engine, refresh_statistics, upgrade

SECRET = "Pak Haji Slamet di Gang Kenanga nomor 0812-3456-7890 " * 20


def _fill_and_delete(connection: sqlite3.Connection) -> None:
    """Write rows with the secret, delete them, and checkpoint the WAL into the file."""
    connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
    connection.executemany("INSERT INTO t (body) VALUES (?)", [(f"{i} {SECRET}",) for i in range(50)])
    connection.commit()
    connection.execute("DELETE FROM t")
    connection.commit()
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _leftovers(folder: Path) -> list[Path]:
    """Files in a folder that still hold the secret."""
    return [p for p in folder.iterdir() if b"Haji Slamet" in p.read_bytes()]


def test_sqlite_overwrites_what_is_deleted(tmp_path: Path) -> None:
    control = tmp_path / "control"
    control.mkdir()
    raw = sqlite3.connect(control / "a.db")
    raw.execute("PRAGMA journal_mode=WAL")
    raw.execute("PRAGMA secure_delete=OFF")
    _fill_and_delete(raw)
    raw.close()
    assert _leftovers(control), "without secure_delete the deleted text stays in the file"

    ours = tmp_path / "ours"
    engine = make_engine(f"sqlite:///{ours / 'a.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA secure_delete")).scalar() == 1
        _fill_and_delete(connection.connection.dbapi_connection)  # type: ignore[arg-type]
    engine.dispose()
    assert _leftovers(ours) == []


def test_the_sqlite_file_and_its_journal_are_owner_only(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'aspirasi.db'}")
    try:
        upgrade(engine)
        with engine.connect() as connection:  # the WAL and shared-memory files exist while connected
            connection.execute(text("SELECT 1"))
            files = [p for p in (tmp_path / "data").iterdir()]
            assert {p.name for p in files} >= {"aspirasi.db", "aspirasi.db-wal", "aspirasi.db-shm"}
            assert {p.name: oct(p.stat().st_mode & 0o777) for p in files} == {p.name: "0o600" for p in files}
    finally:
        engine.dispose()
    old = tmp_path / "old.db"  # a file an older version left world-readable
    old.touch(mode=0o644)
    old.chmod(0o644)
    make_engine(f"sqlite:///{old}").dispose()
    assert old.stat().st_mode & 0o777 == 0o600


def test_sqlite_gathers_planner_statistics_when_there_are_none_or_the_aspirations_grew(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'stats.db'}")
    upgrade(engine)
    assert refresh_statistics(engine)  # an empty database has none yet: cheap to gather
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO resident (telegram_id, active, banned, created_at) "
                             "VALUES (1, 1, 0, '2026-01-01')")
        for i in range(300):
            conn.exec_driver_sql("INSERT INTO proposal (code, resident_id, source_chat_id, source_message_id, state, "
                                 "text_verbatim, text_clean, text_redacted, streets, created_at) VALUES "
                                 f"('A{i}', 1, 1, {i}, 'draft', 't', 't', 't', '', '2026-01-01')")
    assert refresh_statistics(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'proposal'").scalar_one() > 0
    assert not refresh_statistics(engine)  # fresh: not gathered again at the next start
    engine.dispose()
