"""Clusters made directly through the intake service, so moderation tests know exactly what is where."""

import itertools
from dataclasses import dataclass

from sqlmodel import Session, select

from bot.console import Console
from handlers.deps import deps
from models.audit import AuditEntry
from models.clusters import Cluster, Support, create_cluster
from models.db import session_scope
from models.outbox import OutboxMessage
from models.proposals import Proposal
from models.residents import get_or_create_resident, give_consent, set_kelurahan
from services.intake import drafts as intake
from tests.handlers.journey import button_data, last_message_with_buttons

MODERATOR, ADMIN = 900_002, 900_005
_ids = itertools.count(500_000)


@dataclass(frozen=True)
class Seeded:
    """Codes of what was made."""

    cluster: str
    proposal: str


def seed(console: Console, telegram_id: int, text: str, *, cluster: str | None = None,
         kelurahan: str = "Lok Tuan") -> Seeded:
    """Store a submitted aspiration of a resident, in a new cluster or the one named."""
    d = deps(console.app)
    forum = d.config.forum_of(kelurahan)
    with session_scope(d.engine) as session:
        resident = get_or_create_resident(session=session, telegram_id=telegram_id)
        give_consent(session=session, resident=resident)
        set_kelurahan(session=session, resident=resident, kelurahan=kelurahan, forum_id=forum.id)
        draft, _ = intake.save_draft(session=session, grouping=d.grouping, resident=resident,
                                     source_chat_id=telegram_id, source_message_id=next(_ids),
                                     text=text)
        target = (session.exec(select(Cluster).where(Cluster.code == cluster)).one() if cluster
                  else create_cluster(session=session, title=draft.text_redacted[:200], home_forum_id=forum.id))
        assert draft.id is not None and target.id is not None
        draft.offered_clusters = str(target.id)  # as if the resident had been shown it
        done = intake.confirm(session=session, grouping=d.grouping, resident=resident, proposal_id=draft.id,
                              cluster_id=target.id)
        assert isinstance(done, intake.Submitted)
        return Seeded(done.cluster.code, done.code)


def session_of(console: Console) -> Session:
    """A session on the bot's database (for assertions)."""
    return Session(deps(console.app).engine)


def cluster(console: Console, code: str) -> Cluster:
    """Load a cluster by code."""
    with session_of(console) as session:
        return session.exec(select(Cluster).where(Cluster.code == code)).one()


def proposal(console: Console, code: str) -> Proposal:
    """Load a proposal by code."""
    with session_of(console) as session:
        return session.exec(select(Proposal).where(Proposal.code == code)).one()


def supporters(console: Console, code: str) -> list[int]:
    """Resident ids supporting a cluster, sorted."""
    with session_of(console) as session:
        c = session.exec(select(Cluster).where(Cluster.code == code)).one()
        return sorted(s.resident_id for s in session.exec(select(Support).where(Support.cluster_id == c.id)))


def audit(console: Console) -> list[AuditEntry]:
    """The audit log, oldest first."""
    with session_of(console) as session:
        return list(session.exec(select(AuditEntry).order_by(AuditEntry.id)))  # type: ignore[arg-type]


def outbox(console: Console) -> list[OutboxMessage]:
    """Every outbox row."""
    with session_of(console) as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))  # type: ignore[arg-type]


async def command(console: Console, user_id: int, text: str) -> str:
    """Send a command in a user's private chat and return the last text sent there."""
    await console.send(console.maker.text(user_id, text))
    return console.api.texts(user_id)[-1]


def last_text(console: Console, user_id: int) -> str:
    """The text of the newest message in a user's chat, as last edited."""
    return str(console.api.messages[max(k for k in console.api.messages if k[0] == user_id)].get("text"))


async def confirmed(console: Console, user_id: int, text: str) -> str:
    """Send a cluster-changing command, check that it only previewed, press Ya; return the confirmation."""
    preview = await command(console, user_id, text)
    assert "Lanjutkan?" in preview, preview
    message = last_message_with_buttons(console, user_id)
    data = next(d for d in button_data(message) if d.startswith("pa:ya:"))
    await console.send(console.maker.press(user_id, message, data))
    return str(console.api.messages[(user_id, message["message_id"])]["text"])
