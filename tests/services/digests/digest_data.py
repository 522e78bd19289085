"""Rows for digest tests, written directly with chosen times (no bot, no grouping model)."""

from datetime import UTC, datetime, timedelta
from itertools import count

from sqlmodel import Session

from models.clusters import Cluster, Support, create_cluster
from models.proposals import Proposal, ProposalState, assign_code
from models.residents import Resident
from models.sequences import date_transaction

WITA_MONDAY_8 = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)  # Monday 30-11-2026 08:00 WITA
_messages = count(1)


def resident(session: Session, kelurahan: str = "Lok Tuan", forum_id: str = "bontang-utara") -> Resident:
    """A resident of a kelurahan."""
    row = Resident(telegram_id=700_000 + next(_messages), kelurahan=kelurahan, forum_id=forum_id)
    session.add(row)
    session.flush()
    return row


def aspiration(session: Session, *, text: str, at: datetime, cluster: Cluster | None = None,
               kelurahan: str = "Lok Tuan", forum_id: str = "bontang-utara",
               state: str = ProposalState.SUBMITTED) -> Proposal:
    """A submitted aspiration of a new resident at a time, in a cluster (a new one by default) with support."""
    who = resident(session, kelurahan, forum_id)
    if cluster is None:
        cluster = create_cluster(session=session, title=text[:200], home_forum_id=forum_id)
        cluster.created_at = at
    number = next(_messages)
    proposal = Proposal(resident_id=who.id, source_chat_id=who.telegram_id or 0, source_message_id=number,
                        text_verbatim=text, text_clean=text.lower(), text_redacted=text, kelurahan=kelurahan,
                        forum_id=forum_id, state=state, cluster_id=cluster.id, created_at=at, submitted_at=at)
    session.add(proposal)
    session.flush()
    assign_code(session=session, proposal=proposal)
    assert who.id is not None and cluster.id is not None
    session.add(Support(cluster_id=cluster.id, resident_id=who.id, proposal_id=proposal.id, created_at=at))
    session.flush()
    committed_at(session, at)
    return proposal


def committed_at(session: Session, at: datetime) -> None:
    """Commit the transaction as if it had run at `at` (its number in committed order keeps its place)."""
    date_transaction(session=session, at=at)
    session.commit()


def week(n: int, hours: float = 1) -> datetime:
    """A moment `hours` after the Monday 08:00 WITA that is n weeks after WITA_MONDAY_8."""
    return WITA_MONDAY_8 + timedelta(weeks=n, hours=hours)
