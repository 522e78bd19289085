"""An update handled by a copy of a cluster commits all its effects together, or none of them."""

import pytest
from sqlmodel import Session, select

from models.db import make_engine, one_transaction, session_scope, upgrade
from models.outbox import OutboxBase, OutboxMessage, enqueue
from models.updates import InboundUpdate, mark_processed, store_update


def test_effects_outbox_rows_and_processed_commit_together_or_not_at_all(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("one transaction per update is the cluster's (PostgreSQL only); pysqlite's savepoints need "
                    "SQLAlchemy's begin-event recipe, which the single-process SQLite bot does not use")
    engine = make_engine(database_url)
    upgrade(engine)
    with session_scope(engine) as session:
        for update_id in (1, 2):
            assert store_update(session=session, update_id=update_id, payload={"update_id": update_id}, chat_id=7)
        assert not store_update(session=session, update_id=1, payload={"update_id": 1}, chat_id=7)  # a repeat

    def handle(update_id: int, fail: bool) -> None:
        with one_transaction(engine):
            with session_scope(engine) as session:  # a handler's own unit of work: only a savepoint now
                enqueue(session=session, message=OutboxBase(dedupe_key=f"u{update_id}:reply", chat_id=7))
            with session_scope(engine) as session:
                mark_processed(session=session, update_id=update_id)
            if fail:  # the process dies before the update's commit
                raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        handle(1, fail=True)
    handle(2, fail=False)
    with Session(engine) as session:
        rows = {row.update_id: row.processed_at for row in session.exec(select(InboundUpdate))}
        keys = [row.dedupe_key for row in session.exec(select(OutboxMessage))]
    assert rows[1] is None and rows[2] is not None and keys == ["u2:reply"]
    engine.dispose()
