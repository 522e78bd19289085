"""Clusters full of residents written straight to the database, and waiting for the outbox to empty."""

import asyncio
import time
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from bot.console import Console
from handlers.deps import deps
from models.clusters import add_support, create_cluster
from models.db import session_scope
from models.outbox import OutboxMessage, OutboxState
from models.proposals import Proposal, ProposalState
from models.residents import Resident
from models.types import utcnow
from services.answers.staff_answers import post_cluster_to_staff

STAFF_CHAT = -100_900_003
STAFF_USER = 900_004
FIRST_RESIDENT = 700_000


def engine_of(console: Console) -> Engine:
    """The console's database engine."""
    return deps(console.app).engine


def seed_cluster(engine: Engine, residents: int, *, first_telegram_id: int = FIRST_RESIDENT,
                 title: str = "Perbaikan jalan berlubang di Jl. Pattimura") -> tuple[int, list[int]]:
    """A cluster with `residents` residents (each one proposal and a support); return its id and their chats."""
    chats = [first_telegram_id + i for i in range(residents)]
    with session_scope(engine) as session:
        cluster = create_cluster(session=session, title=title, home_forum_id="bontang-utara")
        assert cluster.id is not None
        for chat in chats:
            resident = Resident(telegram_id=chat, kelurahan="Lok Tuan", forum_id="bontang-utara", consent_at=utcnow())
            session.add(resident)
            session.flush()
            proposal = Proposal(source_chat_id=chat, source_message_id=1, resident_id=resident.id,
                                cluster_id=cluster.id, state=ProposalState.SUBMITTED, submitted_at=utcnow(),
                                text_verbatim=title, text_clean=title.lower(), text_redacted=title,
                                kelurahan="Lok Tuan", forum_id="bontang-utara")
            session.add(proposal)
            session.flush()
            add_support(session=session, cluster_id=cluster.id, resident_id=int(resident.id or 0),
                        proposal_id=proposal.id)
        return cluster.id, chats


async def post_to_staff(console: Console, cluster_id: int) -> dict[str, Any]:
    """Put a cluster's message in the staff chat (as a digest does) and return it as Telegram stored it."""
    config = deps(console.app).config
    with session_scope(engine_of(console)) as session:
        row = post_cluster_to_staff(session=session, config=config, cluster_id=cluster_id,
                                    dedupe_key=f"test:{cluster_id}")
        row_id = row.id
    await console.flush_outbox()
    with Session(engine_of(console)) as session:
        sent = session.get(OutboxMessage, row_id)
        assert sent is not None and sent.telegram_message_id is not None
        return console.api.messages[(STAFF_CHAT, sent.telegram_message_id)]


def unsent(engine: Engine) -> int:
    """Rows still pending or being sent."""
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(OutboxMessage).where(
            col(OutboxMessage.state).in_([OutboxState.PENDING, OutboxState.SENDING]))).one()


async def wait_until_sent(console: Console, stall: float = 120.0) -> None:
    """Flush the outbox until nothing is left (rows waiting for a retry included).

    Fails only when nothing was sent for `stall` seconds: a hang guard, not a speed check (a loaded machine
    is slow, never stuck).
    """
    left, last_progress = unsent(engine_of(console)), time.monotonic()
    while left:
        await console.flush_outbox()
        now_left = unsent(engine_of(console))
        if now_left < left:
            left, last_progress = now_left, time.monotonic()
        elif now_left:
            assert time.monotonic() - last_progress < stall, f"{now_left} outbox rows unsent, no progress"
            await asyncio.sleep(0.1)
        left = now_left


def last_to(console: Console, chat_id: int) -> dict[str, Any]:
    """The last message the bot sent to a chat."""
    return next(m for (c, _), m in reversed(console.api.messages.items()) if c == chat_id)
