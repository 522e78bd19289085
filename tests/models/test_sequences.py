"""Tracking codes come from their own counter: no gaps from drafts, none repeated under concurrency."""

import threading

from sqlalchemy import text
from sqlmodel import Session

from models.db import make_engine, session_scope, upgrade
from models.proposals import Proposal, assign_code
from models.residents import Resident
from models.sequences import next_value
from models.types import utcnow


def _proposal(session: Session, message_id: int) -> Proposal:
    """A draft of one resident."""
    resident = Resident(telegram_id=800_000 + message_id)
    session.add(resident)
    session.flush()
    draft = Proposal(resident_id=resident.id, source_chat_id=800_000 + message_id, source_message_id=message_id,
                     text_redacted="x")
    session.add(draft)
    session.flush()
    return draft


def test_codes_are_given_when_sent_without_gaps_and_without_repeats(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    year = utcnow().year
    with session_scope(engine) as session:
        cancelled = _proposal(session, 1)  # a draft that is never sent takes no number
        assert cancelled.code is None
        first = _proposal(session, 2)
        assert assign_code(session=session, proposal=first) == f"ASP-{year}-000001"
        assert assign_code(session=session, proposal=first) == f"ASP-{year}-000001"  # given once
    try:
        with session_scope(engine) as session:
            assign_code(session=session, proposal=_proposal(session, 3))
            raise RuntimeError("the submission fails")
    except RuntimeError:
        pass  # its number goes back
    ids = []
    with session_scope(engine) as session:
        for n in range(8):
            ids.append(_proposal(session, 10 + n).id)

    def send(proposal_id: int | None) -> None:
        with session_scope(engine) as session:
            proposal = session.get(Proposal, proposal_id)
            assert proposal is not None
            assign_code(session=session, proposal=proposal)

    threads = [threading.Thread(target=send, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with session_scope(engine) as session:
        codes = session.execute(text("SELECT code FROM proposal WHERE code IS NOT NULL")).scalars().all()
        assert sorted(codes) == [f"ASP-{year}-{n:06d}" for n in range(1, 10)]
        assert next_value(session=session, name="other") == 1
    engine.dispose()


def test_the_migration_starts_counters_after_the_codes_already_given(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine, "0004")
    with session_scope(engine) as session:
        session.execute(text("INSERT INTO resident (telegram_id, active, banned, created_at) "
                             "VALUES (1, true, false, CURRENT_TIMESTAMP)"))
        session.execute(text("INSERT INTO proposal (code, source_chat_id, source_message_id, state, text_clean, "
                             "text_redacted, streets, created_at) VALUES ('ASP-2026-000007', 1, 1, 'submitted', "
                             "'', '', '', CURRENT_TIMESTAMP)"))
    upgrade(engine)
    with session_scope(engine) as session:
        assert next_value(session=session, name="asp-2026") == 8
        assert next_value(session=session, name="asp-2027") == 1
    engine.dispose()
