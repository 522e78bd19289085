"""SQLite writers of one process queue on a gate instead of polling SQLite's lock (models/db.py WriteGate)."""

import threading
from pathlib import Path

from sqlalchemy import Engine, text
from sqlmodel import Session

from models.db import make_engine, write_gate


def _table(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v INTEGER)")


def test_a_sqlite_writer_holds_the_gate_from_its_first_write_until_its_transaction_ends(database_url: str) -> None:
    engine = make_engine(database_url)
    gate = write_gate(engine)
    if not database_url.startswith("sqlite"):
        assert gate is None  # PostgreSQL's writers wait on row locks, not on one file lock
        engine.dispose()
        return
    assert gate is not None
    _table(engine)
    with Session(engine) as session:
        session.execute(text("SELECT count(*) FROM t")).one()
        assert not gate.locked()  # reading takes no turn
        session.execute(text("INSERT INTO t (v) VALUES (1)"))
        assert gate.locked()
        session.commit()
        assert not gate.locked()
        session.execute(text("UPDATE t SET v = 2"))
        assert gate.locked()
        session.rollback()
        assert not gate.locked()
    with engine.connect() as connection:  # handed back to the pool mid-transaction: the pool's reset frees it
        connection.exec_driver_sql("INSERT INTO t (v) VALUES (3)")
        assert gate.locked()
    assert not gate.locked()
    engine.dispose()


def test_a_second_writer_waits_for_the_first_and_then_writes(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/gate.db")
    gate = write_gate(engine)
    assert gate is not None
    _table(engine)
    first = Session(engine)
    first.execute(text("INSERT INTO t (v) VALUES (1)"))
    outcome: list[object] = []

    def second() -> None:
        try:
            with Session(engine) as session:
                session.execute(text("INSERT INTO t (v) VALUES (2)"))
                session.commit()
            outcome.append("written")
        except Exception as exc:  # reported by the assertion below
            outcome.append(exc)

    thread = threading.Thread(target=second)
    thread.start()
    thread.join(0.3)
    assert outcome == []  # still waiting its turn
    first.commit()
    first.close()
    thread.join(10)
    assert outcome == ["written"]
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT v FROM t ORDER BY id").scalars().all() == [1, 2]
    engine.dispose()
